package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/store"
)

// Config is the gateway's configuration (YAML). Each subsystem's part is its
// own struct; DESIGN.md section 5 is the contract.
type Config struct {
	Addr        string         `yaml:"addr"`
	RedisURL    string         `yaml:"redis_url"`
	DatabaseURL string         `yaml:"database_url"`
	LogLevel    string         `yaml:"log_level"`
	Rates       RatesConfig    `yaml:"rates"`
	Tracking    TrackingConfig `yaml:"tracking"`
	Webhooks    WebhookConfig  `yaml:"webhooks"`
	Accounts    []AccountEntry `yaml:"accounts"`
	APIKeys     []APIKeyEntry  `yaml:"api_keys"` // keys.go

	// source names where the configuration came from, for messages.
	source string
}

// RatesConfig configures rate shopping and the quote cache.
type RatesConfig struct {
	// Deadline bounds a whole rate request.
	Deadline Duration `yaml:"deadline"`
	// CacheTTL is how long a quote is served from the cache.
	CacheTTL Duration `yaml:"cache_ttl"`
	// StaleTTL is how long a cached quote may stand in for a failing carrier.
	StaleTTL Duration `yaml:"stale_ttl"`
	// QuoteTTL is how long a quote id can be bought.
	QuoteTTL Duration `yaml:"quote_ttl"`
}

// TrackingConfig configures tracking, its cache and the trackers' poller.
type TrackingConfig struct {
	// PollInterval is the trackers' base poll interval (halved out for
	// delivery, doubled before pickup or on hold).
	PollInterval Duration `yaml:"poll_interval"`
	// Concurrency bounds concurrent tracking calls per account.
	Concurrency int `yaml:"concurrency"`
	// CacheTTL sets how long a tracking answer is served from the cache, by
	// status ("default" for the statuses not named).
	CacheTTL map[string]Duration `yaml:"cache_ttl"`
}

// WebhookConfig configures webhook deliveries.
type WebhookConfig struct {
	// AllowPrivateDestinations lets webhooks target loopback and private addresses.
	AllowPrivateDestinations bool     `yaml:"allow_private_destinations"`
	RetryBase                Duration `yaml:"retry_base"`
	MaxAge                   Duration `yaml:"max_age"`
	Timeout                  Duration `yaml:"timeout"`
}

// defaultTrackingTTL is how long a tracking answer stays fresh, by status:
// short while the parcel is about to arrive, long once nothing will change.
var defaultTrackingTTL = map[shipgate.Status]time.Duration{
	shipgate.StatusPreTransit:         30 * time.Minute,
	shipgate.StatusInTransit:          15 * time.Minute,
	shipgate.StatusOutForDelivery:     2 * time.Minute,
	shipgate.StatusAvailableForPickup: 30 * time.Minute,
	shipgate.StatusDelayed:            15 * time.Minute,
	shipgate.StatusOnHold:             30 * time.Minute,
	shipgate.StatusDeliveryFailed:     10 * time.Minute,
	shipgate.StatusDelivered:          24 * time.Hour,
	shipgate.StatusReturnToSender:     24 * time.Hour,
	shipgate.StatusCancelled:          24 * time.Hour,
	shipgate.StatusUnknown:            5 * time.Minute,
}

// trackingTTL returns the cache lifetime of a tracking answer in status s.
func (c TrackingConfig) trackingTTL(s shipgate.Status) time.Duration {
	if d, ok := c.CacheTTL[string(s)]; ok {
		return d.D()
	}
	if d, ok := c.CacheTTL["default"]; ok {
		return d.D()
	}
	return defaultTrackingTTL[s]
}

// AccountEntry is one carrier account in the configuration file.
type AccountEntry struct {
	ID          string                  `yaml:"id"`
	Carrier     string                  `yaml:"carrier"`
	BaseURL     string                  `yaml:"base_url"`
	Credentials map[string]secretString `yaml:"credentials"` // redacted when printed (redact.go)
	Options     map[string]any          `yaml:"options"`
	Timeout     Duration                `yaml:"timeout"`
	Breaker     struct {
		ConsecutiveFailures int      `yaml:"consecutive_failures"`
		OpenFor             Duration `yaml:"open_for"`
	} `yaml:"breaker"`
	RateLimit struct {
		PerSecond float64 `yaml:"per_second"`
		Burst     int     `yaml:"burst"`
	} `yaml:"rate_limit"`
}

// Duration is a time.Duration written as "1500ms" or "10m" in YAML.
type Duration time.Duration

