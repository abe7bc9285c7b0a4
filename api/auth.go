package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/shipgate/shipgate"
)

// Scope is what a route requires of the API key that calls it. Every route
// declares one when it is registered (Server.route); a route without one is
// refused at run time and fails TestEveryRouteDeclaresAScope.
type Scope string

// The scopes an API key can hold, and the two route-only requirements.
const (
	// ScopeRates quotes: POST /v1/rates.
	ScopeRates Scope = "rates"
	// ScopeLabels buys, reads, reprints and voids labels.
	ScopeLabels Scope = "labels"
	// ScopeTracking tracks shipments and manages trackers.
	ScopeTracking Scope = "tracking"
	// ScopeAdmin implies every other scope; it alone manages webhooks,
	// resolves labels in doubt and sees carrier account details.
	ScopeAdmin Scope = "admin"

	// ScopePublic marks a route that needs no key (/healthz, /readyz,
	// /metrics, /openapi.yaml). It cannot be given to a key.
	ScopePublic Scope = "public"
	// ScopeAnyKey marks a route that any valid key may call (GET
	// /v1/carriers). It cannot be given to a key.
	ScopeAnyKey Scope = "any"
)

// KeyScopes lists the scopes an API key can hold, in order.
var KeyScopes = []Scope{ScopeRates, ScopeLabels, ScopeTracking, ScopeAdmin}

// ParseScope returns the key scope named s, or an error listing the valid ones.
func ParseScope(s string) (Scope, error) {
	if slices.Contains(KeyScopes, Scope(s)) {
		return Scope(s), nil
	}
	return "", fmt.Errorf("unknown scope %q (want rates, labels, tracking or admin)", s)
}

// Key is one configured API key: its name (logged, and scoping idempotency
// keys), the SHA-256 of the secret key, what it may do and how fast.
type Key struct {
	Name   string
	SHA256 [sha256.Size]byte
	Scopes []Scope
	// PerSecond and Burst size the key's token bucket (0: DefaultRateLimit;
	// a burst of twice the rate, at least 1).
	PerSecond float64
	Burst     int
}

// Allows reports whether the key holds scope (admin holds them all).
func (k *Key) Allows(scope Scope) bool {
	switch scope {
	case ScopePublic, ScopeAnyKey:
		return true
	}
	return slices.Contains(k.Scopes, scope) || slices.Contains(k.Scopes, ScopeAdmin)
}

// The rate limit of a key that sets none: 50 requests per second, bursts
// of 100. A key that sets only per_second gets a burst of twice that.
const (
	DefaultRateLimit = 50
	DefaultBurst     = 2 * DefaultRateLimit
)

// TokenBucket takes tokens from named token buckets (kv.Store: shared through
// Redis when configured, so the limit holds across every replica).
type TokenBucket interface {
	TakeToken(ctx context.Context, key string, rate float64, burst int, now time.Time) (bool, time.Duration, error)
}

type authKey struct{}

// authOff stands for the caller when no keys are configured: loopback only
// (cmd/shipgate refuses anything else), so it may do everything.
var authOff = &Key{Scopes: []Scope{ScopeAdmin}}

// caller returns the key that authenticated the request.
func caller(ctx context.Context) *Key {
	if k, ok := ctx.Value(authKey{}).(*Key); ok {
		return k
	}
	return authOff
}

// route registers a route with the scope it requires: the only way routes
// are added, so that none escapes authorization.
func (s *Server) route(method, path string, h echo.HandlerFunc, scope Scope) {
	if scope == "" {
		panic("api: route " + method + " " + path + " declares no scope")
	}
	s.e.Add(method, path, h)
	s.scopes[method+" "+path] = scope
}

// RouteScope returns the scope a route (as echo writes it, "/v1/labels/:id")
// requires; ok is false for a route registered without one.
func (s *Server) RouteScope(method, path string) (scope Scope, ok bool) {
	scope, ok = s.scopes[method+" "+path]
	return scope, ok
}

