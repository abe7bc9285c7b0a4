package ups_test

import (
	"bytes"
	"flag"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/ups"
	"github.com/shipgate/shipgate/carriers/ups/upssim"
	"github.com/shipgate/shipgate/kv"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// clock is a fake clock shared by the simulator and the adapter.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2025, time.March, 11, 14, 30, 0, 0, time.UTC)} // a Tuesday
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixture is a simulator on a loopback port and what adapters need to use it.
type fixture struct {
	sim   *upssim.Server
	url   string
	clock *clock
	logs  *syncBuffer
	store carriers.SharedStore
}

func newFixture(t *testing.T, opts ...upssim.Option) *fixture {
	t.Helper()
	f := &fixture{clock: newClock(), logs: &syncBuffer{}, store: kv.NewMemory()}
	f.sim = upssim.New(append([]upssim.Option{upssim.WithClock(f.clock.Now)}, opts...)...)
	srv := httptest.NewServer(f.sim)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

func (f *fixture) config() carriers.AccountConfig {
	return carriers.AccountConfig{
		ID: "ups-test", Carrier: "ups", BaseURL: f.url,
		Credentials: map[string]shipgate.Secret{
			"client_id":      shipgate.NewSecret(upssim.DefaultClientID),
			"client_secret":  shipgate.NewSecret(upssim.DefaultClientSecret),
			"account_number": shipgate.NewSecret(upssim.DefaultAccountNumber),
		},
		Options: map[string]any{},
		Timeout: 10 * time.Second,
	}
}

func (f *fixture) env() carriers.Env {
	return carriers.Env{
		Shared: f.store,
		Logger: slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    f.clock.Now,
	}
}

// client returns an adapter pointing at the simulator; mod may change its
// configuration first.
func (f *fixture) client(t *testing.T, mod ...func(*carriers.AccountConfig, *carriers.Env)) *ups.Client {
	t.Helper()
	cfg, env := f.config(), f.env()
	for _, m := range mod {
		m(&cfg, &env)
	}
	c, err := ups.New(cfg, env)
	if err != nil {
		t.Fatalf("ups.New: %v", err)
	}
	return c
}

// revokingTransport revokes every token of the simulator before each API
// call goes through: UPS refusing whatever token the adapter holds.
type revokingTransport struct {
	sim *upssim.Server
	mu  sync.Mutex
	n   int
}

func (r *revokingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasPrefix(req.URL.Path, "/api/") {
		r.mu.Lock()
		r.n++
		r.mu.Unlock()
		r.sim.RevokeTokens()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (r *revokingTransport) client() *http.Client { return &http.Client{Transport: r} }

func (r *revokingTransport) apiCalls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}
