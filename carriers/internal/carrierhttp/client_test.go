package carrierhttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/internal/carrierhttp"
	"github.com/shipgate/shipgate/kv"
)

type calls struct {
	mu sync.Mutex
	c  []carriers.Call
}

func (o *calls) ObserveCall(c carriers.Call) { o.mu.Lock(); o.c = append(o.c, c); o.mu.Unlock() }

func newClient(t *testing.T, h http.HandlerFunc, logs *bytes.Buffer) (*carrierhttp.Client, *calls) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL + "/api")
	obs := &calls{}
	if logs == nil {
		logs = &bytes.Buffer{}
	}
	return &carrierhttp.Client{
		Carrier: "Acme", Name: "acme", Account: "acme-1", BaseURL: u, HTTP: srv.Client(), Observer: obs,
		Logger:    slog.New(slog.NewTextHandler(logs, nil)),
		RetryBase: time.Millisecond,
		ParseError: func(status int, body []byte) (string, string) {
			var e struct{ Code, Message string }
			_ = json.Unmarshal(body, &e)
			return e.Code, e.Message
		},
		Redactor: carrierhttp.NewRedactor("s3cr3t-value"),
	}, obs
}

func TestDoJSON(t *testing.T) {
	c, obs := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/rate/v1" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad", 400)
			return
		}
		var in map[string]string
		_ = json.NewDecoder(r.Body).Decode(&in)
		_ = json.NewEncoder(w).Encode(map[string]string{"echo": in["ping"]})
	}, nil)
	var out struct{ Echo string }
	if _, err := c.Do(context.Background(), &carrierhttp.Request{Op: carriers.OpRates, Method: "POST", Path: "/rate/v1", Body: map[string]string{"ping": "pong"}}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Echo != "pong" {
		t.Fatalf("out = %+v", out)
	}
	if len(obs.c) != 1 || obs.c[0].Operation != "rates" || obs.c[0].Outcome != "ok" || obs.c[0].Account != "acme-1" {
		t.Fatalf("observed %+v", obs.c)
	}
}

func TestCarrierErrors(t *testing.T) {
	for _, tc := range []struct {
		status int
		want   shipgate.Code
	}{
		{400, shipgate.CodeCarrierRejected},
		{404, shipgate.CodeCarrierRejected},
		{422, shipgate.CodeCarrierRejected},
		{401, shipgate.CodeCarrierUnavailable},
		{429, shipgate.CodeRateLimited},
		{500, shipgate.CodeCarrierUnavailable},
		{503, shipgate.CodeCarrierUnavailable},
		{504, shipgate.CodeCarrierTimeout},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			c, obs := newClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				fmt.Fprint(w, `{"code":"E42","message":"postal code invalid"}`)
			}, nil)
			_, err := c.Do(context.Background(), &carrierhttp.Request{Op: carriers.OpLabels, Method: "POST", Path: "/x"}, nil)
			se := shipgate.AsError(err)
			if se.Code != tc.want {
				t.Fatalf("code %s, want %s", se.Code, tc.want)
			}
			if se.Carrier == nil || se.Carrier.Code != "E42" || se.Carrier.Message != "postal code invalid" || se.Carrier.HTTPStatus != tc.status {
				t.Fatalf("carrier detail %+v", se.Carrier)
			}
			if !strings.Contains(se.Message, "Acme") {
				t.Errorf("message %q does not name the carrier", se.Message)
			}
			if len(obs.c) != 1 || obs.c[0].Outcome != string(tc.want) {
				t.Errorf("observed %+v (a purchase is never retried)", obs.c)
			}
		})
	}
}

