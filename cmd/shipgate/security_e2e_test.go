package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/shipgate/shipgate/carriers/carriertest/carriersim"
	"github.com/shipgate/shipgate/carriers/ups/upssim"
)

// logBuffer collects the gateway's JSON log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startLoggedApp runs a gateway like startApp, with its JSON logs (debug
// level) written to logs and the environment given for ${VAR} references.
func startLoggedApp(t *testing.T, yaml string, env map[string]string, logs io.Writer) string {
	t.Helper()
	p := writeConfig(t, "addr: 127.0.0.1:0\ndatabase_url: sqlite://"+filepath.Join(t.TempDir(), "shipgate.db")+"\n"+yaml)
	cfg, err := loadConfig(p, envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	app, err := newApp(context.Background(), cfg, newLogger(logs, "debug"))
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		app.Close()
	})
	return "http://" + app.Addr()
}

// exchanges records everything the gateway answered, to search it for secrets.
type exchanges struct {
	mu  sync.Mutex
	all bytes.Buffer
}

func (x *exchanges) do(t *testing.T, method, url, body string, header ...string) (*http.Response, []byte) {
	t.Helper()
	res, b := request(t, method, url, body, header...)
	x.mu.Lock()
	defer x.mu.Unlock()
	fmt.Fprintf(&x.all, "%s %s -> %d %v\n%s\n", method, url, res.StatusCode, res.Header, b)
	return res, b
}

// leaks returns the forms of secret found in text: as is, URL-encoded, in a
// Basic authorization header, in JSON.
func leaks(text, clientID, secret string) []string {
	var found []string
	for name, form := range map[string]string{
		"plain":       secret,
		"URL-encoded": url.QueryEscape(secret),
		"Basic auth":  base64.StdEncoding.EncodeToString([]byte(clientID + ":" + secret)),
		"JSON":        strings.Trim(mustJSON(secret), `"`),
	} {
		if strings.Contains(text, form) {
			found = append(found, name)
		}
	}
	return found
}

// problem makes a request whose answer must be a problem+json of status.
func (x *exchanges) problem(t *testing.T, status int, method, url, body string, header ...string) (*http.Response, map[string]any) {
	t.Helper()
	res, b := x.do(t, method, url, body, header...)
	var p map[string]any
	if res.StatusCode != status || res.Header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(b, &p) != nil || p["code"] == nil {
		t.Fatalf("%s %s: want a %d problem, got %d %s %.300s", method, url, status, res.StatusCode, res.Header.Get("Content-Type"), b)
	}
	return res, p
}

func mustJSON(v any) string { b, _ := json.Marshal(v); return string(b) }

// echoingUPS refuses every token request and echoes what it was sent
// (the Authorization header, the form) in UPS's error shape: the worst a
// carrier can do with a secret.
func echoingUPS() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, pass, _ := r.BasicAuth()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("WWW-Authenticate", "Basic "+r.Header.Get("Authorization"))
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]any{"response": map[string]any{"errors": []map[string]string{
			{"code": "10401", "message": "ClientId is Invalid: " + r.Header.Get("Authorization") + " password=" + pass + " body=" + string(body)},
		}}})
	})
}

