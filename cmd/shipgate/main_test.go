package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
)

// startApp runs a gateway on 127.0.0.1:0 with the given YAML configuration.
func startApp(t *testing.T, yaml string) string {
	t.Helper()
	p := writeConfig(t, "addr: 127.0.0.1:0\n"+yaml)
	cfg, err := loadConfig(p, envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	app, err := newApp(cfg, newLogger(io.Discard, "error"))
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

const quote = `{"shipment":{
  "from":{"street1":"1000 Peachtree St NE","city":"Atlanta","state":"GA","postal_code":"30309","country":"US"},
  "to":{"street1":"500 Market St","city":"San Francisco","state":"CA","postal_code":"94105","country":"US"},
  "parcels":[{"weight":{"value":2,"unit":"lb"}}]}}`

func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// metric returns the sum of a metric's samples whose labels contain all of labels.
func metric(t *testing.T, base, name string, labels ...string) float64 {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var sum float64
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		if ok {
			var v float64
			fmt.Sscanf(line[strings.LastIndexByte(line, ' ')+1:], "%g", &v)
			sum += v
		}
	}
	return sum
}

func TestServeQuotesAndCaches(t *testing.T) {
	base := startApp(t, "accounts: [{id: sandbox, carrier: sandbox}]\n")
	code, body := post(t, base+"/v1/rates", quote)
	if code != 200 || len(body["rates"].([]any)) != 3 {
		t.Fatalf("%d %v", code, body)
	}
	_, body = post(t, base+"/v1/rates", quote)
	if r := body["rates"].([]any)[0].(map[string]any); r["cached"] != true {
		t.Fatalf("repeated quote not cached: %v", r)
	}
	if n := metric(t, base, "shipgate_carrier_requests_total", `operation="rates"`, `outcome="ok"`); n != 1 {
		t.Errorf("carrier calls = %v, want 1", n)
	}
	if n := metric(t, base, "shipgate_cache_requests_total", `result="hit"`); n != 1 {
		t.Errorf("cache hits = %v, want 1", n)
	}
	if n := metric(t, base, "shipgate_http_request_duration_seconds_count", `route="/v1/rates"`, `status="200"`); n != 2 {
		t.Errorf("http requests measured = %v, want 2", n)
	}
}

func TestCoalescingVisibleInMetrics(t *testing.T) {
	base := startApp(t, "accounts: [{id: sandbox, carrier: sandbox, options: {latency: 200ms}}]\n")
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, body := post(t, base+"/v1/rates", quote); code != 200 {
				t.Errorf("%d %v", code, body)
			}
		}()
	}
	wg.Wait()
	if n := metric(t, base, "shipgate_carrier_requests_total", `operation="rates"`); n != 1 {
		t.Fatalf("40 identical concurrent quotes made %v carrier calls, want 1", n)
	}
}

func TestTimeoutAccountBreakerOpens(t *testing.T) {
	base := startApp(t, `
rates: { deadline: 300ms }
accounts:
  - { id: healthy, carrier: sandbox }
  - { id: stuck, carrier: sandbox, options: { mode: timeout }, timeout: 50ms, breaker: { consecutive_failures: 2, open_for: 1h } }
`)
	for i := 0; i < 3; i++ {
		// Different shipments, so that no answer comes from the cache.
		code, body := post(t, base+"/v1/rates", strings.Replace(quote, `"value":2`, fmt.Sprintf(`"value":%d`, i+2), 1))
		if code != 200 {
			t.Fatalf("%d %v", code, body)
		}
	}
	res, err := http.Get(base + "/v1/carriers")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Carriers []struct {
			ID       string
			Breakers map[string]string
		}
	}
	_ = json.NewDecoder(res.Body).Decode(&out)
	for _, c := range out.Carriers {
		if c.ID == "stuck" && c.Breakers["rates"] != "open" {
			t.Fatalf("stuck account's rates breaker is %q, want open", c.Breakers["rates"])
		}
	}
	// Once open, the account answers at once: its error says so.
	_, body := post(t, base+"/v1/rates", strings.Replace(quote, `"value":2`, `"value":9`, 1))
	errs := body["errors"].([]any)
	if len(errs) != 1 || !strings.Contains(fmt.Sprint(errs[0]), "circuit breaker is open") {
		t.Fatalf("errors %v", errs)
	}
	if n := metric(t, base, "shipgate_breaker_state", `account="stuck"`, `operation="rates"`); n != 2 {
		t.Errorf("breaker_state metric = %v, want 2 (open)", n)
	}
}

func TestServeRefusesBadConfig(t *testing.T) {
	var stderr bytes.Buffer
	p := writeConfig(t, "accounts: [{id: a, carrier: nope}]\n")
	code := realMain(context.Background(), []string{"serve", "--config", p}, io.Discard, &stderr, envOf(nil))
	if code == 0 || !strings.Contains(stderr.String(), "accounts[0].carrier") || !strings.Contains(stderr.String(), p) {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	var stderr bytes.Buffer
	if code := realMain(context.Background(), []string{"fly"}, io.Discard, &stderr, envOf(nil)); code != 2 {
		t.Fatalf("exit %d", code)
	}
}

func TestMain(m *testing.M) {
	// Keep tests from picking up a developer's configuration.
	os.Unsetenv("SHIPGATE_CONFIG")
	os.Exit(m.Run())
}
