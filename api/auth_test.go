package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shipgate/shipgate/api"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/sandbox"
	"github.com/shipgate/shipgate/kv"
	"github.com/shipgate/shipgate/kv/kvtest"
	"github.com/shipgate/shipgate/labels"
	"github.com/shipgate/shipgate/rating"
	"github.com/shipgate/shipgate/store"
	"github.com/shipgate/shipgate/tracking"
	"github.com/shipgate/shipgate/webhooks"
)

// The test keys: one per scope.
const (
	ratesKey    = "sg_test_rates_0123456789"
	labelsKey   = "sg_test_labels_0123456789"
	trackingKey = "sg_test_tracking_0123456789"
	adminKey    = "sg_test_admin_0123456789"
)

func apiKey(name, secret string, scopes ...api.Scope) api.Key {
	return api.Key{Name: name, SHA256: sha256.Sum256([]byte(secret)), Scopes: scopes}
}

func testKeys() []api.Key {
	return []api.Key{
		apiKey("checkout", ratesKey, api.ScopeRates),
		apiKey("wms", labelsKey, api.ScopeLabels),
		apiKey("poller", trackingKey, api.ScopeTracking),
		apiKey("ops", adminKey, api.ScopeAdmin),
	}
}

// serverOption adjusts the configuration of newFullServer.
type serverOption func(*api.Config, *api.Deps)

// newFullServer returns an API with every route: a sandbox account (with a
// base URL and options, for GET /v1/carriers) and one that never answers;
// rates; labels, tracking and webhooks over SQLite (webhooks may reach
// loopback); metrics; the keys given (none: authentication off) and their
// rate limits in memory.
func newFullServer(t testing.TB, keys []api.Key, opts ...serverOption) *api.Server {
	t.Helper()
	db, err := store.Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "api.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	cfg := carriers.AccountConfig{ID: "sandbox", Carrier: "sandbox", BaseURL: "https://user:pw@sandbox.example/api?key=k",
		Options: map[string]any{"latency": "0s"}, Timeout: 5 * time.Second,
		Breaker: carriers.BreakerConfig{ConsecutiveFailures: 5, OpenFor: 30 * time.Second}}
	// "stuck" never answers: its purchases end in doubt.
	stuck := carriers.AccountConfig{ID: "stuck", Carrier: "sandbox", Options: map[string]any{"mode": "timeout"}, Timeout: 50 * time.Millisecond}
	reg := carriers.NewRegistry()
	for _, c := range []carriers.AccountConfig{cfg, stuck} {
		sb, err := sandbox.New(c, carriers.Env{})
		if err != nil {
			t.Fatal(err)
		}
		if err := reg.Register(carriers.NewEntry(c, sb)); err != nil {
			t.Fatal(err)
		}
	}
	rates := rating.New(reg, kv.NewMemory(), nil, rating.Config{Deadline: 2 * time.Second, QuoteTTL: time.Hour}, nil)
	lbl := labels.New(db, rates, reg, labels.Config{Wait: 10 * time.Second, PurchaseTimeout: 100 * time.Millisecond}, nil, nil)
	t.Cleanup(lbl.Close)
	metrics := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_, _ = w.Write([]byte("# HELP up 1\nup 1\n"))
	})
	trk := tracking.New(reg, db, tracking.Config{}, nil, nil)
	hooks := webhooks.New(db, webhooks.Config{AllowPrivate: true, RetryBase: time.Millisecond}, nil)
	c := api.Config{Keys: keys}
	d := api.Deps{Rates: rates, Accounts: reg, Labels: lbl, Tracking: trk, Webhooks: hooks, Metrics: metrics, Limits: kv.NewMemory()}
	for _, o := range opts {
		o(&c, &d)
	}
	return api.New(c, d)
}

// target fills a route's parameters with a value.
func target(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, ":") {
			parts[i] = "lbl_doesnotexist"
		}
	}
	return strings.Join(parts, "/")
}

func bearer(key string) []string { return []string{"Authorization", "Bearer " + key} }

