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
}

// Server is the HTTP API.
type Server struct {
	e      *echo.Echo
	cfg    Config
	deps   Deps
	log    *slog.Logger
	valid  *validator.Validate
	parsed *parsedCache
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
		parsed: &parsedCache{m: map[[32]byte]*parsedRates{}, max: 10000}}
	s.e.HideBanner, s.e.HidePort = true, true
	s.e.HTTPErrorHandler = s.errorHandler
	s.e.Use(s.requestMiddleware)
	s.routes()
	return s
}

// routes lists every route of the API.
func (s *Server) routes() {
	e := s.e
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	if s.deps.Metrics != nil {
		e.GET("/metrics", echo.WrapHandler(s.deps.Metrics))
	}
	v1 := e.Group("/v1")
	v1.POST("/rates", s.postRates)
	v1.GET("/carriers", s.getCarriers)
	if s.deps.Labels != nil {
		v1.POST("/labels", s.postLabel)
		v1.GET("/labels", s.listLabels)
		v1.GET("/labels/:id", s.getLabel)
		v1.GET("/labels/:id/document", s.getLabelDocument)
		v1.POST("/labels/:id/void", s.voidLabel)
		v1.POST("/labels/:id/resolve", s.resolveLabel)
	}
	if s.deps.Tracking != nil {
		v1.GET("/tracking/:carrier/:number", s.getTracking)
		v1.POST("/tracking", s.postTracking)
		v1.POST("/trackers", s.postTracker)
		v1.GET("/trackers", s.listTrackers)
		v1.GET("/trackers/:id", s.getTracker)
		v1.DELETE("/trackers/:id", s.deleteTracker)
	}
	if s.deps.Webhooks != nil {
		v1.POST("/webhooks", s.postWebhook)
		v1.GET("/webhooks", s.listWebhooks)
		v1.GET("/webhooks/:id", s.getWebhook)
		v1.DELETE("/webhooks/:id", s.deleteWebhook)
		v1.GET("/webhooks/:id/deliveries", s.listDeliveries)
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
				slog.String("request_id", id), slog.String("method", req.Method), slog.String("route", route),
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