// UnmarshalYAML reads a duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: want a duration such as 1500ms or 10m", n.Line)
	}
	if n.Value == "0" {
		*d = 0
		return nil
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: %q is not a duration such as 1500ms or 10m", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// D returns the time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Defaults of the configuration.
const (
	defaultAddr     = "127.0.0.1:8080"
	defaultDeadline = 1500 * time.Millisecond
	defaultCacheTTL = 10 * time.Minute
	defaultStaleTTL = 24 * time.Hour
	defaultQuoteTTL = 24 * time.Hour
)

// defaultConfig is the embedded default: one sandbox account, the in-memory
// cache, SQLite in ./shipgate-data, listening on loopback.
func defaultConfig() *Config {
	return &Config{
		Accounts: []AccountEntry{{ID: "sandbox", Carrier: "sandbox"}},
		source:   "the embedded default configuration",
	}
}

// loadConfig reads the configuration: the file given (or $SHIPGATE_CONFIG), or
// the embedded default when there is none; then the SHIPGATE_* environment
// overrides; then defaults and validation. Errors name the file and the field.
func loadConfig(path string, lookupEnv func(string) (string, bool)) (*Config, error) {
	getenv := func(k string) string { v, _ := lookupEnv(k); return v }
	if path == "" {
		path = getenv("SHIPGATE_CONFIG")
	}
	cfg := defaultConfig()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("configuration: %w", err)
		}
		if cfg, err = parseConfig(b, path, getenv); err != nil {
			return nil, err
		}
	}
	for env, dst := range map[string]*string{
		"SHIPGATE_ADDR": &cfg.Addr, "SHIPGATE_REDIS_URL": &cfg.RedisURL,
		"SHIPGATE_DATABASE_URL": &cfg.DatabaseURL, "SHIPGATE_LOG_LEVEL": &cfg.LogLevel,
	} {
		// An empty variable is unset, except SHIPGATE_REDIS_URL, where set
		// and empty means "no Redis": the in-memory cache.
		if v, ok := lookupEnv(env); ok && (v != "" || env == "SHIPGATE_REDIS_URL") {
			*dst = v
		}
	}
	cfg.applyDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.source, err)
	}
	return cfg, nil
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// parseConfig decodes YAML strictly (unknown fields are errors) after
// replacing ${VAR} references in values by the environment's values.
func parseConfig(b []byte, path string, getenv func(string) string) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, fmt.Errorf("%s: %s", path, yamlMessage(err))
	}
	if err := expandEnv(&root, getenv); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	cfg := &Config{}
	if len(root.Content) > 0 {
		expanded, err := yaml.Marshal(&root)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(expanded))
		dec.KnownFields(true)
		if err := dec.Decode(cfg); err != nil {
			return nil, fmt.Errorf("%s: %s", path, yamlMessage(err))
		}
	}
	cfg.source = path
	return cfg, nil
}

func yamlMessage(err error) string {
	return strings.ReplaceAll(strings.TrimPrefix(err.Error(), "yaml: unmarshal errors:\n  "), "\n  ", "; ")
}

// expandEnv replaces ${VAR} in every scalar value; an unset variable is an error.
func expandEnv(n *yaml.Node, getenv func(string) string) error {
	if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "${") {
		var missing []string
		n.Value = envRef.ReplaceAllStringFunc(n.Value, func(ref string) string {
			name := envRef.FindStringSubmatch(ref)[1]
			v := getenv(name)
			if v == "" {
				missing = append(missing, name)
			}
			return v
		})
		if len(missing) > 0 {
			return fmt.Errorf("line %d: environment variable %s is not set", n.Line, strings.Join(missing, ", "))
		}
		n.Tag = "!!str" // an expanded secret stays a string, whatever it looks like
	}
	for _, c := range n.Content {
		if err := expandEnv(c, getenv); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) applyDefaults() {
	if c.Addr == "" {
		c.Addr = defaultAddr
	}
	if c.LogLevel == "" {
		c.LogLevel = "info"
	}
	if c.DatabaseURL == "" {
		c.DatabaseURL = store.DefaultURL
	}
	if c.Rates.Deadline == 0 {
		c.Rates.Deadline = Duration(defaultDeadline)
	}
	if c.Rates.CacheTTL == 0 {
		c.Rates.CacheTTL = Duration(defaultCacheTTL)
	}
	if c.Rates.StaleTTL == 0 {
		c.Rates.StaleTTL = Duration(defaultStaleTTL)
	}
	if c.Rates.QuoteTTL == 0 {
		c.Rates.QuoteTTL = Duration(defaultQuoteTTL)
	}
	if c.Tracking.PollInterval == 0 {
		c.Tracking.PollInterval = Duration(30 * time.Minute)
	}
	if c.Tracking.Concurrency == 0 {
		c.Tracking.Concurrency = 8
	}
	for i := range c.Accounts {
		a := &c.Accounts[i]
		if a.Timeout == 0 {
			a.Timeout = Duration(carriers.DefaultTimeout)
		}
		if a.Breaker.ConsecutiveFailures == 0 {
			a.Breaker.ConsecutiveFailures = carriers.DefaultConsecutiveFailures
		}
		if a.Breaker.OpenFor == 0 {
			a.Breaker.OpenFor = Duration(carriers.DefaultOpenFor)
		}
		if a.RateLimit.PerSecond > 0 && a.RateLimit.Burst == 0 {
			a.RateLimit.Burst = max(1, int(a.RateLimit.PerSecond))
		}
	}
}