// authenticate runs after routing: it finds the route's scope, the caller's
// key (Authorization: Bearer KEY), checks the scope and takes a token from the
// key's bucket. With no keys configured every request passes (loopback only).
// A route registered without a scope is refused, never served openly.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		scope, ok := s.scopes[req.Method+" "+c.Path()]
		if !ok {
			if s.known[req.Method+" "+c.Path()] {
				return fmt.Errorf("route %s %s was registered without a scope", req.Method, c.Path())
			}
			return next(c) // no such route: 404 or 405
		}
		if scope == ScopePublic || len(s.cfg.Keys) == 0 {
			return next(c)
		}
		key := s.keyOf(req.Header.Get(echo.HeaderAuthorization))
		if key == nil {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="shipgate"`)
			msg := "an API key is required: send Authorization: Bearer KEY"
			if req.Header.Get(echo.HeaderAuthorization) != "" {
				c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="shipgate", error="invalid_token"`)
				msg = "the API key is not valid"
			}
			return shipgate.Errorf(shipgate.CodeUnauthorized, "%s", msg)
		}
		ctx := context.WithValue(req.Context(), authKey{}, key)
		ctx = context.WithValue(ctx, principalKey, key.Name)
		c.SetRequest(req.WithContext(ctx))
		if err := s.takeToken(c, key); err != nil {
			return err
		}
		if !key.Allows(scope) {
			c.Response().Header().Set(echo.HeaderWWWAuthenticate, fmt.Sprintf(`Bearer realm="shipgate", error="insufficient_scope", scope="%s"`, scope))
			return shipgate.Errorf(shipgate.CodeForbidden, "%s %s needs the %s scope; the key %q has %s",
				req.Method, c.Path(), scope, key.Name, scopeList(key.Scopes))
		}
		return next(c)
	}
}

func scopeList(ss []Scope) string {
	if len(ss) == 0 {
		return "no scope"
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}

// keyOf returns the configured key whose hash matches the bearer token in
// header, or nil. The presented key is hashed and compared with every
// configured hash in constant time, without stopping at a match, so timing
// tells nothing about the keys.
func (s *Server) keyOf(header string) *Key {
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return nil
	}
	sum := sha256.Sum256([]byte(token))
	match := -1
	for i := range s.cfg.Keys {
		eq := subtle.ConstantTimeCompare(sum[:], s.cfg.Keys[i].SHA256[:])
		match = subtle.ConstantTimeSelect(eq, i, match)
	}
	if match < 0 {
		return nil
	}
	return &s.cfg.Keys[match]
}

// The rate-limit store's budget per request, and how long a failing store is
// skipped (as the cache does).
const (
	limitsBudget = 50 * time.Millisecond
	limitsBypass = time.Second
)

// takeToken applies the key's rate limit: 429 with Retry-After once its
// bucket is empty. A failing or slow store lets the request through (the
// limit fails open, like the cache), logged, and is skipped for a second.
func (s *Server) takeToken(c echo.Context, k *Key) error {
	if s.deps.Limits == nil {
		return nil
	}
	now := s.now()
	if now.UnixNano() < s.limitsDown.Load() {
		return nil
	}
	rate, burst := k.PerSecond, k.Burst
	if rate <= 0 {
		rate = DefaultRateLimit
	}
	if burst <= 0 {
		burst = max(1, int(math.Ceil(2*rate)))
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), limitsBudget)
	defer cancel()
	ok, wait, err := s.deps.Limits.TakeToken(ctx, "ratelimit:apikey:"+k.Name, rate, burst, now)
	if err != nil {
		s.limitsDown.Store(now.Add(limitsBypass).UnixNano())
		s.log.WarnContext(c.Request().Context(), "rate limit store failing: requests let through for a second", "key", k.Name, "err", err)
		return nil
	}
	if ok {
		return nil
	}
	return &shipgate.Error{Code: shipgate.CodeRateLimited, RetryAfter: wait,
		Message: fmt.Sprintf("the API key %q exceeded its rate limit of %g requests per second (burst %d)", k.Name, rate, burst)}
}

func (s *Server) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}
