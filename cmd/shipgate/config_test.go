package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "shipgate.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEmbeddedDefault(t *testing.T) {
	cfg, err := loadConfig("", envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:8080" || cfg.RedisURL != "" || len(cfg.Accounts) != 1 || cfg.Accounts[0].Carrier != "sandbox" {
		t.Fatalf("default config %+v", cfg)
	}
	if cfg.Rates.Deadline.D() != 1500*time.Millisecond || cfg.Rates.CacheTTL.D() != 10*time.Minute || cfg.Rates.QuoteTTL.D() != 24*time.Hour {
		t.Fatalf("rates defaults %+v", cfg.Rates)
	}
}

func TestFullConfig(t *testing.T) {
	p := writeConfig(t, `
addr: 127.0.0.1:9090
redis_url: redis://127.0.0.1:6379/0
rates: { deadline: 800ms, cache_ttl: 5m, stale_ttl: 1h, quote_ttl: 2h }
accounts:
  - id: sb-fast
    carrier: sandbox
    options: { latency: 100ms, fail_rate: 0.1 }
    timeout: 2s
    breaker: { consecutive_failures: 3, open_for: 10s }
    rate_limit: { per_second: 5 }
  - id: sb-secret
    carrier: sandbox
    credentials: { client_secret: "${MY_SECRET}" }
`)
	cfg, err := loadConfig(p, envOf(map[string]string{"MY_SECRET": "123456", "SHIPGATE_ADDR": "127.0.0.1:7070"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:7070" {
		t.Errorf("SHIPGATE_ADDR did not override addr: %s", cfg.Addr)
	}
	a := cfg.Accounts[0]
	if a.Timeout.D() != 2*time.Second || a.Breaker.ConsecutiveFailures != 3 || a.Breaker.OpenFor.D() != 10*time.Second || a.RateLimit.Burst != 5 {
		t.Errorf("account %+v", a)
	}
	if a.Options["latency"] != "100ms" || a.Options["fail_rate"] != 0.1 {
		t.Errorf("options %#v", a.Options)
	}
	// A secret that looks like a number stays a string.
	acct := cfg.Accounts[1].account()
	if acct.Credentials["client_secret"].Reveal() != "123456" {
		t.Errorf("secret = %q", acct.Credentials["client_secret"].Reveal())
	}
	if strings.Contains(strings.Join([]string{acct.Credentials["client_secret"].String()}, ""), "123456") {
		t.Error("a credential printed its value")
	}
	if cfg.Rates.Deadline.D() != 800*time.Millisecond || cfg.Rates.QuoteTTL.D() != 2*time.Hour {
		t.Errorf("rates %+v", cfg.Rates)
	}
}

func TestRedisURLEnvOverride(t *testing.T) {
	p := writeConfig(t, "redis_url: redis://10.0.0.1:6379/0\naccounts: [{id: sb, carrier: sandbox}]\n")
	cfg, err := loadConfig(p, envOf(map[string]string{"SHIPGATE_REDIS_URL": ""}))
	if err != nil || cfg.RedisURL != "" {
		t.Fatalf("SHIPGATE_REDIS_URL set and empty must mean no Redis: %q %v", cfg.RedisURL, err)
	}
	cfg, err = loadConfig(p, envOf(map[string]string{"SHIPGATE_CONFIG": p}))
	if err != nil || cfg.RedisURL != "redis://10.0.0.1:6379/0" {
		t.Fatalf("SHIPGATE_CONFIG: %+v %v", cfg, err)
	}
}

func TestBadConfigs(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		env        map[string]string
		want       []string
	}{
		{"unknown field", "adr: 1.2.3.4:80\n", nil, []string{"shipgate.yaml", "adr"}},
		{"bad duration", "rates: { deadline: fast }\n", nil, []string{"shipgate.yaml", "fast", "duration"}},
		{"unknown carrier", "accounts: [{id: a, carrier: upss}]\n", nil, []string{"accounts[0].carrier", "upss", "sandbox"}},
		{"duplicate id", "accounts: [{id: a, carrier: sandbox}, {id: a, carrier: sandbox}]\n", nil, []string{"accounts[1].id", "another account"}},
		{"missing id", "accounts: [{carrier: sandbox}]\n", nil, []string{"accounts[0].id", "required"}},
		{"bad id", "accounts: [{id: 'Big One', carrier: sandbox}]\n", nil, []string{"accounts[0].id"}},
		{"no accounts", "accounts: []\n", nil, []string{"accounts", "at least one"}},
		{"bad addr", "addr: nowhere\naccounts: [{id: a, carrier: sandbox}]\n", nil, []string{"addr"}},
		{"bad redis", "redis_url: http://x\naccounts: [{id: a, carrier: sandbox}]\n", nil, []string{"redis_url"}},
		{"cache outlives quotes", "rates: {cache_ttl: 48h}\naccounts: [{id: a, carrier: sandbox}]\n", nil, []string{"rates.cache_ttl"}},
		{"unset env var", "accounts: [{id: a, carrier: sandbox, credentials: {k: '${NOPE_NOT_SET}'}}]\n", nil, []string{"NOPE_NOT_SET", "not set", "line 1"}},
		{"bad yaml", "accounts: [\n", nil, []string{"shipgate.yaml"}},
		{"bad base url", "accounts: [{id: a, carrier: sandbox, base_url: 'ftp://x'}]\n", nil, []string{"accounts[0].base_url"}},
		{"bad log level", "log_level: loud\naccounts: [{id: a, carrier: sandbox}]\n", nil, []string{"log_level"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadConfig(writeConfig(t, tc.body), envOf(tc.env))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	if _, err := loadConfig(filepath.Join(t.TempDir(), "nope.yaml"), envOf(nil)); err == nil || !strings.Contains(err.Error(), "nope.yaml") {
		t.Fatalf("err = %v", err)
	}
}

func FuzzConfig(f *testing.F) {
	for _, s := range []string{"addr: 127.0.0.1:1\n", "accounts: [{id: a, carrier: sandbox, options: {latency: 1ms}}]\n", "rates: {deadline: 1s}\n", "{", "- - -", "accounts: [{id: a, carrier: sandbox, credentials: {x: '${A}'}}]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		_, _ = parseConfig([]byte(body), "fuzz.yaml", func(string) string { return "v" })
	})
}
