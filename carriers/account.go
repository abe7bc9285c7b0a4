package carriers

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/shipgate/shipgate"
)

// AccountConfig is one configured carrier account: one connection with its own
// credentials. Two UPS accounts are two AccountConfigs.
type AccountConfig struct {
	// ID is the name callers use ("ups-main").
	ID string
	// Carrier is the adapter's name ("ups", "sandbox").
	Carrier string
	// BaseURL overrides the carrier's default API address (a test environment, a simulator).
	BaseURL string
	// Credentials are decoded by the adapter into its own typed config.
	Credentials map[string]shipgate.Secret
	// Options are adapter-specific settings (the sandbox's latency, fail_rate...).
	Options map[string]any
	// Timeout bounds every call to the carrier.
	Timeout   time.Duration
	Breaker   BreakerConfig
	RateLimit RateLimitConfig
}

// BreakerConfig tunes an account's circuit breakers.
type BreakerConfig struct {
	// ConsecutiveFailures opens the breaker after this many carrier faults in a row.
	ConsecutiveFailures int
	// OpenFor is how long an open breaker refuses calls before it lets one try.
	OpenFor time.Duration
}

// RateLimitConfig bounds how fast shipgate calls an account (0: no limit).
type RateLimitConfig struct {
	PerSecond float64
	Burst     int
}

// Defaults applied by the configuration loader when an account leaves them out.
const (
	DefaultTimeout             = 10 * time.Second
	DefaultConsecutiveFailures = 5
	DefaultOpenFor             = 30 * time.Second
)

// Credential returns a required credential, or an error naming the account and the field.
func (c AccountConfig) Credential(name string) (shipgate.Secret, error) {
	s, ok := c.Credentials[name]
	if !ok || s.IsZero() {
		return shipgate.Secret{}, fmt.Errorf("account %q (%s): credentials.%s is required", c.ID, c.Carrier, name)
	}
	return s, nil
}

// OptionString returns option name as a string, or def when it is absent.
func (c AccountConfig) OptionString(name, def string) (string, error) {
	v, ok := c.Options[name]
	if !ok || v == nil {
		return def, nil
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case int, int64, float64, bool:
		return fmt.Sprint(x), nil
	}
	return "", c.optionError(name, "a string")
}

// OptionDuration returns option name as a duration ("100ms"), or def when it is absent.
func (c AccountConfig) OptionDuration(name string, def time.Duration) (time.Duration, error) {
	v, ok := c.Options[name]
	if !ok || v == nil {
		return def, nil
	}
	if s, ok := v.(string); ok {
		d, err := time.ParseDuration(s)
		if err == nil && d >= 0 {
			return d, nil
		}
	}
	if n, ok := v.(int); ok && n == 0 {
		return 0, nil
	}
	return 0, c.optionError(name, `a duration such as "100ms"`)
}

// OptionFloat returns option name as a number, or def when it is absent.
func (c AccountConfig) OptionFloat(name string, def float64) (float64, error) {
	v, ok := c.Options[name]
	if !ok || v == nil {
		return def, nil
	}
	switch x := v.(type) {
	case float64:
		return x, nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case string:
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return f, nil
		}
	}
	return 0, c.optionError(name, "a number")
}

// OptionBool returns option name as a boolean, or def when it is absent.
func (c AccountConfig) OptionBool(name string, def bool) (bool, error) {
	v, ok := c.Options[name]
	if !ok || v == nil {
		return def, nil
	}
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b, nil
		}
	}
	return false, c.optionError(name, "true or false")
}

func (c AccountConfig) optionError(name, want string) error {
	return fmt.Errorf("account %q (%s): options.%s must be %s", c.ID, c.Carrier, name, want)
}

// Env is what the gateway lends every adapter: an HTTP client, a store shared
// by all gateway processes (for OAuth tokens; nil keeps them in this process),
// an observer of outbound calls, a logger and a clock. WithDefaults fills the
// nil fields but Shared.
type Env struct {
	HTTPClient *http.Client
	Shared     SharedStore
	Observer   CallObserver
	// Limiter, when not nil, is the account's rate limit: adapters wait on it
	// before every outbound request.
	Limiter Limiter
	Logger  *slog.Logger
	Now     func() time.Time
}

// Limiter waits until the account's rate limit allows one more call.
type Limiter interface {
	// Wait blocks until a call may be made, or returns a rate_limited or
	// carrier_timeout *shipgate.Error when ctx ends first.
	Wait(ctx context.Context) error
}

// WithDefaults returns env with every nil field given a working default.
func (env Env) WithDefaults() Env {
	if env.HTTPClient == nil {
		env.HTTPClient = &http.Client{Transport: http.DefaultTransport}
	}
	if env.Observer == nil {
		env.Observer = nopObserver{}
	}
	if env.Logger == nil {
		env.Logger = slog.New(slog.DiscardHandler)
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	return env
}

// Call describes one outbound carrier call, as reported to a CallObserver.
type Call struct {
	Account   string
	Carrier   string
	Operation string // OpRates, OpLabels, OpVoid, OpTracking, OpOAuth
	// Outcome is "ok" or an error code (shipgate.Code).
	Outcome  string
	Duration time.Duration
}

// CallObserver receives one Call per outbound carrier request (metrics).
// Cached, coalesced and breaker-refused requests are not calls.
type CallObserver interface {
	ObserveCall(Call)
}

type nopObserver struct{}

func (nopObserver) ObserveCall(Call) {}

// Outcome returns the metric outcome of an error: "ok" for nil, else its code.
func Outcome(err error) string {
	if err == nil {
		return "ok"
	}
	return string(shipgate.ErrorCode(err))
}

// SharedStore is a key-value store shared by every gateway process: Redis when
// one is configured, else process memory. Adapters keep OAuth tokens in it.
type SharedStore interface {
	// Get returns the value of key; ok is false when it is absent or expired.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// SetNX stores value under key for ttl only if key is absent, reporting whether it did.
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// Delete removes key.
	Delete(ctx context.Context, key string) error
}
