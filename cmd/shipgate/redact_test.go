package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/shipgate/shipgate"
)

const panicSecret = "hunter2-panic-secret"

// TestPanicHelper panics with a secret when run by TestPanicsPrintPlaceholder.
func TestPanicHelper(t *testing.T) {
	switch os.Getenv("SHIPGATE_TEST_PANIC") {
	case "secret":
		panic(shipgate.NewSecret(panicSecret))
	case "config secret":
		panic(secretString(panicSecret))
	case "error":
		panic(fmt.Errorf("bad credential %v", shipgate.NewSecret(panicSecret)))
	case "config":
		cfg := &Config{Accounts: []AccountEntry{{ID: "a", Credentials: map[string]secretString{"client_secret": panicSecret}}}}
		panic(fmt.Sprintf("bad configuration %+v", cfg))
	case "struct":
		panic(struct{ S shipgate.Secret }{shipgate.NewSecret(panicSecret)})
	}
}

// TestPanicsPrintPlaceholder: a process that panics with a secret (or a
// value holding one) prints the placeholder, never the secret.
func TestPanicsPrintPlaceholder(t *testing.T) {
	for _, mode := range []string{"secret", "config secret", "error", "config", "struct"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPanicHelper$")
		cmd.Env = append(os.Environ(), "SHIPGATE_TEST_PANIC="+mode)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if err == nil || !strings.Contains(out.String(), "panic:") {
			t.Fatalf("%s: the helper did not panic: %v\n%s", mode, err, out.String())
		}
		if strings.Contains(out.String(), panicSecret) {
			t.Errorf("%s: the panic printed the secret:\n%s", mode, out.String())
		}
		if mode != "struct" && !strings.Contains(out.String(), "[REDACTED]") {
			t.Errorf("%s: no placeholder:\n%s", mode, out.String())
		}
	}
}
