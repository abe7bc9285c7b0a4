// Package api is shipgate's HTTP API on echo: every route in one function,
// handlers that decode and validate request bodies into DTOs, call the
// services through small interfaces declared here, and answer JSON; one error
// handler writes every error as RFC 9457 application/problem+json with the
// status from one table. echo.Context never leaves this package.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"

	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/rating"
)

// RateShopper quotes rates (rating.Service).
type RateShopper interface {
	Shop(ctx context.Context, req *rating.Request) (*rating.Result, error)
}

// AccountLister lists the configured carrier accounts (carriers.Registry).
type AccountLister interface {
	Entries() []*carriers.Entry
}

// Observer records API requests (metrics).
type Observer interface {
	ObserveHTTP(method, route string, status int, d time.Duration)
}

// Check is one readiness check. A failing critical check makes /readyz
// answer 503; a failing non-critical one (the cache) only "degraded".
type Check struct {
	Name     string
	Critical bool
	Check    func(ctx context.Context) error
}

// Config configures the server.
type Config struct {
	// BodyLimit bounds request bodies (default 1 MiB); larger ones get 413.
	BodyLimit int64
	Logger    *slog.Logger
	// Keys are the API keys (auth.go). None: authentication is off, which
	// cmd/shipgate allows only on a loopback address.
	Keys []Key
	// Now is the clock of the rate limits (default time.Now).
	Now func() time.Time
}

// Deps are the services the API serves.
type Deps struct {
	Rates    RateShopper
	Accounts AccountLister
	Labels   LabelService
	Tracking TrackingService
	Webhooks WebhookService
	Observer Observer
	// Metrics serves /metrics (nil: no metrics route).
	Metrics http.Handler
	Checks  []Check
	// Limits holds the API keys' token buckets (nil: no rate limits).
	Limits TokenBucket
}

// Server is the HTTP API.
type Server struct {
	e      *echo.Echo
	cfg    Config
	deps   Deps
	log    *slog.Logger
	valid  *validator.Validate
	parsed *parsedCache
	// scopes maps "METHOD /path" to the scope the route requires; known
	// lists every route echo serves, to refuse one that declares no scope.
	scopes map[string]Scope
	known  map[string]bool
	// limitsDown is when (unix ns) the failing rate-limit store may be tried again.
	limitsDown atomic.Int64
}

// New returns the API server.
func New(cfg Config, deps Deps) *Server {
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 1 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{e: echo.New(), cfg: cfg, deps: deps, log: cfg.Logger, valid: newValidator(),
		parsed: &parsedCache{m: map[[32]byte]*parsedRates{}, max: 10000},
		scopes: map[string]Scope{}, known: map[string]bool{}}
	s.e.HideBanner, s.e.HidePort = true, true
	s.e.HTTPErrorHandler = s.errorHandler
	s.e.Use(s.requestMiddleware, s.authenticate)
	s.routes()
	for _, r := range s.e.Routes() {
		s.known[r.Method+" "+r.Path] = true
	}
	return s
}

// routes lists every route of the API, each with the scope its caller's API
// key needs (auth.go).
func (s *Server) routes() {
	const get, post, del = http.MethodGet, http.MethodPost, http.MethodDelete
	s.route(get, "/healthz", s.healthz, ScopePublic)
	s.route(get, "/readyz", s.readyz, ScopePublic)
	s.route(get, "/openapi.yaml", s.openAPI, ScopePublic)
	if s.deps.Metrics != nil {
		s.route(get, "/metrics", echo.WrapHandler(s.deps.Metrics), ScopePublic)
	}
	s.route(post, "/v1/rates", s.postRates, ScopeRates)
	s.route(get, "/v1/carriers", s.getCarriers, ScopeAnyKey)
	if s.deps.Labels != nil {
		s.route(post, "/v1/labels", s.postLabel, ScopeLabels)
		s.route(get, "/v1/labels", s.listLabels, ScopeLabels)
		s.route(get, "/v1/labels/:id", s.getLabel, ScopeLabels)
		s.route(get, "/v1/labels/:id/document", s.getLabelDocument, ScopeLabels)
		s.route(post, "/v1/labels/:id/void", s.voidLabel, ScopeLabels)
		s.route(post, "/v1/labels/:id/resolve", s.resolveLabel, ScopeAdmin)
	}
	if s.deps.Tracking != nil {
		s.route(get, "/v1/tracking/:carrier/:number", s.getTracking, ScopeTracking)
		s.route(post, "/v1/tracking", s.postTracking, ScopeTracking)
		s.route(post, "/v1/trackers", s.postTracker, ScopeTracking)
		s.route(get, "/v1/trackers", s.listTrackers, ScopeTracking)
		s.route(get, "/v1/trackers/:id", s.getTracker, ScopeTracking)
		s.route(del, "/v1/trackers/:id", s.deleteTracker, ScopeTracking)
	}
	if s.deps.Webhooks != nil {
		s.route(post, "/v1/webhooks", s.postWebhook, ScopeAdmin)
		s.route(get, "/v1/webhooks", s.listWebhooks, ScopeAdmin)
		s.route(get, "/v1/webhooks/:id", s.getWebhook, ScopeAdmin)
		s.route(del, "/v1/webhooks/:id", s.deleteWebhook, ScopeAdmin)
		s.route(get, "/v1/webhooks/:id/deliveries", s.listDeliveries, ScopeAdmin)
	}
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.e.ServeHTTP(w, r) }

// Routes returns every method and path the server serves (the OpenAPI test walks it).
func (s *Server) Routes() []*echo.Route { return s.e.Routes() }

type ctxKey int

const (
	requestIDKey ctxKey = iota
	principalKey
)

// Principal returns the name of the API key that authenticated the request
// ("" when authentication is off). Idempotency keys are scoped by it.
func Principal(ctx context.Context) string {
	p, _ := ctx.Value(principalKey).(string)
	return p
}

// RequestID returns the request id of a request's context.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func requestID(c echo.Context) string { return RequestID(c.Request().Context()) }

// requestMiddleware gives every request an id (X-Request-Id, kept when the
// caller sends a sane one), recovers panics into a 500 problem, and logs and
// measures the request.
func (s *Server) requestMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		start := time.Now()
		req := c.Request()
		id := req.Header.Get(echo.HeaderXRequestID)
		if !saneID(id) {
			id = newID()
		}
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		c.SetRequest(req.WithContext(context.WithValue(req.Context(), requestIDKey, id)))
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("panic serving request", "request_id", id, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = fmt.Errorf("panic: %v", r)
			}
			if err != nil {
				c.Error(err)
				err = nil
			}
			status := c.Response().Status
			route := c.Path()
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			if s.deps.Observer != nil {
				s.deps.Observer.ObserveHTTP(req.Method, route, status, d)
			}
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			s.log.LogAttrs(req.Context(), level, "request",
				slog.String("request_id", id), slog.String("key", Principal(c.Request().Context())),
				slog.String("method", req.Method), slog.String("route", route),
				slog.Int("status", status), slog.Float64("duration_ms", float64(d.Microseconds())/1000))
		}()
		return next(c)
	}
}

func saneID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
