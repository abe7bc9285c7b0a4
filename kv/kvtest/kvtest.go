// Package kvtest gives tests a Redis-backed kv store: an in-process miniredis
// that a test can stop and restart (Redis going away), or the real server named
// by SHIPGATE_TEST_REDIS_URL. It is the only package importing miniredis.
package kvtest

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/shipgate/shipgate/kv"
)

// EnvRedisURL names the environment variable with a real Redis for tests.
const EnvRedisURL = "SHIPGATE_TEST_REDIS_URL"

// Mini is a miniredis server and a kv.Redis connected to it.
type Mini struct {
	Server *miniredis.Miniredis
	Store  *kv.Redis
}

// Stop makes the server go away (connections refused).
func (m *Mini) Stop() { m.Server.Close() }

// Restart brings the server back on the same address (its data is kept).
func (m *Mini) Restart(t testing.TB) {
	t.Helper()
	if err := m.Server.Restart(); err != nil {
		t.Fatalf("restart miniredis: %v", err)
	}
}

// NewMini starts a miniredis for the test.
func NewMini(t testing.TB) *Mini {
	t.Helper()
	s := miniredis.RunT(t)
	r, err := kv.NewRedis("redis://" + s.Addr() + "/0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return &Mini{Server: s, Store: r}
}

var seq atomic.Int64

// Real returns a kv.Redis on the server named by SHIPGATE_TEST_REDIS_URL with a
// key prefix of its own, or skips the test, naming the variable, when it is unset.
func Real(t testing.TB) *kv.Redis {
	t.Helper()
	url := os.Getenv(EnvRedisURL)
	if url == "" {
		t.Skipf("%s is not set: skipping the test against a real Redis", EnvRedisURL)
	}
	r, err := kv.NewRedis(url)
	if err != nil {
		t.Fatalf("%s: %v", EnvRedisURL, err)
	}
	t.Cleanup(func() { _ = r.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := r.Ping(ctx); err != nil {
		t.Fatalf("%s=%s does not answer: %v", EnvRedisURL, url, err)
	}
	return r.WithPrefix(fmt.Sprintf("shipgate-test:%d:%d:", time.Now().UnixNano(), seq.Add(1)))
}