// TestSecretNeverLeaks is the secret test: a UPS client_secret,
// configured through ${ENV}, used against a simulator that refuses it, a
// carrier that echoes it back, a simulator failing with 500s and one that
// accepts it, never appears in the gateway's log output (JSON, debug
// level), in any API answer (headers included) or in /metrics.
func TestSecretNeverLeaks(t *testing.T) {
	const secret = "Kn0wn-UPS-client-s3cret/+=value"
	refusing := httptest.NewServer(upssim.New()) // expects its default secret
	defer refusing.Close()
	echo := httptest.NewServer(echoingUPS())
	defer echo.Close()
	failingSim := upssim.New(upssim.WithCredentials(upssim.DefaultClientID, secret, upssim.DefaultAccountNumber))
	failing := httptest.NewServer(failingSim)
	defer failing.Close()
	good := httptest.NewServer(upssim.New(upssim.WithCredentials(upssim.DefaultClientID, secret, upssim.DefaultAccountNumber)))
	defer good.Close()

	adminKey, adminLine := keysNewOutput(t, "--name", "ops", "--scopes", "admin")
	var yaml strings.Builder
	yaml.WriteString("api_keys:\n  " + adminLine + "\naccounts:\n")
	for _, a := range []struct{ id, url string }{{"ups-refusing", refusing.URL}, {"ups-echo", echo.URL}, {"ups-failing", failing.URL}, {"ups-good", good.URL}} {
		fmt.Fprintf(&yaml, "  - { id: %s, carrier: ups, base_url: %s, timeout: 2s, credentials: { client_id: %s, client_secret: \"${UPS_CLIENT_SECRET}\", account_number: %s } }\n",
			a.id, a.url, upssim.DefaultClientID, upssim.DefaultAccountNumber)
	}
	var logs logBuffer
	base := startLoggedApp(t, yaml.String(), map[string]string{"UPS_CLIENT_SECRET": secret}, &logs)
	var x exchanges
	auth := []string{"Authorization", "Bearer " + adminKey}

	// The good account works (the secret is really used), the others fail.
	failingSim.SetFaults(carriersim.Faults{Mode: carriersim.ModeError})
	res, b := x.do(t, "POST", base+"/v1/rates", namedQuote, auth...)
	if res.StatusCode != 200 || !strings.Contains(string(b), `"account":"ups-good"`) || strings.Count(string(b), `"code":"`) < 3 {
		t.Fatalf("quote: %d %s", res.StatusCode, b)
	}
	sh := namedQuote[len(`{"shipment":`) : len(namedQuote)-1]
	for i, acct := range []string{"ups-refusing", "ups-echo", "ups-failing", "ups-good"} {
		body := `{"shipment":` + sh + `,"account":"` + acct + `","service":"ups_ground","label_format":"zpl"}`
		res, b := x.do(t, "POST", base+"/v1/labels", body, append(auth, "Idempotency-Key", fmt.Sprint("leak-", i))...)
		if want := acct == "ups-good"; want != (res.StatusCode == 201) {
			t.Errorf("%s purchase: %d %s", acct, res.StatusCode, b)
		}
	}
	x.do(t, "POST", base+"/v1/rates", strings.Replace(namedQuote, `"value":2`, `"value":3`, 1), auth...)
	x.do(t, "GET", base+"/v1/labels?limit=50", "", auth...)
	for _, path := range []string{"/v1/carriers", "/metrics", "/readyz", "/healthz", "/openapi.yaml"} {
		if res, b := x.do(t, "GET", base+path, "", auth...); res.StatusCode != 200 {
			t.Errorf("%s: %d %s", path, res.StatusCode, b)
		}
	}
	// The admin view names the credentials, without their values.
	if _, b := x.do(t, "GET", base+"/v1/carriers", "", auth...); !strings.Contains(string(b), `"client_secret"`) {
		t.Errorf("carriers: %s", b)
	}
	// The echoing carrier's answers were logged, redacted: the test saw them.
	if !strings.Contains(logs.String(), `"account":"ups-echo"`) || !strings.Contains(logs.String(), "password=[REDACTED]") || !strings.Contains(logs.String(), `"msg":"request"`) {
		t.Fatalf("the logs hold nothing of the failing calls:\n%s", logs.String())
	}
	for where, text := range map[string]string{"logs": logs.String(), "API answers": x.all.String()} {
		if found := leaks(text, upssim.DefaultClientID, secret); len(found) > 0 {
			t.Errorf("the client_secret appears in the %s (%v):\n%s", where, found, text)
		}
	}
}