func TestRetriesOnlyIdempotent(t *testing.T) {
	var hits atomic.Int64
	c, obs := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) < 3 {
			w.WriteHeader(503)
			return
		}
		fmt.Fprint(w, `{}`)
	}, nil)
	if _, err := c.Do(context.Background(), &carrierhttp.Request{Op: carriers.OpTracking, Method: "GET", Path: "/t", Idempotent: true}, nil); err != nil {
		t.Fatalf("a read was not retried to success: %v", err)
	}
	if hits.Load() != 3 || len(obs.c) != 3 {
		t.Fatalf("hits %d, observed %d; want 3 and 3 (each attempt is a carrier call)", hits.Load(), len(obs.c))
	}
	hits.Store(0)
	if _, err := c.Do(context.Background(), &carrierhttp.Request{Op: carriers.OpLabels, Method: "POST", Path: "/ship"}, nil); err == nil {
		t.Fatal("a purchase succeeded after a 503: it must not be retried")
	}
	if hits.Load() != 1 {
		t.Fatalf("a purchase was sent %d times", hits.Load())
	}
}

func TestNoRetryOnRejection(t *testing.T) {
	var hits atomic.Int64
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1); w.WriteHeader(400) }, nil)
	_, _ = c.Do(context.Background(), &carrierhttp.Request{Op: carriers.OpRates, Method: "POST", Path: "/r", Idempotent: true}, nil)
	if hits.Load() != 1 {
		t.Fatalf("a 400 was retried (%d hits)", hits.Load())
	}
}

func TestRetryAfterBeyondDeadlineStops(t *testing.T) {
	var hits atomic.Int64
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(429)
	}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := c.Do(ctx, &carrierhttp.Request{Op: carriers.OpRates, Method: "GET", Path: "/r", Idempotent: true}, nil)
	se := shipgate.AsError(err)
	if se.Code != shipgate.CodeRateLimited || se.RetryAfter != 30*time.Second || hits.Load() != 1 {
		t.Fatalf("err %v retry-after %v hits %d", err, se.RetryAfter, hits.Load())
	}
}

func TestReauthorizeOnce(t *testing.T) {
	var hits atomic.Int64
	var reauth atomic.Int64
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Authorization") != "Bearer fresh" {
			w.WriteHeader(401)
			return
		}
		fmt.Fprint(w, `{}`)
	}, nil)
	token := "stale"
	c.Authorize = func(ctx context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
	c.Reauthorize = func(ctx context.Context) bool { reauth.Add(1); token = "fresh"; return true }
	if _, err := c.Do(context.Background(), &carrierhttp.Request{Op: carriers.OpLabels, Method: "POST", Path: "/x"}, nil); err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 2 || reauth.Load() != 1 {
		t.Fatalf("hits %d reauth %d", hits.Load(), reauth.Load())
	}
	// A credential that stays refused is not retried forever.
	token = "stale"
	c.Reauthorize = func(ctx context.Context) bool { reauth.Add(1); return true }
	hits.Store(0)
	if _, err := c.Do(context.Background(), &carrierhttp.Request{Op: carriers.OpLabels, Method: "POST", Path: "/x"}, nil); err == nil {
		t.Fatal("refused credentials succeeded")
	}
	if hits.Load() != 2 {
		t.Fatalf("hits %d, want 2 (one refresh only)", hits.Load())
	}
}

