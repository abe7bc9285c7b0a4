package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
)

var keyLine = regexp.MustCompile(`(?m)^    (sg_live_[a-z2-7]{52})$`)

// keysNewOutput runs `shipgate keys new` and returns the key and the YAML
// line it printed.
func keysNewOutput(t *testing.T, args ...string) (key, line string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if code := realMain(context.Background(), append([]string{"keys", "new"}, args...), &stdout, &stderr, envOf(nil)); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	m := keyLine.FindStringSubmatch(stdout.String())
	if m == nil {
		t.Fatalf("no key in:\n%s", stdout.String())
	}
	for _, l := range strings.Split(stdout.String(), "\n") {
		if strings.HasPrefix(l, "  - { name: ") {
			line = strings.TrimSpace(l)
		}
	}
	if line == "" {
		t.Fatalf("no configuration line in:\n%s", stdout.String())
	}
	return m[1], line
}

func TestKeysNew(t *testing.T) {
	key, line := keysNewOutput(t, "--name", "checkout", "--scopes", "rates, tracking", "--per-second", "5", "--burst", "10")
	want := fmt.Sprintf(`- { name: checkout, sha256: "%s", scopes: [rates, tracking], rate_limit: { per_second: 5, burst: 10 } }`, hashKey(key))
	if line != want {
		t.Fatalf("line\n%s\nwant\n%s", line, want)
	}
	// The line, pasted under api_keys, loads.
	cfg, err := loadConfig(writeConfig(t, "accounts: [{id: sandbox, carrier: sandbox}]\napi_keys:\n  "+line+"\n"), envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	k := cfg.apiKeys()[0]
	if k.Name != "checkout" || fmt.Sprintf("%x", k.SHA256) != hashKey(key) || len(k.Scopes) != 2 || k.PerSecond != 5 || k.Burst != 10 {
		t.Fatalf("key %+v", k)
	}
	// Keys are random.
	other, _ := keysNewOutput(t, "--name", "checkout", "--scopes", "rates")
	if other == key {
		t.Fatal("two keys are equal")
	}
}

func TestKeysNewRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--scopes", "rates"}, "--name: is required"},
		{[]string{"--name", "checkout"}, "--scopes: at least one"},
		{[]string{"--name", "checkout", "--scopes", "rates,shipping"}, `unknown scope "shipping"`},
		{[]string{"--name", "has space", "--scopes", "rates"}, "--name"},
		{[]string{"--name", "x", "--scopes", "rates", "--burst", "-1"}, "must not be negative"},
	} {
		var stdout, stderr bytes.Buffer
		code := realMain(context.Background(), append([]string{"keys", "new"}, tc.args...), &stdout, &stderr, envOf(nil))
		if code != 2 || !strings.Contains(stderr.String(), tc.want) || strings.Contains(stdout.String(), "sg_live_") {
			t.Errorf("%v: exit %d, stderr %q, stdout %q", tc.args, code, stderr.String(), stdout.String())
		}
	}
}

func TestKeysHash(t *testing.T) {
	var stdout bytes.Buffer
	if code := cmdKeys([]string{"hash"}, strings.NewReader("sg_live_abc\n"), &stdout, io.Discard); code != 0 {
		t.Fatalf("exit %d", code)
	}
	// sha256("sg_live_abc")
	if got := strings.TrimSpace(stdout.String()); got != hashKey("sg_live_abc") || len(got) != 64 {
		t.Fatalf("hash %q", got)
	}
	if code := cmdKeys([]string{"hash"}, strings.NewReader(""), io.Discard, io.Discard); code == 0 {
		t.Fatal("an empty key was hashed")
	}
}