// TestSecurityEndToEnd is issue 7's "done when": a rates-only key and a
// labels key made by `shipgate keys new`; quoting works with either, buying
// only with the second; no key is 401; malformed JSON 400 and a 6 MiB body
// 413, both problem+json; the UPS client_secret is in no answer, metric or
// log line; /openapi.yaml is served; serve on 0.0.0.0 without keys refuses.
func TestSecurityEndToEnd(t *testing.T) {
	const secret = "ups-secret-for-issue-7"
	sim := httptest.NewServer(upssim.New(upssim.WithCredentials(upssim.DefaultClientID, secret, upssim.DefaultAccountNumber)))
	defer sim.Close()
	checkout, checkoutLine := keysNewOutput(t, "--name", "checkout", "--scopes", "rates")
	wms, wmsLine := keysNewOutput(t, "--name", "wms", "--scopes", "rates,labels")
	var logs logBuffer
	base := startLoggedApp(t, fmt.Sprintf(`api_keys:
  %s
  %s
accounts:
  - { id: sandbox, carrier: sandbox }
  - { id: ups-main, carrier: ups, base_url: %s, credentials: { client_id: %s, client_secret: "${UPS_CLIENT_SECRET}", account_number: %s } }
`, checkoutLine, wmsLine, sim.URL, upssim.DefaultClientID, upssim.DefaultAccountNumber), map[string]string{"UPS_CLIENT_SECRET": secret}, &logs)
	var x exchanges
	// Quoting works with either key.
	var rateID string
	for _, key := range []string{checkout, wms} {
		res, b := x.do(t, "POST", base+"/v1/rates", namedQuote, "Authorization", "Bearer "+key)
		var q struct {
			Rates []struct{ ID, Account string }
		}
		if res.StatusCode != 200 || json.Unmarshal(b, &q) != nil || len(q.Rates) == 0 {
			t.Fatalf("quote: %d %s", res.StatusCode, b)
		}
		for _, r := range q.Rates {
			if r.Account == "ups-main" {
				rateID = r.ID
			}
		}
	}
	if rateID == "" {
		t.Fatal("no UPS rate")
	}
	// Buying only with the labels key.
	buy := fmt.Sprintf(`{"rate_id":%q,"label_format":"zpl"}`, rateID)
	_, p := x.problem(t, http.StatusForbidden, "POST", base+"/v1/labels", buy, "Authorization", "Bearer "+checkout, "Idempotency-Key", "o-1")
	if !strings.Contains(fmt.Sprint(p["detail"]), "labels scope") {
		t.Errorf("403 detail %v", p["detail"])
	}
	if res, b := x.do(t, "POST", base+"/v1/labels", buy, "Authorization", "Bearer "+wms, "Idempotency-Key", "o-1"); res.StatusCode != 201 {
		t.Fatalf("buy with the labels key: %d %s", res.StatusCode, b)
	}
	// No key, a wrong key: 401 with WWW-Authenticate.
	for _, hdr := range [][]string{nil, {"Authorization", "Bearer sg_live_nope"}} {
		res, _ := x.problem(t, http.StatusUnauthorized, "POST", base+"/v1/rates", namedQuote, hdr...)
		if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
		}
	}
	x.problem(t, http.StatusUnauthorized, "GET", base+"/v1/carriers", "")
	// Malformed JSON and a 6 MiB body.
	x.problem(t, http.StatusBadRequest, "POST", base+"/v1/rates", `{"shipment": {"from": `, "Authorization", "Bearer "+checkout)
	big := `{"shipment":{"reference":"` + strings.Repeat("x", 6<<20) + `"}}`
	x.problem(t, http.StatusRequestEntityTooLarge, "POST", base+"/v1/rates", big, "Authorization", "Bearer "+checkout)
	x.problem(t, http.StatusRequestEntityTooLarge, "POST", base+"/v1/labels", big, "Authorization", "Bearer "+wms, "Idempotency-Key", "o-2")
	// The OpenAPI document, without a key.
	if res, b := x.do(t, "GET", base+"/openapi.yaml", ""); res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/yaml" || !bytes.HasPrefix(b, []byte("openapi: 3.1")) {
		t.Fatalf("openapi.yaml: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// Metrics (public) and the carriers (any key; details for admin only).
	if res, b := x.do(t, "GET", base+"/metrics", ""); res.StatusCode != 200 || !strings.Contains(string(b), `shipgate_carrier_requests_total{account="ups-main"`) {
		t.Fatalf("metrics: %d", res.StatusCode)
	}
	if res, b := x.do(t, "GET", base+"/v1/carriers", "", "Authorization", "Bearer "+wms); res.StatusCode != 200 || !strings.Contains(string(b), `"details_hidden":true`) {
		t.Fatalf("carriers: %d %s", res.StatusCode, b)
	}
	// The request logs name the key, never the key itself.
	if !strings.Contains(logs.String(), `"key":"wms"`) || !strings.Contains(logs.String(), `"key":"checkout"`) {
		t.Errorf("request logs without key names:\n%s", logs.String())
	}
	for where, text := range map[string]string{"logs": logs.String(), "API answers and metrics": x.all.String()} {
		if found := leaks(text, upssim.DefaultClientID, secret); len(found) > 0 {
			t.Errorf("the client_secret appears in the %s (%v)", where, found)
		}
		for _, key := range []string{checkout, wms} {
			if strings.Contains(text, key) {
				t.Errorf("an API key appears in the %s", where)
			}
		}
	}
	// Serving on 0.0.0.0 without keys refuses to start.
	var stderr bytes.Buffer
	cfg := writeConfig(t, "addr: 0.0.0.0:0\naccounts: [{id: sandbox, carrier: sandbox}]\n")
	if code := realMain(context.Background(), []string{"serve", "--config", cfg}, io.Discard, &stderr, envOf(nil)); code == 0 || !strings.Contains(stderr.String(), "shipgate keys new") {
		t.Fatalf("serve on 0.0.0.0 without keys: exit %d: %s", code, stderr.String())
	}
}