func TestUnreadableAndTimeout(t *testing.T) {
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/slow" {
			<-r.Context().Done()
			return
		}
		fmt.Fprint(w, `{"not json`)
	}, nil)
	var out map[string]any
	_, err := c.Do(context.Background(), &carrierhttp.Request{Op: carriers.OpRates, Method: "GET", Path: "/bad"}, &out)
	if shipgate.ErrorCode(err) != shipgate.CodeCarrierUnavailable {
		t.Fatalf("unreadable body: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = c.Do(ctx, &carrierhttp.Request{Op: carriers.OpRates, Method: "GET", Path: "/slow", Idempotent: true}, &out)
	if shipgate.ErrorCode(err) != shipgate.CodeCarrierTimeout {
		t.Fatalf("slow carrier: %v", err)
	}
}

func TestSecretsRedacted(t *testing.T) {
	var logs bytes.Buffer
	c, _ := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		fmt.Fprint(w, `{"code":"AUTH","message":"client_secret s3cr3t-value rejected for Bearer abcdefghijklmnop","access_token":"tok-123456789"}`)
	}, &logs)
	_, err := c.Do(context.Background(), &carrierhttp.Request{Op: carriers.OpOAuth, Method: "POST", Path: "/token", Form: url.Values{"client_secret": {"s3cr3t-value"}}}, nil)
	for _, leak := range []string{"s3cr3t-value", "abcdefghijklmnop", "tok-123456789"} {
		if strings.Contains(err.Error(), leak) || strings.Contains(shipgate.AsError(err).Carrier.Message, leak) {
			t.Errorf("error leaks %q: %v", leak, err)
		}
		if strings.Contains(logs.String(), leak) {
			t.Errorf("log leaks %q: %s", leak, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "[REDACTED]") {
		t.Errorf("log shows no redaction: %s", logs.String())
	}
}

func TestRedactTokens(t *testing.T) {
	for in, leak := range map[string]string{
		`Authorization: Bearer eyJhbGciOi.abc.def`:      "eyJhbGciOi",
		`{"access_token":"A1B2C3D4E5","expires_in":10}`: "A1B2C3D4E5",
		`grant_type=x&client_secret=hunter22&z=1`:       "hunter22",
		`Basic dXNlcjpwYXNzd29yZA==`:                    "dXNlcjpwYXNzd29yZA",
		`"password": "pw-9999"`:                         "pw-9999",
	} {
		if out := carrierhttp.RedactTokens(in); strings.Contains(out, leak) {
			t.Errorf("RedactTokens(%q) = %q", in, out)
		}
	}
}

func TestTokenSourceFetchesOnce(t *testing.T) {
	var fetches atomic.Int64
	now := time.Unix(1_800_000_000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ts := &carrierhttp.TokenSource{
		Now: clock,
		Fetch: func(ctx context.Context) (carrierhttp.Token, error) {
			n := fetches.Add(1)
			time.Sleep(10 * time.Millisecond)
			return carrierhttp.Token{Value: fmt.Sprintf("tok-%d", n), ExpiresAt: clock().Add(time.Hour)}, nil
		},
	}
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tok, err := ts.Token(context.Background()); err != nil || tok != "tok-1" {
				t.Errorf("token %q %v", tok, err)
			}
		}()
	}
	wg.Wait()
	if fetches.Load() != 1 {
		t.Fatalf("50 concurrent callers made %d token requests, want 1", fetches.Load())
	}
	mu.Lock()
	now = now.Add(59 * time.Minute) // inside the refresh margin
	mu.Unlock()
	if tok, _ := ts.Token(context.Background()); tok != "tok-2" || fetches.Load() != 2 {
		t.Fatalf("token near expiry not refreshed: %s (%d fetches)", tok, fetches.Load())
	}
	ts.Invalidate(context.Background(), "tok-2")
	if tok, _ := ts.Token(context.Background()); tok != "tok-3" {
		t.Fatalf("after a 401 the token was not refreshed: %s", tok)
	}
}

func TestTokenSourceShared(t *testing.T) {
	shared := kv.NewMemory()
	var fetches atomic.Int64
	mk := func() *carrierhttp.TokenSource {
		return &carrierhttp.TokenSource{Shared: shared, Key: carrierhttp.TokenKey("acme", "https://x", "client"),
			Fetch: func(ctx context.Context) (carrierhttp.Token, error) {
				fetches.Add(1)
				return carrierhttp.Token{Value: "shared-tok", ExpiresAt: time.Now().Add(time.Hour)}, nil
			}}
	}
	a, b := mk(), mk() // two gateway processes
	ta, _ := a.Token(context.Background())
	tb, _ := b.Token(context.Background())
	if ta != "shared-tok" || tb != "shared-tok" || fetches.Load() != 1 {
		t.Fatalf("two processes fetched %d tokens (%s, %s), want 1", fetches.Load(), ta, tb)
	}
	if k := carrierhttp.TokenKey("acme", "https://x", "client"); strings.Contains(k, "client") {
		t.Errorf("token key %q reveals the client id", k)
	}
}