// TestEveryRouteDeclaresAScope fails for a route registered without a scope
// (added outside Server.route).
func TestEveryRouteDeclaresAScope(t *testing.T) {
	s := newFullServer(t, testKeys())
	for _, r := range s.Routes() {
		if _, ok := s.RouteScope(r.Method, r.Path); !ok {
			t.Errorf("route %s %s declares no scope: register it with Server.route", r.Method, r.Path)
		}
	}
}

// TestAuthByScope is generated from the route list: every route, called
// without a key, with an unknown key and with a key of each scope, answers
// 401 or 403 exactly when it should, and never otherwise.
func TestAuthByScope(t *testing.T) {
	s := newFullServer(t, testKeys())
	keys := map[api.Scope]string{api.ScopeRates: ratesKey, api.ScopeLabels: labelsKey, api.ScopeTracking: trackingKey, api.ScopeAdmin: adminKey}
	holder := map[api.Scope]api.Key{}
	for _, k := range testKeys() {
		holder[k.Scopes[0]] = k
	}
	for _, r := range s.Routes() {
		scope, _ := s.RouteScope(r.Method, r.Path)
		body := ""
		if r.Method == http.MethodPost {
			body = "{}"
		}
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			path := target(r.Path)
			for _, tc := range []struct {
				name string
				hdr  []string
			}{
				{"no key", nil},
				{"unknown key", bearer("sg_live_not_a_key")},
				{"basic auth", []string{"Authorization", "Basic " + ratesKey}},
				{"empty bearer", []string{"Authorization", "Bearer "}},
			} {
				rec := do(t, s, r.Method, path, body, tc.hdr...)
				if scope == api.ScopePublic {
					if rec.Code == 401 || rec.Code == 403 {
						t.Errorf("%s: public route answered %d", tc.name, rec.Code)
					}
					continue
				}
				p := mustProblem(t, rec, http.StatusUnauthorized)
				if p.Code != "unauthorized" || !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s: %s %v", tc.name, rec.Body, rec.Header())
				}
			}
			for _, ks := range api.KeyScopes {
				rec := do(t, s, r.Method, path, body, bearer(keys[ks])...)
				k := holder[ks]
				switch {
				case k.Allows(scope) && (rec.Code == 401 || rec.Code == 403):
					t.Errorf("key with %s: %d %s", ks, rec.Code, rec.Body)
				case !k.Allows(scope):
					p := mustProblem(t, rec, http.StatusForbidden)
					if p.Code != "forbidden" || !strings.Contains(p.Detail, "needs the "+string(scope)+" scope") {
						t.Errorf("key with %s: %s", ks, rec.Body)
					}
					if h := rec.Header().Get("WWW-Authenticate"); !strings.Contains(h, `error="insufficient_scope"`) || !strings.Contains(h, `scope="`+string(scope)+`"`) {
						t.Errorf("WWW-Authenticate %q", h)
					}
				}
			}
		})
	}
}

