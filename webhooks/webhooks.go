// Package webhooks delivers shipgate's events (tracker.updated,
// label.purchased, label.voided) to the URLs callers register: through a
// durable outbox in the store, so that none is lost across restarts; each
// delivery signed (Shipgate-Signature: HMAC-SHA256 of "<t>.<body>"), retried
// with exponential backoff and jitter for up to 24 hours, every attempt
// recorded; destinations on loopback or private addresses refused unless
// allowed (a server-side request forgery guard, checked again at connection
// time).
package webhooks

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shipgate/shipgate"
)

// Webhook is a registered destination.
type Webhook struct {
	ID     string   `json:"id"`
	URL    string   `json:"url"`
	Events []string `json:"events"`
	// Secret signs deliveries; it is shown once, when the webhook is created.
	Secret    string    `json:"secret,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Delivery statuses.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed" // gave up after the retry window
)

// Delivery is one event on its way to one webhook.
type Delivery struct {
	ID             string     `json:"id"`
	WebhookID      string     `json:"webhook_id"`
	EventID        string     `json:"event_id"`
	EventType      string     `json:"event_type"`
	Status         string     `json:"status"`
	Attempts       int        `json:"attempts"`
	NextAttemptAt  *time.Time `json:"next_attempt_at,omitempty"`
	LastStatusCode int        `json:"last_status_code,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	DeliveredAt    *time.Time `json:"delivered_at,omitempty"`
	History        []Attempt  `json:"attempt_history,omitempty"`
}

// Attempt is one try at a delivery.
type Attempt struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code,omitempty"`
	Error      string    `json:"error,omitempty"`
	DurationMS int64     `json:"duration_ms"`
}

// Claimed is a due delivery with what sending it needs.
type Claimed struct {
	Delivery Delivery
	URL      string
	Secret   string
	Event    shipgate.Event
}

// Store is what webhooks need from storage (store.DB implements it).
type Store interface {
	CreateWebhook(ctx context.Context, w *Webhook) error
	// GetWebhook returns a webhook with its secret. Errors: not_found.
	GetWebhook(ctx context.Context, id string) (*Webhook, error)
	ListWebhooks(ctx context.Context) ([]*Webhook, error)
	// DeleteWebhook removes a webhook and its pending deliveries. Errors: not_found.
	DeleteWebhook(ctx context.Context, id string) error
	// FanOut turns up to limit new events into one pending delivery per
	// subscribed webhook (registered before the event), and returns how
	// many events it took. Concurrent calls never take one event twice.
	FanOut(ctx context.Context, now time.Time, limit int) (int, error)
	// ClaimDeliveries reserves up to limit pending deliveries due at now until leaseUntil.
	ClaimDeliveries(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*Claimed, error)
	// RecordAttempt records an attempt and the delivery's new status and next attempt time.
	RecordAttempt(ctx context.Context, deliveryID string, a Attempt, status string, next *time.Time) error
	// ListDeliveries returns a webhook's deliveries, newest first, with their attempts.
	ListDeliveries(ctx context.Context, webhookID, cursor string, limit int) ([]*Delivery, string, error)
}

// Config tunes deliveries.
type Config struct {
	// AllowPrivate lets webhooks reach loopback and private addresses (tests, a private network).
	AllowPrivate bool
	// RetryBase is the first retry's delay (default 2s), doubled per attempt, with jitter.
	RetryBase time.Duration
	// RetryMax caps the delay between attempts (default 1h).
	RetryMax time.Duration
	// MaxAge is how long a delivery is retried (default 24h).
	MaxAge time.Duration
	// Timeout bounds one attempt (default 10s).
	Timeout time.Duration
	// Concurrency bounds attempts in flight (default 16).
	Concurrency int
	// Tick is how often the outbox is read (default 1s).
	Tick     time.Duration
	Now      func() time.Time
	Resolver *net.Resolver
	// Transport replaces the guarded transport (tests).
	Transport http.RoundTripper
}

// Service registers webhooks and delivers events.
type Service struct {
	store  Store
	cfg    Config
	client *http.Client
	log    *slog.Logger
	wake   chan struct{}
}

// New returns a Service.
func New(store Store, cfg Config, log *slog.Logger) *Service {
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = 2 * time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = time.Hour
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = 24 * time.Hour
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 16
	}
	if cfg.Tick <= 0 {
		cfg.Tick = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tr := cfg.Transport
	if tr == nil {
		tr = &http.Transport{
			DialContext:           guardedDialer(cfg.AllowPrivate).DialContext,
			TLSHandshakeTimeout:   5 * time.Second,
			ResponseHeaderTimeout: cfg.Timeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       60 * time.Second,
		}
	}
	client := &http.Client{
		Transport: tr,
		Timeout:   cfg.Timeout,
		// A redirect could point anywhere, the private network included:
		// it counts as a failed attempt.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Service{store: store, cfg: cfg, client: client, log: log, wake: make(chan struct{}, 1)}
}

// Create registers a webhook and returns it with its signing secret (shown
// this once). Errors: invalid_request (a bad URL, an unknown event, a
// private destination when those are not allowed).
func (s *Service) Create(ctx context.Context, rawURL string, events []string) (*Webhook, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, shipgate.FieldErrorf("url", "must be an absolute http(s) URL without credentials")
	}
	if len(rawURL) > 2048 {
		return nil, shipgate.FieldErrorf("url", "must be at most 2048 characters")
	}
	if !s.cfg.AllowPrivate {
		if err := checkHost(ctx, s.cfg.Resolver, u.Hostname()); err != nil {
			return nil, shipgate.FieldErrorf("url", "%v: webhooks may not target loopback or private networks (webhooks.allow_private_destinations)", err)
		}
	}
	if len(events) == 0 {
		return nil, shipgate.FieldErrorf("events", "name at least one of %s", strings.Join(shipgate.EventTypes, ", "))
	}
	var evs []string
	for i, e := range events {
		if !slices.Contains(shipgate.EventTypes, e) {
			return nil, shipgate.FieldErrorf(fmt.Sprintf("events[%d]", i), "unknown event %q (known: %s)", e, strings.Join(shipgate.EventTypes, ", "))
		}
		if !slices.Contains(evs, e) {
			evs = append(evs, e)
		}
	}
	var sec [24]byte
	_, _ = rand.Read(sec[:])
	w := &Webhook{ID: shipgate.NewID("whk_"), URL: u.String(), Events: evs, Secret: "whsec_" + hex.EncodeToString(sec[:]), CreatedAt: s.cfg.Now()}
	if err := s.store.CreateWebhook(ctx, w); err != nil {
		return nil, err
	}
	return w, nil
}

