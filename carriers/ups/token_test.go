package ups_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
	"github.com/shipgate/shipgate/carriers/ups/upssim"
	"github.com/shipgate/shipgate/kv"
)

func TestOneTokenForManyCalls(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := 0; i < 20; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := c.Track(ctx, "1ZNOSUCHNUMBER0000")
			if shipgate.ErrorCode(err) == shipgate.CodeNotFound {
				err = nil
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.sim.Stats()["oauth"]; n != 1 {
		t.Fatalf("%d token requests for 40 concurrent calls, want 1", n)
	}
	// A second adapter of the same account (another gateway process) finds
	// the token in the shared store.
	other := f.client(t)
	if _, err := other.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()}); err != nil {
		t.Fatal(err)
	}
	if n := f.sim.Stats()["oauth"]; n != 1 {
		t.Fatalf("%d token requests after a second process, want 1 (shared store)", n)
	}
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	f := newFixture(t, upssim.WithTokenLifetime(time.Hour))
	c := f.client(t)
	ctx := context.Background()
	rate := func() {
		t.Helper()
		if _, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()}); err != nil {
			t.Fatal(err)
		}
	}
	rate()
	f.clock.Advance(50 * time.Minute)
	rate()
	if n := f.sim.Stats()["oauth"]; n != 1 {
		t.Fatalf("%d token requests within the token's life, want 1", n)
	}
	f.clock.Advance(9*time.Minute + 30*time.Second) // 30s before expiry: inside the refresh margin
	rate()
	if n := f.sim.Stats()["oauth"]; n != 2 {
		t.Fatalf("%d token requests near expiry, want 2 (refreshed before it expired)", n)
	}
	f.clock.Advance(2 * time.Hour)
	rate()
	if n := f.sim.Stats()["oauth"]; n != 3 {
		t.Fatalf("%d token requests after expiry, want 3", n)
	}
}

func TestUnauthorizedRefreshesOnce(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	ctx := context.Background()
	if _, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()}); err != nil {
		t.Fatal(err)
	}
	f.sim.RevokeTokens() // UPS stops honouring the cached token
	if _, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()}); err != nil {
		t.Fatalf("after a revoked token: %v", err)
	}
	st := f.sim.Stats()
	if st["oauth"] != 2 || st["rates"] != 3 {
		t.Fatalf("stats %v: want 2 token requests and 3 rate requests (one refused, one retried)", st)
	}
	// A 401 that a new token does not cure is not retried forever.
	revoker := &revokingTransport{sim: f.sim}
	bad := f.client(t, func(cfg *carriers.AccountConfig, env *carriers.Env) {
		env.Shared = nil
		env.HTTPClient = revoker.client()
	})
	_, err := bad.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()})
	if shipgate.ErrorCode(err) != shipgate.CodeCarrierUnavailable {
		t.Fatalf("a refused account: %v, want carrier_unavailable", err)
	}
	if revoker.apiCalls() != 2 {
		t.Fatalf("%d API calls for a token refused twice, want 2 (one refresh)", revoker.apiCalls())
	}
}

func TestBadCredentials(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, func(cfg *carriers.AccountConfig, _ *carriers.Env) {
		cfg.Credentials["client_secret"] = shipgate.NewSecret("wrong-secret-value")
	})
	_, err := c.Rates(context.Background(), &carriers.RateRequest{Shipment: carriertest.DomesticUS()})
	e := shipgate.AsError(err)
	if e.Code != shipgate.CodeCarrierUnavailable || e.Carrier == nil || e.Carrier.Code != "10401" {
		t.Fatalf("refused credentials: %v, want carrier_unavailable with UPS's code 10401", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value") {
		t.Fatal("the secret is in the error")
	}
}

// TestTokenSharedThroughRedis runs two adapters (two gateway processes) of
// one account against real Redis: one token request between them.
func TestTokenSharedThroughRedis(t *testing.T) {
	url := os.Getenv("SHIPGATE_TEST_REDIS_URL")
	if url == "" {
		t.Skip("SHIPGATE_TEST_REDIS_URL is not set: skipping the shared-token test against Redis")
	}
	r, err := kv.NewRedis(url)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	f := newFixture(t) // a new simulator: a new port, so a new token key
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		c := f.client(t, func(_ *carriers.AccountConfig, env *carriers.Env) { env.Shared = r })
		for j := 0; j < 5; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()}); err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	if n := f.sim.Stats()["oauth"]; n != 1 {
		t.Fatalf("%d token requests from two processes sharing Redis, want 1", n)
	}
}