// fieldErrors returns a function that adds "field: message" to *errs.
func fieldErrors(errs *[]error) func(field, format string, args ...any) {
	return func(field, format string, args ...any) {
		*errs = append(*errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
}

var accountID = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

func (c *Config) validate() error {
	var errs []error
	bad := fieldErrors(&errs)
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("addr", "%q is not host:port", c.Addr)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		bad("addr", "port %q is not a number from 0 to 65535", port)
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			bad("redis_url", "want redis://host:port/db or rediss://..., got %q", redactURL(c.RedisURL))
		}
	}
	if !strings.HasPrefix(c.DatabaseURL, "sqlite://") && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		bad("database_url", "want sqlite:///path/file.db or postgres://..., got %q", redactURL(c.DatabaseURL))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log_level", "want debug, info, warn or error, got %q", c.LogLevel)
	}
	r := c.Rates
	if r.CacheTTL > r.QuoteTTL {
		bad("rates.cache_ttl", "%s is longer than rates.quote_ttl (%s): a cached quote would outlive its id", r.CacheTTL.D(), r.QuoteTTL.D())
	}
	if r.StaleTTL < r.CacheTTL {
		bad("rates.stale_ttl", "%s is shorter than rates.cache_ttl (%s)", r.StaleTTL.D(), r.CacheTTL.D())
	}
	for k, v := range c.Tracking.CacheTTL {
		if k != "default" && !shipgate.Status(k).Valid() {
			bad("tracking.cache_ttl."+k, "unknown status (want default or one of %v)", shipgate.Statuses)
		} else if v <= 0 {
			bad("tracking.cache_ttl."+k, "must be a positive duration")
		}
	}
	if c.Tracking.PollInterval.D() < 100*time.Millisecond {
		bad("tracking.poll_interval", "must be at least 100ms")
	}
	if c.Tracking.Concurrency < 0 {
		bad("tracking.concurrency", "must not be negative")
	}
	if len(c.Accounts) == 0 {
		bad("accounts", "at least one carrier account is required")
	}
	seen := map[string]bool{}
	for i, a := range c.Accounts {
		f := fmt.Sprintf("accounts[%d]", i)
		switch {
		case a.ID == "":
			bad(f+".id", "is required")
		case !accountID.MatchString(a.ID):
			bad(f+".id", "%q must be lower-case letters, digits, - or _ (at most 64)", a.ID)
		case seen[a.ID]:
			bad(f+".id", "%q is used by another account", a.ID)
		}
		seen[a.ID] = true
		if a.Carrier == "" {
			bad(f+".carrier", "is required")
		} else if _, ok := constructors[a.Carrier]; !ok {
			bad(f+".carrier", "unknown carrier %q (known: %s)", a.Carrier, strings.Join(carrierNames(), ", "))
		}
		if a.BaseURL != "" {
			if u, err := url.Parse(a.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				bad(f+".base_url", "want an http(s) URL, got %q", a.BaseURL)
			}
		}
		if a.Breaker.ConsecutiveFailures < 0 {
			bad(f+".breaker.consecutive_failures", "must not be negative")
		}
		if a.RateLimit.PerSecond < 0 || a.RateLimit.Burst < 0 {
			bad(f+".rate_limit", "per_second and burst must not be negative")
		}
	}
	errs = append(errs, c.validateKeys()...)
	return errors.Join(errs...)
}

// account converts an entry to the carriers package's account configuration.
func (a AccountEntry) account() carriers.AccountConfig {
	creds := make(map[string]shipgate.Secret, len(a.Credentials))
	for k, v := range a.Credentials {
		creds[k] = shipgate.NewSecret(string(v))
	}
	return carriers.AccountConfig{
		ID: a.ID, Carrier: a.Carrier, BaseURL: a.BaseURL, Credentials: creds, Options: a.Options,
		Timeout:   a.Timeout.D(),
		Breaker:   carriers.BreakerConfig{ConsecutiveFailures: a.Breaker.ConsecutiveFailures, OpenFor: a.Breaker.OpenFor.D()},
		RateLimit: carriers.RateLimitConfig{PerSecond: a.RateLimit.PerSecond, Burst: a.RateLimit.Burst},
	}
}

// redactURL hides a URL's password.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
