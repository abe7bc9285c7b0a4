package dhl_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/dhl"
	"github.com/shipgate/shipgate/carriers/dhl/dhlsim"
	"github.com/shipgate/shipgate/internal/openapitest"
)

// specFile is the official DHL document, relative to the carrier specs folder.
const specFile = "dhl-express/dpdhl-express-api-3.3.1.yaml"

var (
	specOnce sync.Once
	spec     *openapitest.Spec
	specErr  error
)

// dhlSpec loads the DHL spec once per test binary (it is 1.2 MB), skipping
// the test when the specs folder is absent.
func dhlSpec(t testing.TB) *openapitest.Spec {
	t.Helper()
	dir, ok := openapitest.CarrierSpecsDir()
	if !ok {
		t.Skipf("carrier specs not found: skipping validation against %s", specFile)
	}
	specOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join(dir, specFile))
		if err != nil {
			specErr = err
			return
		}
		spec, specErr = openapitest.Parse(b)
	})
	if specErr != nil {
		t.Fatalf("load %s: %v", specFile, specErr)
	}
	return spec
}

// clock is a settable clock shared by the simulator and the adapter.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

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

// start is a Monday afternoon in UTC: every test's "now".
var start = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// recorded is one request the adapter sent.
type recorded struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// recorder keeps every request on its way to the simulator.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	reqs []recorded
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Header: req.Header.Clone(), Body: body})
	r.mu.Unlock()
	r.next.ServeHTTP(w, req)
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

// env is one simulator, its recorder and a way to build adapters on it.
type env struct {
	clock *clock
	sim   *dhlsim.Server
	rec   *recorder
	srv   *httptest.Server
}

// newEnv starts a simulator at start and, when the test ends, validates every
// request an adapter sent against the official DHL schema.
func newEnv(t *testing.T, opts ...dhlsim.Option) *env {
	t.Helper()
	e := &env{clock: newClock(start)}
	e.sim = dhlsim.New(append([]dhlsim.Option{dhlsim.WithClock(e.clock.Now)}, opts...)...)
	e.rec = &recorder{next: e.sim}
	e.srv = httptest.NewServer(e.rec)
	t.Cleanup(e.srv.Close)
	t.Cleanup(func() { validateRequests(t, e.rec.all()) })
	return e
}

// validateRequests checks each recorded request against the spec: path,
// method, required headers (x-version), query parameters and body schema.
func validateRequests(t *testing.T, reqs []recorded) {
	t.Helper()
	if len(reqs) == 0 {
		return
	}
	s := dhlSpec(t)
	for _, r := range reqs {
		req := openapitest.RequestFromRecord(r.Method, r.Path, r.Header, r.Body)
		req.URL.RawQuery = r.Query
		if err := s.ValidateRequest(req); err != nil {
			t.Errorf("%s %s?%s does not follow the DHL spec: %v\nbody: %s", r.Method, r.Path, r.Query, err, r.Body)
		}
	}
}

// config is the account configuration of an adapter on the simulator.
func (e *env) config() carriers.AccountConfig {
	return carriers.AccountConfig{
		ID: "dhl-test", Carrier: dhl.Carrier, BaseURL: e.srv.URL,
		Credentials: map[string]shipgate.Secret{
			"username":       shipgate.NewSecret(dhlsim.DefaultUsername),
			"password":       shipgate.NewSecret(dhlsim.DefaultPassword),
			"account_number": shipgate.NewSecret(dhlsim.DefaultAccountNumber),
		},
	}
}

func (e *env) client(t testing.TB) *dhl.Client {
	t.Helper()
	return mustClient(t, e.config(), carriers.Env{Now: e.clock.Now})
}

func mustClient(t testing.TB, cfg carriers.AccountConfig, env carriers.Env) *dhl.Client {
	t.Helper()
	c, err := dhl.New(cfg, env)
	if err != nil {
		t.Fatalf("dhl.New: %v", err)
	}
	return c
}