func TestScopesOfTheIssue(t *testing.T) {
	s := newFullServer(t, testKeys())
	for _, tc := range []struct {
		method, path string
		want         api.Scope
	}{
		{"POST", "/v1/rates", api.ScopeRates},
		{"POST", "/v1/labels", api.ScopeLabels},
		{"POST", "/v1/labels/:id/void", api.ScopeLabels},
		{"GET", "/v1/labels", api.ScopeLabels},
		{"GET", "/v1/labels/:id", api.ScopeLabels},
		{"GET", "/v1/labels/:id/document", api.ScopeLabels},
		{"POST", "/v1/labels/:id/resolve", api.ScopeAdmin},
		{"GET", "/v1/tracking/:carrier/:number", api.ScopeTracking},
		{"POST", "/v1/tracking", api.ScopeTracking},
		{"POST", "/v1/trackers", api.ScopeTracking},
		{"GET", "/v1/trackers", api.ScopeTracking},
		{"GET", "/v1/trackers/:id", api.ScopeTracking},
		{"DELETE", "/v1/trackers/:id", api.ScopeTracking},
		{"POST", "/v1/webhooks", api.ScopeAdmin},
		{"GET", "/v1/webhooks", api.ScopeAdmin},
		{"GET", "/v1/webhooks/:id", api.ScopeAdmin},
		{"DELETE", "/v1/webhooks/:id", api.ScopeAdmin},
		{"GET", "/v1/webhooks/:id/deliveries", api.ScopeAdmin},
		{"GET", "/v1/carriers", api.ScopeAnyKey},
		{"GET", "/healthz", api.ScopePublic},
		{"GET", "/readyz", api.ScopePublic},
		{"GET", "/metrics", api.ScopePublic},
		{"GET", "/openapi.yaml", api.ScopePublic},
	} {
		if got, ok := s.RouteScope(tc.method, tc.path); !ok || got != tc.want {
			t.Errorf("%s %s: scope %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}

func TestBearerSchemeCaseAndWhichKey(t *testing.T) {
	var logs syncBuffer
	s := newFullServer(t, testKeys(), func(c *api.Config, _ *api.Deps) {
		c.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	})
	rec := do(t, s, "POST", "/v1/rates", quoteBody, "Authorization", "bearer "+ratesKey)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	// The request log names the key, never the key itself.
	var line map[string]any
	for _, l := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(l, `"msg":"request"`) {
			_ = json.Unmarshal([]byte(l), &line)
		}
	}
	if line["key"] != "checkout" || line["route"] != "/v1/rates" || line["status"] != float64(200) || line["request_id"] == "" || line["duration_ms"] == nil {
		t.Fatalf("request log %v", line)
	}
	if strings.Contains(logs.String(), ratesKey) {
		t.Fatal("the API key appears in the logs")
	}
	// A key that is a prefix or an extension of a valid one is not valid.
	for _, k := range []string{ratesKey[:len(ratesKey)-1], ratesKey + "0", strings.ToUpper(ratesKey)} {
		mustProblem(t, do(t, s, "POST", "/v1/rates", quoteBody, bearer(k)...), 401)
	}
}

func TestCarriersDetailsForAdminOnly(t *testing.T) {
	s := newFullServer(t, testKeys())
	type resp struct {
		Carriers []struct {
			ID       string
			Settings *struct {
				BaseURL     string `json:"base_url"`
				TimeoutMS   int    `json:"timeout_ms"`
				Credentials []string
				Options     []string
				Breaker     struct {
					ConsecutiveFailures int `json:"consecutive_failures"`
				}
			}
		}
		DetailsHidden bool `json:"details_hidden"`
	}
	get := func(key string) resp {
		rec := do(t, s, "GET", "/v1/carriers", "", bearer(key)...)
		if rec.Code != 200 {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		var r resp
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil || len(r.Carriers) != 2 || r.Carriers[0].ID != "sandbox" {
			t.Fatalf("%v %s", err, rec.Body)
		}
		if strings.Contains(rec.Body.String(), "pw@") || strings.Contains(rec.Body.String(), "key=k") {
			t.Fatalf("the base URL's secrets are shown: %s", rec.Body)
		}
		return r
	}
	for _, k := range []string{ratesKey, labelsKey, trackingKey} {
		if r := get(k); !r.DetailsHidden || r.Carriers[0].Settings != nil {
			t.Errorf("a non-admin key sees the details: %+v", r)
		}
	}
	r := get(adminKey)
	st := r.Carriers[0].Settings
	if r.DetailsHidden || st == nil || st.BaseURL != "https://sandbox.example/api" || st.TimeoutMS != 5000 ||
		st.Breaker.ConsecutiveFailures != 5 || len(st.Options) != 1 || st.Options[0] != "latency" || st.Credentials == nil {
		t.Fatalf("admin view %+v", st)
	}
}

// TestRateLimitPerKey runs a key's token bucket on a fake clock.
func TestRateLimitPerKey(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	slow := apiKey("slow", "sg_test_slow", api.ScopeAdmin)
	slow.PerSecond, slow.Burst = 0.4, 2 // a token every 2.5 s
	two := apiKey("two", "sg_test_two", api.ScopeAdmin)
	two.PerSecond = 2 // burst 4
	keys := append(testKeys(), slow, two)
	s := newFullServer(t, keys, func(c *api.Config, _ *api.Deps) { c.Now = clock })

	call := func(key string) *httptest.ResponseRecorder {
		return do(t, s, "GET", "/v1/carriers", "", bearer(key)...)
	}
	for i := 0; i < 2; i++ {
		if rec := call("sg_test_slow"); rec.Code != 200 {
			t.Fatalf("request %d within the burst: %d", i+1, rec.Code)
		}
	}
	rec := call("sg_test_slow")
	p := mustProblem(t, rec, http.StatusTooManyRequests)
	if p.Code != "rate_limited" || rec.Header().Get("Retry-After") != "3" || !strings.Contains(p.Detail, "slow") {
		t.Fatalf("over the limit: %s Retry-After %q", rec.Body, rec.Header().Get("Retry-After"))
	}
	// Other keys have buckets of their own; public routes take no token.
	if rec := call(adminKey); rec.Code != 200 {
		t.Fatalf("another key was limited: %d", rec.Code)
	}
	if rec := do(t, s, "GET", "/healthz", "", bearer("sg_test_slow")...); rec.Code != 200 {
		t.Fatalf("healthz limited: %d", rec.Code)
	}
	advance(2 * time.Second)
	mustProblem(t, call("sg_test_slow"), http.StatusTooManyRequests)
	advance(600 * time.Millisecond)
	if rec := call("sg_test_slow"); rec.Code != 200 {
		t.Fatalf("after the refill: %d %s", rec.Code, rec.Body)
	}

	// A key with a rate and no burst gets a burst of twice the rate.
	for i := 0; i < 4; i++ {
		if rec := call("sg_test_two"); rec.Code != 200 {
			t.Fatalf("burst of twice the rate: request %d answered %d", i+1, rec.Code)
		}
	}
	mustProblem(t, call("sg_test_two"), http.StatusTooManyRequests)

	// A key without a limit gets the default: a burst of 100, then 50/s.
	for i := 0; i < api.DefaultBurst; i++ {
		if rec := call(ratesKey); rec.Code != 200 {
			t.Fatalf("default burst: request %d answered %d", i+1, rec.Code)
		}
	}
	rec = call(ratesKey)
	mustProblem(t, rec, http.StatusTooManyRequests)
	if rec.Header().Get("Retry-After") != "1" {
		t.Fatalf("Retry-After %q, want 1 (20ms rounded up)", rec.Header().Get("Retry-After"))
	}
	advance(time.Second / api.DefaultRateLimit)
	if rec := call(ratesKey); rec.Code != 200 {
		t.Fatalf("after 1/50 s: %d", rec.Code)
	}
}

// failingBuckets fails (or, slow, blocks until its budget ends), counting calls.
type failingBuckets struct {
	slow  bool
	calls atomic.Int32
}

func (f *failingBuckets) TakeToken(ctx context.Context, _ string, _ float64, _ int, _ time.Time) (bool, time.Duration, error) {
	f.calls.Add(1)
	if f.slow {
		<-ctx.Done()
		return false, 0, ctx.Err()
	}
	return false, 0, errors.New("redis: connection refused")
}

// TestRateLimitFailsOpen: a failing or hanging store (Redis down) lets
// requests through, and is skipped for a second after it failed.
func TestRateLimitFailsOpen(t *testing.T) {
	for _, slow := range []bool{false, true} {
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		store := &failingBuckets{slow: slow}
		s := newFullServer(t, testKeys(), func(c *api.Config, d *api.Deps) { d.Limits, c.Now = store, func() time.Time { return now } })
		for i := 0; i < 3; i++ {
			if rec := do(t, s, "GET", "/v1/carriers", "", bearer(adminKey)...); rec.Code != 200 {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
		if n := store.calls.Load(); n != 1 {
			t.Fatalf("slow %v: the failing store was called %d times in its second off, want 1", slow, n)
		}
		now = now.Add(1100 * time.Millisecond)
		do(t, s, "GET", "/v1/carriers", "", bearer(adminKey)...)
		if n := store.calls.Load(); n != 2 {
			t.Fatalf("slow %v: the store was not tried again after a second (%d calls)", slow, n)
		}
	}
}

// TestBodyErrorsOverHTTP: through an authenticated server on a real socket,
// a 6 MiB body is 413 and malformed JSON 400, both problem+json, with and
// without a Content-Length.
func TestBodyErrorsOverHTTP(t *testing.T) {
	srv := httptest.NewServer(newFullServer(t, testKeys()))
	defer srv.Close()
	send := func(path, key, body string, chunked bool) (int, problem) {
		t.Helper()
		rd := strings.NewReader(body)
		req, _ := http.NewRequest("POST", srv.URL+path, rd)
		if chunked {
			req.ContentLength = -1
			req.Body = io.NopCloser(rd)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Idempotency-Key", "big-1")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var p problem
		_ = json.NewDecoder(res.Body).Decode(&p)
		if res.Header.Get("Content-Type") != "application/problem+json" || p.Code == "" || p.RequestID == "" {
			t.Fatalf("%d %v %+v", res.StatusCode, res.Header, p)
		}
		return res.StatusCode, p
	}
	big := `{"reference":"` + strings.Repeat("x", 6<<20) + `"}`
	for _, tc := range []struct{ path, key string }{{"/v1/labels", labelsKey}, {"/v1/rates", ratesKey}} {
		for _, chunked := range []bool{false, true} {
			if code, p := send(tc.path, tc.key, big, chunked); code != http.StatusRequestEntityTooLarge || p.Code != "invalid_request" {
				t.Fatalf("%s, 6 MiB (chunked %v): %d %+v", tc.path, chunked, code, p)
			}
		}
		if code, p := send(tc.path, tc.key, `{"rate_id": `, false); code != 400 || p.Code != "invalid_request" || !strings.Contains(p.Detail, "JSON") {
			t.Fatalf("%s, malformed: %d %+v", tc.path, code, p)
		}
	}
	// Authorization comes before the body is read.
	if code, p := send("/v1/rates", labelsKey, big, false); code != 403 {
		t.Fatalf("a labels key quoting with a big body: %d %+v", code, p)
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers (a logger).
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

// TestRateLimitSharedAcrossReplicas: two gateway processes sharing Redis
// share each key's bucket; with Redis gone, requests pass (fail open).
// It runs on miniredis, and on the real server too when
// SHIPGATE_TEST_REDIS_URL is set.
func TestRateLimitSharedAcrossReplicas(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	tight := apiKey("tight", "sg_test_tight", api.ScopeAdmin)
	tight.PerSecond, tight.Burst = 0.01, 3
	mini := kvtest.NewMini(t)
	stores := map[string]api.TokenBucket{"miniredis": mini.Store}
	if os.Getenv(kvtest.EnvRedisURL) != "" {
		stores["redis"] = kvtest.Real(t)
	}
	for name, store := range stores {
		t.Run(name, func(t *testing.T) {
			replica := func() *api.Server {
				return newFullServer(t, []api.Key{tight}, func(c *api.Config, d *api.Deps) { c.Now, d.Limits = clock, store })
			}
			a, b := replica(), replica()
			for i, s := range []*api.Server{a, b, a} {
				if rec := do(t, s, "GET", "/v1/carriers", "", bearer("sg_test_tight")...); rec.Code != 200 {
					t.Fatalf("request %d: %d %s", i+1, rec.Code, rec.Body)
				}
			}
			rec := do(t, b, "GET", "/v1/carriers", "", bearer("sg_test_tight")...)
			mustProblem(t, rec, http.StatusTooManyRequests)
			if rec.Header().Get("Retry-After") != "100" {
				t.Errorf("Retry-After %q, want 100", rec.Header().Get("Retry-After"))
			}
		})
	}
	mini.Stop()
	s := newFullServer(t, []api.Key{tight}, func(c *api.Config, d *api.Deps) { c.Now, d.Limits = clock, mini.Store })
	if rec := do(t, s, "GET", "/v1/carriers", "", bearer("sg_test_tight")...); rec.Code != 200 {
		t.Fatalf("with Redis down: %d %s", rec.Code, rec.Body)
	}
}
