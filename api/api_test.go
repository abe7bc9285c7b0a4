package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/shipgate/shipgate/api"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/breaker"
	"github.com/shipgate/shipgate/carriers/cache"
	"github.com/shipgate/shipgate/carriers/sandbox"
	"github.com/shipgate/shipgate/kv"
	"github.com/shipgate/shipgate/rating"
)

// newServer returns an API over sandbox accounts with the given options.
func newServer(t testing.TB, accounts map[string]map[string]any, checks ...api.Check) *api.Server {
	t.Helper()
	store := kv.NewMemory()
	c := cache.New(store, cache.Config{RatesTTL: time.Minute, StaleTTL: time.Hour}, nil)
	reg := carriers.NewRegistry()
	for _, id := range sortedKeys(accounts) {
		cfg := carriers.AccountConfig{ID: id, Carrier: "sandbox", Options: accounts[id]}
		sb, err := sandbox.New(cfg, carriers.Env{})
		if err != nil {
			t.Fatal(err)
		}
		e := carriers.NewEntry(cfg, sb)
		breaker.New(id, "sandbox", breaker.Settings{ConsecutiveFailures: 2, OpenFor: time.Hour, Timeout: time.Second}, nil).Decorate(e)
		c.Decorate(e)
		if err := reg.Register(e); err != nil {
			t.Fatal(err)
		}
	}
	rates := rating.New(reg, store, nil, rating.Config{Deadline: 500 * time.Millisecond}, nil)
	return api.New(api.Config{}, api.Deps{Rates: rates, Accounts: reg, Checks: checks})
}

func sortedKeys(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

const quoteBody = `{"shipment":{
  "from":{"name":"Warehouse","street1":"1000 Peachtree St NE","city":"Atlanta","state":"GA","postal_code":"30309","country":"US"},
  "to":{"name":"Jane Doe","street1":"500 Market St","city":"San Francisco","state":"CA","postal_code":"94105","country":"US","residential":true},
  "parcels":[{"weight":{"value":2.5,"unit":"lb"},"dimensions":{"length":12,"width":9,"height":4,"unit":"in"}}]}}`

func do(t testing.TB, h http.Handler, method, path, body string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	checkSpec(t, method, path, req.Header, body, rec)
	return rec
}

type problem struct {
	Type, Title, Detail, Instance, Code string
	Status                              int
	RequestID                           string `json:"request_id"`
	Errors                              []struct{ Field, Message string }
	CarrierErrors                       []map[string]any `json:"carrier_errors"`
}

func mustProblem(t *testing.T, rec *httptest.ResponseRecorder, status int) problem {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json", ct)
	}
	var p problem
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != status || p.Type == "" || p.Title == "" || p.Detail == "" || p.Code == "" || p.RequestID == "" {
		t.Fatalf("incomplete problem: %s", rec.Body)
	}
	return p
}

func TestQuote(t *testing.T) {
	s := newServer(t, map[string]map[string]any{"sandbox": nil})
	rec := do(t, s, "POST", "/v1/rates", quoteBody)
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var res struct {
		Rates []struct {
			ID, Service, Account string
			Total                struct{ Amount, Currency string }
			TransitDays          int  `json:"transit_days"`
			Cached               bool `json:"cached"`
		}
		Errors    []any
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Rates) != 3 || res.Errors == nil || res.RequestID == "" || res.RequestID != rec.Header().Get("X-Request-Id") {
		t.Fatalf("answer %s", rec.Body)
	}
	for _, r := range res.Rates {
		if !strings.HasPrefix(r.ID, "rate_") || r.Total.Currency != "USD" || !strings.Contains(r.Total.Amount, ".") {
			t.Errorf("rate %+v", r)
		}
	}
	again := do(t, s, "POST", "/v1/rates", quoteBody)
	if !strings.Contains(again.Body.String(), `"cached":true`) {
		t.Errorf("a repeated quote is not cached: %s", again.Body)
	}
}

func TestRequestIDKept(t *testing.T) {
	s := newServer(t, map[string]map[string]any{"sandbox": nil})
	rec := do(t, s, "POST", "/v1/rates", quoteBody, "X-Request-Id", "abc-123")
	if rec.Header().Get("X-Request-Id") != "abc-123" || !strings.Contains(rec.Body.String(), `"request_id":"abc-123"`) {
		t.Fatalf("request id not kept: %v %s", rec.Header(), rec.Body)
	}
}

