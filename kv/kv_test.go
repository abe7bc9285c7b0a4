package kv_test

import (
	"context"
	"testing"
	"time"

	"github.com/shipgate/shipgate/kv"
	"github.com/shipgate/shipgate/kv/kvtest"
)

func TestStores(t *testing.T) {
	for name, mk := range map[string]func(t *testing.T) kv.Store{
		"memory":    func(t *testing.T) kv.Store { return kv.NewMemory() },
		"miniredis": func(t *testing.T) kv.Store { return kvtest.NewMini(t).Store },
		"redis":     func(t *testing.T) kv.Store { return kvtest.Real(t) },
	} {
		t.Run(name, func(t *testing.T) {
			s := mk(t)
			ctx := context.Background()
			if _, ok, err := s.Get(ctx, "absent"); ok || err != nil {
				t.Fatalf("absent key: ok=%v err=%v", ok, err)
			}
			if err := s.Set(ctx, "k", []byte("v1"), time.Minute); err != nil {
				t.Fatal(err)
			}
			if v, ok, err := s.Get(ctx, "k"); !ok || err != nil || string(v) != "v1" {
				t.Fatalf("get = %q %v %v", v, ok, err)
			}
			if ok, err := s.SetNX(ctx, "k", []byte("v2"), time.Minute); ok || err != nil {
				t.Fatalf("SetNX on a present key: %v %v", ok, err)
			}
			if ok, err := s.SetNX(ctx, "n", []byte("v2"), time.Minute); !ok || err != nil {
				t.Fatalf("SetNX on an absent key: %v %v", ok, err)
			}
			if err := s.Delete(ctx, "k"); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := s.Get(ctx, "k"); ok {
				t.Fatal("deleted key still there")
			}
			now := time.Unix(1_800_000_000, 0)
			for i := 0; i < 3; i++ {
				if ok, _, err := s.TakeToken(ctx, "bucket", 1, 3, now); !ok || err != nil {
					t.Fatalf("token %d refused: %v", i, err)
				}
			}
			ok, wait, err := s.TakeToken(ctx, "bucket", 1, 3, now)
			if ok || err != nil || wait <= 0 || wait > time.Second {
				t.Fatalf("4th token: ok=%v wait=%v err=%v; want refused with a wait up to 1s", ok, wait, err)
			}
			if ok, _, _ := s.TakeToken(ctx, "bucket", 1, 3, now.Add(1100*time.Millisecond)); !ok {
				t.Fatal("no token after a refill second")
			}
		})
	}
}

func TestMemoryExpiryAndBound(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	m := kv.NewMemory(kv.WithClock(func() time.Time { return now }), kv.WithMaxEntries(64))
	ctx := context.Background()
	_ = m.Set(ctx, "k", []byte("v"), time.Second)
	now = now.Add(2 * time.Second)
	if _, ok, _ := m.Get(ctx, "k"); ok {
		t.Fatal("expired key returned")
	}
	for i := 0; i < 10000; i++ {
		_ = m.Set(ctx, string(rune('a'+i%26))+time.Duration(i).String(), []byte("v"), 0)
	}
	if n := m.Len(); n > 64+32 {
		t.Fatalf("memory store holds %d keys, bound is 64", n)
	}
}

func TestLimiterWaitsThenRefuses(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := &kv.Limiter{Store: kv.NewMemory(), Key: "k", PerSecond: 1000, Burst: 2, Now: func() time.Time { return now }}
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	slow := &kv.Limiter{Store: kv.NewMemory(), Key: "k", PerSecond: 0.001, Burst: 1, Now: func() time.Time { return now }}
	_ = slow.Wait(ctx)
	dctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if err := slow.Wait(dctx); err == nil {
		t.Fatal("a token 1000s away was granted within a 1s deadline")
	}
}
