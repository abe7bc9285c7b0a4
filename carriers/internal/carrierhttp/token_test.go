package carrierhttp

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestShortLivedTokenIsNotFetchedPerCall(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	fetches := 0
	s := &TokenSource{
		Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now },
		Fetch: func(context.Context) (Token, error) {
			mu.Lock()
			defer mu.Unlock()
			fetches++
			// A 30-second token: the default 60s margin would make it stale at once.
			return Token{Value: "tok", ExpiresAt: now.Add(30 * time.Second)}, nil
		},
	}
	for i := 0; i < 5; i++ {
		if _, err := s.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if fetches != 1 {
		t.Fatalf("%d fetches for 5 calls within a short token's lifetime, want 1", fetches)
	}
	mu.Lock()
	now = now.Add(28 * time.Second) // inside the last tenth of its life
	mu.Unlock()
	if _, err := s.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fetches != 2 {
		t.Fatalf("%d fetches, want a refresh in the last tenth of the lifetime", fetches)
	}
}

func TestRedactorRemember(t *testing.T) {
	r := NewRedactor("static-secret")
	r.Remember("fresh-token-value")
	got := r.Redact("x static-secret y fresh-token-value z")
	if strings.Contains(got, "static-secret") || strings.Contains(got, "fresh-token-value") {
		t.Fatalf("not redacted: %q", got)
	}
	for i := 0; i < 2*maxRemembered; i++ {
		r.Remember("token-number-" + strings.Repeat("x", i))
	}
	if len(r.remembered) != maxRemembered {
		t.Fatalf("remembers %d values, want at most %d", len(r.remembered), maxRemembered)
	}
	if r.Redact("token-number-"+strings.Repeat("x", 2*maxRemembered-1)) != "[REDACTED]" {
		t.Fatal("the latest remembered value is not redacted")
	}
}