// Get returns a webhook without its secret. Errors: not_found.
func (s *Service) Get(ctx context.Context, id string) (*Webhook, error) {
	w, err := s.store.GetWebhook(ctx, id)
	if err != nil {
		return nil, err
	}
	w.Secret = ""
	return w, nil
}

// List returns every webhook without secrets.
func (s *Service) List(ctx context.Context) ([]*Webhook, error) {
	ws, err := s.store.ListWebhooks(ctx)
	for _, w := range ws {
		w.Secret = ""
	}
	return ws, err
}

// Delete removes a webhook. Errors: not_found.
func (s *Service) Delete(ctx context.Context, id string) error { return s.store.DeleteWebhook(ctx, id) }

// Deliveries lists a webhook's deliveries with their attempts. Errors: not_found.
func (s *Service) Deliveries(ctx context.Context, id, cursor string, limit int) ([]*Delivery, string, error) {
	if _, err := s.store.GetWebhook(ctx, id); err != nil {
		return nil, "", err
	}
	if limit <= 0 {
		limit = 50
	}
	return s.store.ListDeliveries(ctx, id, cursor, limit)
}

// Notify wakes the dispatcher (an event was just written).
func (s *Service) Notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run reads the outbox and delivers until ctx ends.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		if _, err := s.DeliverOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("webhook delivery round failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// DeliverOnce turns new events into deliveries and attempts every due
// delivery once. It returns how many attempts it made.
func (s *Service) DeliverOnce(ctx context.Context) (int, error) {
	for {
		n, err := s.store.FanOut(ctx, s.cfg.Now(), 500)
		if err != nil {
			return 0, err
		}
		if n < 500 {
			break
		}
	}
	now := s.cfg.Now()
	claimed, err := s.store.ClaimDeliveries(ctx, now, now.Add(s.cfg.Timeout+30*time.Second), 100)
	if err != nil {
		return 0, err
	}
	sem := make(chan struct{}, s.cfg.Concurrency)
	var wg sync.WaitGroup
	for _, c := range claimed {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			s.attempt(ctx, c)
		}()
	}
	wg.Wait()
	return len(claimed), nil
}

// payload is the JSON body of a delivery: the event.
func payload(ev shipgate.Event) ([]byte, error) { return json.Marshal(ev) }

func (s *Service) attempt(ctx context.Context, c *Claimed) {
	body, err := payload(c.Event)
	if err != nil {
		s.log.Error("webhook payload", "delivery", c.Delivery.ID, "err", err)
		return
	}
	start := s.cfg.Now()
	a := Attempt{At: start}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "shipgate-webhooks/1")
		req.Header.Set("Shipgate-Event-Id", c.Event.ID)
		req.Header.Set("Shipgate-Event-Type", c.Event.Type)
		req.Header.Set("Shipgate-Delivery-Id", c.Delivery.ID)
		req.Header.Set(SignatureHeader, Sign(c.Secret, start, body))
		var res *http.Response
		res, err = s.client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
			res.Body.Close()
			a.StatusCode = res.StatusCode
		}
	}
	a.DurationMS = s.cfg.Now().Sub(start).Milliseconds()
	if ctx.Err() != nil {
		return // shutting down: the lease runs out and the delivery is tried again
	}
	if err != nil {
		a.Error = redactURLError(err)
	}
	status, next := StatusPending, (*time.Time)(nil)
	switch {
	case err == nil && a.StatusCode >= 200 && a.StatusCode < 300:
		status = StatusDelivered
	default:
		if a.Error == "" {
			a.Error = fmt.Sprintf("the receiver answered %d", a.StatusCode)
		}
		at := start.Add(s.backoff(c.Delivery.Attempts + 1))
		if at.Sub(c.Delivery.CreatedAt) > s.cfg.MaxAge {
			status = StatusFailed
		} else {
			next = &at
		}
	}
	if err := s.store.RecordAttempt(context.WithoutCancel(ctx), c.Delivery.ID, a, status, next); err != nil {
		s.log.Warn("could not record a webhook attempt", "delivery", c.Delivery.ID, "err", err)
	}
}

// backoff is the delay before attempt n+1: RetryBase doubled per attempt up
// to RetryMax, with full jitter on its upper half.
func (s *Service) backoff(attempts int) time.Duration {
	d := s.cfg.RetryBase
	for i := 1; i < attempts && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, s.cfg.RetryMax)
	return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
}

// redactURLError keeps a transport error's reason without the URL's query.
func redactURLError(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}
