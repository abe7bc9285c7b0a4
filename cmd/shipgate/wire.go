package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/shipgate/shipgate/api"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/breaker"
	"github.com/shipgate/shipgate/carriers/cache"
	"github.com/shipgate/shipgate/carriers/dhl"
	"github.com/shipgate/shipgate/carriers/sandbox"
	"github.com/shipgate/shipgate/carriers/ups"
	"github.com/shipgate/shipgate/kv"
	"github.com/shipgate/shipgate/labels"
	"github.com/shipgate/shipgate/metrics"
	"github.com/shipgate/shipgate/rating"
	"github.com/shipgate/shipgate/store"
	"github.com/shipgate/shipgate/tracking"
	"github.com/shipgate/shipgate/webhooks"
)

// constructors is the table of carriers: the one place a new carrier is added.
var constructors = map[string]carriers.Constructor{
	sandbox.Name: func(c carriers.AccountConfig, env carriers.Env) (any, error) { return sandbox.New(c, env) },
	"dhl":        func(c carriers.AccountConfig, env carriers.Env) (any, error) { return dhl.New(c, env) },
	ups.Name:     func(c carriers.AccountConfig, env carriers.Env) (any, error) { return ups.New(c, env) },
}

func carrierNames() []string {
	var out []string
	for k := range constructors {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// App is one gateway process: its stores, carrier accounts, services and
// HTTP server. Tests start one on 127.0.0.1:0.
type App struct {
	cfg      *Config
	log      *slog.Logger
	metrics  *metrics.Metrics
	shared   kv.Store // Redis when configured, else local
	local    *kv.Memory
	registry *carriers.Registry
	rates    *rating.Service
	db       *store.DB
	labels   *labels.Service
	tracking *tracking.Service
	webhooks *webhooks.Service
	api      *api.Server
	ln       net.Listener
	srv      *http.Server
	closers  []func() error
}

// newApp builds the gateway from its configuration.
func newApp(ctx context.Context, cfg *Config, log *slog.Logger) (a *App, err error) {
	if err := checkExposure(cfg); err != nil {
		return nil, err
	}
	a = &App{cfg: cfg, log: log, metrics: metrics.New(), local: kv.NewMemory()}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	a.shared = a.local
	a.db, err = store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	checks := []api.Check{{Name: "database", Critical: true, Check: a.db.Ping}}
	if cfg.RedisURL != "" {
		r, err := kv.NewRedis(cfg.RedisURL)
		if err != nil {
			return nil, err
		}
		a.shared = r
		a.closers = append(a.closers, r.Close)
		checks = append(checks, api.Check{Name: "redis", Check: r.Ping})
	}

	httpClient := &http.Client{Transport: &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 5 * time.Second,
		ForceAttemptHTTP2:   true,
	}}
	var shared carriers.SharedStore
	if cfg.RedisURL != "" {
		shared = a.shared // OAuth tokens shared by every process
	}
	envFor := func(acct carriers.AccountConfig) carriers.Env {
		env := carriers.Env{HTTPClient: httpClient, Shared: shared, Observer: a.metrics, Logger: log}
		if acct.RateLimit.PerSecond > 0 {
			env.Limiter = &kv.Limiter{Store: a.shared, Key: "ratelimit:account:" + acct.ID, PerSecond: acct.RateLimit.PerSecond, Burst: acct.RateLimit.Burst}
		}
		return env
	}
	quoteCache := cache.New(a.shared, cache.Config{
		RatesTTL:    cfg.Rates.CacheTTL.D(),
		StaleTTL:    cfg.Rates.StaleTTL.D(),
		TrackingTTL: cfg.Tracking.trackingTTL,
	}, a.metrics)
	accounts := make([]carriers.AccountConfig, len(cfg.Accounts))
	for i, e := range cfg.Accounts {
		accounts[i] = e.account()
	}
	reg, err := carriers.Build(accounts, constructors, envFor, func(e *carriers.Entry) error {
		breaker.New(e.ID, e.Carrier, breaker.Settings{
			ConsecutiveFailures: e.Config.Breaker.ConsecutiveFailures,
			OpenFor:             e.Config.Breaker.OpenFor,
			Timeout:             e.Config.Timeout,
		}, a.metrics).Decorate(e)
		quoteCache.Decorate(e) // outside the breakers: cached answers never reach them
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfg.source, err)
	}
	a.registry = reg
	a.rates = rating.New(reg, a.shared, a.local, rating.Config{Deadline: cfg.Rates.Deadline.D(), QuoteTTL: cfg.Rates.QuoteTTL.D()}, log)

	purchaseTimeout := time.Minute
	for _, acct := range accounts {
		purchaseTimeout = max(purchaseTimeout, acct.Timeout)
	}
	a.labels = labels.New(a.db, a.rates, reg, labels.Config{
		PurchaseTimeout: purchaseTimeout,
		Lease:           purchaseTimeout + time.Minute,
	}, a.metrics, log)
	a.metrics.GaugeFunc("shipgate_labels_in_doubt", "Label purchases whose outcome is unknown (GET /v1/labels?status=in_doubt).", func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := a.labels.InDoubt(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	})

	a.tracking = tracking.New(reg, a.db, tracking.Config{
		PollInterval: cfg.Tracking.PollInterval.D(),
		Concurrency:  cfg.Tracking.Concurrency,
		Bypass:       cache.Bypass,
	}, a.metrics, log)
	a.webhooks = webhooks.New(a.db, webhooks.Config{
		AllowPrivate: cfg.Webhooks.AllowPrivateDestinations,
		RetryBase:    cfg.Webhooks.RetryBase.D(),
		MaxAge:       cfg.Webhooks.MaxAge.D(),
		Timeout:      cfg.Webhooks.Timeout.D(),
	}, log)

	a.api = api.New(api.Config{Logger: log, Keys: cfg.apiKeys()}, api.Deps{
		Rates: a.rates, Accounts: reg, Labels: a.labels, Tracking: a.tracking, Webhooks: a.webhooks,
		Observer: a.metrics, Metrics: a.metrics.Handler(), Checks: checks,
		Limits: a.shared, // API keys' rate limits: shared through Redis when configured
	})
	return a, nil
}

// Listen opens the listener (cfg.Addr may use port 0).
func (a *App) Listen() error {
	ln, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.cfg.Addr, err)
	}
	a.ln = ln
	return nil
}