func TestAPIKeysConfigErrors(t *testing.T) {
	h := hashKey("sg_live_x")
	for _, tc := range []struct{ keys, want string }{
		{`[{name: a, sha256: "` + h + `", scopes: [rates]}, {name: a, sha256: "` + hashKey("y") + `", scopes: [rates]}]`, `api_keys[1].name: "a" is used by another key`},
		{`[{name: a, sha256: "sg_live_abcdef", scopes: [rates]}]`, "api_keys[0].sha256: this is the key itself"},
		{`[{name: a, sha256: "abc", scopes: [rates]}]`, "api_keys[0].sha256: want the key's SHA-256"},
		{`[{name: a, sha256: "` + h + `", scopes: [rates]}, {name: b, sha256: "` + strings.ToUpper(h) + `", scopes: [rates]}]`, "api_keys[1].sha256: the same key is configured twice"},
		{`[{name: a, sha256: "` + h + `", scopes: []}]`, "api_keys[0].scopes: at least one"},
		{`[{name: a, sha256: "` + h + `", scopes: [root]}]`, `api_keys[0].scopes[0]: unknown scope "root"`},
		{`[{name: a, sha256: "` + h + `", scopes: [rates], rate_limit: {per_second: -1}}]`, "api_keys[0].rate_limit"},
		{`[{name: a, sha256: "` + h + `", scopes: [rates], key: x}]`, "field key not found"},
	} {
		p := writeConfig(t, "accounts: [{id: sandbox, carrier: sandbox}]\napi_keys: "+tc.keys+"\n")
		_, err := loadConfig(p, envOf(nil))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v, want %q", tc.keys, err, tc.want)
		}
	}
}

// TestServeRefusesToExposeWithoutKeys: with no api_keys, serve starts only on
// a loopback address, and otherwise says how to add a key.
func TestServeRefusesToExposeWithoutKeys(t *testing.T) {
	for _, tc := range []struct {
		name string
		yaml string
		env  map[string]string
	}{
		{"all interfaces", "addr: 0.0.0.0:0\n", nil},
		{"empty host", "addr: \":0\"\n", nil},
		{"IPv6 any", "addr: \"[::]:0\"\n", nil},
		{"a LAN address", "addr: 192.168.1.10:0\n", nil},
		{"a host name", "addr: gateway.internal:0\n", nil},
		{"SHIPGATE_ADDR over the embedded default", "", map[string]string{"SHIPGATE_ADDR": "0.0.0.0:0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"serve"}
			if tc.yaml != "" {
				args = append(args, "--config", writeConfig(t, tc.yaml+"accounts: [{id: sandbox, carrier: sandbox}]\n"))
			}
			var stderr bytes.Buffer
			code := realMain(context.Background(), args, io.Discard, &stderr, envOf(tc.env))
			if code == 0 || !strings.Contains(stderr.String(), "refusing to listen") || !strings.Contains(stderr.String(), "shipgate keys new --name") ||
				!strings.Contains(stderr.String(), "api_keys") {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
		})
	}
	for _, addr := range []string{"127.0.0.1:0", "127.0.0.2:0", "[::1]:0", "localhost:0"} {
		if err := checkExposure(&Config{Addr: addr}); err != nil {
			t.Errorf("%s: %v", addr, err)
		}
	}
	if err := checkExposure(&Config{Addr: "0.0.0.0:8080", APIKeys: []APIKeyEntry{{Name: "k"}}}); err != nil {
		t.Errorf("with keys: %v", err)
	}
}

// TestConfigPrintsRedacted: the configuration, however it is printed or
// logged, shows no credential and no password.
func TestConfigPrintsRedacted(t *testing.T) {
	p := writeConfig(t, `
redis_url: redis://:redispass@127.0.0.1:6379/0
database_url: postgres://shipgate:dbpass@db:5432/shipgate?sslmode=disable&password=qpass
accounts:
  - id: ups-main
    carrier: sandbox
    base_url: https://user:urlpass@example.com/api?api_key=qkey
    credentials: { client_secret: "${SECRET}" }
`)
	cfg, err := loadConfig(p, envOf(map[string]string{"SECRET": "topsecret"}))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "cfg", cfg, "value", *cfg)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "cfg", cfg, "account", cfg.Accounts[0])
	js, _ := json.Marshal(cfg)
	out := fmt.Sprintf("%v %+v %#v %s %v %+v %#v", cfg, cfg, cfg, cfg, *cfg, cfg.Accounts[0], cfg.Accounts[0]) + logs.String() + string(js)
	for _, secret := range []string{"topsecret", "redispass", "dbpass", "qpass", "urlpass", "qkey"} {
		if strings.Contains(out, secret) {
			t.Errorf("%q printed:\n%s", secret, out)
		}
	}
	if !strings.Contains(out, "ups-main") || !strings.Contains(out, "[REDACTED]") || !strings.Contains(out, "client_secret") {
		t.Fatalf("the redacted configuration lost its shape:\n%s", out)
	}
	if cfg.Accounts[0].account().Credentials["client_secret"].Reveal() != "topsecret" {
		t.Fatal("the credential itself was changed")
	}
}