func TestValidationErrors(t *testing.T) {
	s := newServer(t, map[string]map[string]any{"sandbox": nil})
	for _, tc := range []struct {
		name, body string
		status     int
		fields     []string
	}{
		{"missing shipment", `{}`, 400, []string{"shipment"}},
		{"missing postal code city and country", strings.Replace(strings.Replace(quoteBody, `"city":"San Francisco",`, "", 1), `"country":"US","residential"`, `"residential"`, 1), 400, []string{"shipment.to.city", "shipment.to.country"}},
		{"bad country", strings.Replace(quoteBody, `"country":"US","residential"`, `"country":"USA","residential"`, 1), 400, []string{"shipment.to.country"}},
		{"negative weight", strings.Replace(quoteBody, `"value":2.5`, `"value":-1`, 1), 400, []string{"shipment.parcels[0].weight.value"}},
		{"bad unit", strings.Replace(quoteBody, `"unit":"lb"`, `"unit":"stone"`, 1), 400, []string{"shipment.parcels[0].weight.unit"}},
		{"no parcels", strings.Replace(quoteBody, `"parcels":[{"weight":{"value":2.5,"unit":"lb"},"dimensions":{"length":12,"width":9,"height":4,"unit":"in"}}]`, `"parcels":[]`, 1), 400, []string{"shipment.parcels"}},
		{"bad ship date", strings.Replace(quoteBody, `"parcels"`, `"ship_date":"24/11/2026","parcels"`, 1), 400, []string{"shipment.ship_date"}},
		{"unknown field", strings.Replace(quoteBody, `{"shipment"`, `{"shipmnet":{},"shipment"`, 1), 400, []string{"shipmnet"}},
		{"wrong type", strings.Replace(quoteBody, `"value":2.5`, `"value":"heavy"`, 1), 400, []string{"shipment.parcels.weight.value"}},
		{"timeout out of range", strings.Replace(quoteBody, `{"shipment"`, `{"timeout_ms":-5,"shipment"`, 1), 400, []string{"timeout_ms"}},
		{"unknown carrier", strings.Replace(quoteBody, `{"shipment"`, `{"carriers":["nope"],"shipment"`, 1), 400, []string{"carriers[0]"}},
		{"malformed JSON", `{"shipment": {`, 400, nil},
		{"trailing data", `{} {}`, 400, nil},
		{"empty body", ``, 400, nil},
		{"not an object", `[1,2]`, 400, nil},
		{"carrier refuses postal code", strings.Replace(quoteBody, `"94105"`, `"ABCDE"`, 1), 422, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := mustProblem(t, do(t, s, "POST", "/v1/rates", tc.body), tc.status)
			got := map[string]bool{}
			for _, f := range p.Errors {
				got[f.Field] = true
				if f.Message == "" {
					t.Errorf("field %s has no message", f.Field)
				}
			}
			for _, f := range tc.fields {
				if !got[f] {
					t.Errorf("errors %+v do not name %s", p.Errors, f)
				}
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	s := newServer(t, map[string]map[string]any{"sandbox": nil})
	big := `{"shipment":{"reference":"` + strings.Repeat("x", 2<<20) + `"}}`
	p := mustProblem(t, do(t, s, "POST", "/v1/rates", big), http.StatusRequestEntityTooLarge)
	if p.Code != "invalid_request" {
		t.Errorf("code %s", p.Code)
	}
	// Without a Content-Length (chunked), the limit still holds.
	req := httptest.NewRequest("POST", "/v1/rates", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	mustProblem(t, rec, http.StatusRequestEntityTooLarge)
}

func TestAllCarriersFailing(t *testing.T) {
	s := newServer(t, map[string]map[string]any{"a": {"mode": "error"}, "b": {"mode": "429"}})
	p := mustProblem(t, do(t, s, "POST", "/v1/rates", quoteBody), http.StatusBadGateway)
	if len(p.CarrierErrors) != 2 {
		t.Fatalf("carrier_errors %+v", p.CarrierErrors)
	}
	for _, e := range p.CarrierErrors {
		if e["code"] == "" || e["retryable"] != true || e["account"] == "" {
			t.Errorf("carrier error %v", e)
		}
	}
}

func TestPartialFailureIs200(t *testing.T) {
	s := newServer(t, map[string]map[string]any{"good": nil, "bad": {"mode": "error"}})
	rec := do(t, s, "POST", "/v1/rates", quoteBody)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"account":"bad"`) || !strings.Contains(rec.Body.String(), `"code":"carrier_unavailable"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

func TestCarriersShowsOpenBreaker(t *testing.T) {
	s := newServer(t, map[string]map[string]any{"good": nil, "down": {"mode": "error"}})
	for i := 0; i < 3; i++ {
		do(t, s, "POST", "/v1/rates", strings.Replace(quoteBody, "30309", "3030"+string(rune('0'+i)), 1))
	}
	rec := do(t, s, "GET", "/v1/carriers", "")
	var res struct {
		Carriers []struct {
			ID           string
			Capabilities []string
			Services     []struct{ Code string }
			Breakers     map[string]string
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || len(res.Carriers) != 2 {
		t.Fatalf("%v %s", err, rec.Body)
	}
	for _, c := range res.Carriers {
		want := "closed"
		if c.ID == "down" {
			want = "open"
		}
		if c.Breakers["rates"] != want || len(c.Services) != 3 || len(c.Capabilities) == 0 {
			t.Errorf("%s: %+v, want rates breaker %s", c.ID, c, want)
		}
	}
}

func TestUnknownRouteAndMethod(t *testing.T) {
	s := newServer(t, map[string]map[string]any{"sandbox": nil})
	mustProblem(t, do(t, s, "GET", "/v1/nothing", ""), 404)
	mustProblem(t, do(t, s, "GET", "/v1/rates", ""), 405)
}

func TestReadyz(t *testing.T) {
	failing := func(context.Context) error { return errors.New("connection refused") }
	ok := func(context.Context) error { return nil }
	for _, tc := range []struct {
		name   string
		checks []api.Check
		status int
		state  string
	}{
		{"all up", []api.Check{{Name: "database", Critical: true, Check: ok}, {Name: "redis", Check: ok}}, 200, "ok"},
		{"redis down", []api.Check{{Name: "database", Critical: true, Check: ok}, {Name: "redis", Check: failing}}, 200, "degraded"},
		{"database down", []api.Check{{Name: "database", Critical: true, Check: failing}, {Name: "redis", Check: ok}}, 503, "down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, newServer(t, map[string]map[string]any{"sandbox": nil}, tc.checks...), "GET", "/readyz", "")
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), `"status":"`+tc.state+`"`) {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
}

func FuzzRatesBody(f *testing.F) {
	s := newServer(f, map[string]map[string]any{"sandbox": nil})
	for _, seed := range []string{quoteBody, `{}`, `{"shipment":null}`, `{"shipment":{"parcels":[{}]}}`, `[]`, `{"timeout_ms":1e99}`,
		`{"shipment":{"customs":{"items":[{"value":{"amount":"1.234","currency":"USD"}}]}}}`, "\x00"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", "/v1/rates", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != 502 && rec.Code != 504 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		if rec.Code != 200 && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("error without problem+json for %q", body)
		}
	})
}

// BenchmarkCachedQuote measures the cached-quote path through the handler,
// beside a bare echo handler returning a body of the same size.
func BenchmarkCachedQuote(b *testing.B) {
	s := newServer(b, map[string]map[string]any{"sandbox": nil})
	warm := do(b, s, "POST", "/v1/rates", quoteBody)
	if warm.Code != 200 {
		b.Fatal(warm.Body)
	}
	answer := warm.Body.Bytes()
	b.Run("shipgate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest("POST", "/v1/rates", strings.NewReader(quoteBody))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != 200 {
				b.Fatal(rec.Body)
			}
		}
	})
	b.Run("bare_echo", func(b *testing.B) {
		e := echo.New()
		e.POST("/v1/rates", func(c echo.Context) error { return c.JSONBlob(200, answer) })
		b.ReportAllocs()
		for b.Loop() {
			req := httptest.NewRequest("POST", "/v1/rates", strings.NewReader(quoteBody))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
		}
	})
}