// Addr is the address the app listens on, once Listen succeeded.
func (a *App) Addr() string { return a.ln.Addr().String() }

// Serve serves until ctx ends, then shuts down gracefully: it stops
// accepting, lets requests in flight finish (up to 15s) and closes.
func (a *App) Serve(ctx context.Context) error {
	a.srv = &http.Server{
		Handler:           a.api,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- a.srv.Serve(a.ln) }()
	// Background work: in-doubt purchases, tracker polling, webhook
	// deliveries. It stops after the server has drained.
	bg, stopBG := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, run := range []func(context.Context){a.labels.Run, a.tracking.Run, a.webhooks.Run} {
		wg.Add(1)
		go func() { defer wg.Done(); run(bg) }()
	}
	defer func() { stopBG(); wg.Wait() }()
	a.log.Info("shipgate listening", "addr", a.Addr(), "accounts", len(a.registry.Entries()), "redis", a.cfg.RedisURL != "")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	err := a.srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = a.srv.Close()
	}
	return err
}

// Close stops background work and releases the app's connections. Call it
// after Serve returned: purchases still in flight are then recorded in doubt.
func (a *App) Close() {
	if a.labels != nil {
		a.labels.Close()
	}
	if a.db != nil {
		_ = a.db.Close()
	}
	for _, c := range a.closers {
		_ = c()
	}
}
