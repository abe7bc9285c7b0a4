package cache_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/cache"
	"github.com/shipgate/shipgate/kv"
	"github.com/shipgate/shipgate/kv/kvtest"
)

// fakeCarrier quotes one rate and tracks one number, counting calls; a test
// can make it fail, or block until released.
type fakeCarrier struct {
	calls   atomic.Int64
	mu      sync.Mutex
	err     error
	gate    chan struct{} // when not nil, calls wait for it
	status  shipgate.Status
	price   int64
	started chan struct{}
}

func (f *fakeCarrier) Rates(ctx context.Context, req *carriers.RateRequest) ([]shipgate.Rate, error) {
	f.calls.Add(1)
	f.mu.Lock()
	err, gate, price, started := f.err, f.gate, f.price, f.started
	f.mu.Unlock()
	if started != nil {
		started <- struct{}{}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, &shipgate.Error{Code: shipgate.CodeCarrierTimeout, Message: "late"}
		}
	}
	if err != nil {
		return nil, err
	}
	return []shipgate.Rate{{Account: "a", Service: "ground", Total: shipgate.NewMoney(price, "USD")}}, nil
}

func (f *fakeCarrier) Track(ctx context.Context, n string) (*shipgate.Tracking, error) {
	f.calls.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	return &shipgate.Tracking{TrackingNumber: n, Status: f.status, Events: []shipgate.TrackingEvent{{Status: f.status}}}, nil
}

type counts struct {
	mu sync.Mutex
	m  map[string]int
}

func (c *counts) CacheResult(kind, result string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[kind+"/"+result]++
}

func (c *counts) get(k string) int { c.mu.Lock(); defer c.mu.Unlock(); return c.m[k] }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time             { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration)    { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *clock                      { return &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)} }
func rreq(zip string) *carriers.RateRequest { return &carriers.RateRequest{Shipment: shipment(zip)} }

func shipment(zip string) shipgate.Shipment {
	return shipgate.Shipment{
		From:    shipgate.Address{Street1: "1 A St", City: "Atlanta", PostalCode: "30309", Country: "US"},
		To:      shipgate.Address{Street1: "2 B St", City: "SF", PostalCode: zip, Country: "US"},
		Parcels: []shipgate.Parcel{{Weight: shipgate.Weight{Value: 1, Unit: shipgate.Pound}}},
	}
}

type harness struct {
	f     *fakeCarrier
	e     *carriers.Entry
	clock *clock
	obs   *counts
}

func backends(t *testing.T) map[string]func(t *testing.T) cache.Backend {
	return map[string]func(t *testing.T) cache.Backend{
		"memory":    func(t *testing.T) cache.Backend { return kv.NewMemory() },
		"miniredis": func(t *testing.T) cache.Backend { return kvtest.NewMini(t).Store },
		"redis":     func(t *testing.T) cache.Backend { return kvtest.Real(t) },
	}
}

func setup(t *testing.T, b cache.Backend) *harness {
	t.Helper()
	h := &harness{f: &fakeCarrier{price: 1000, status: shipgate.StatusInTransit}, clock: newClock(), obs: &counts{}}
	h.e = carriers.NewEntry(carriers.AccountConfig{ID: "a", Carrier: "fake"}, h.f)
	c := cache.New(b, cache.Config{
		RatesTTL: 10 * time.Minute, StaleTTL: 24 * time.Hour, Now: h.clock.now,
		// A generous budget: on a loaded machine a backend call may be slow, and
		// a timed-out store would be a legitimate (fail-open) extra carrier call.
		Budget: 2 * time.Second,
		TrackingTTL: func(s shipgate.Status) time.Duration {
			switch s {
			case shipgate.StatusOutForDelivery:
				return time.Minute
			case shipgate.StatusDelivered:
				return 24 * time.Hour
			}
			return 15 * time.Minute
		},
	}, h.obs)
	c.Decorate(h.e)
	return h
}

func TestCache(t *testing.T) {
	for name, mk := range backends(t) {
		t.Run(name, func(t *testing.T) {
			t.Run("hit", func(t *testing.T) { testHit(t, setup(t, mk(t))) })
			t.Run("normalized_key", func(t *testing.T) { testNormalizedKey(t, setup(t, mk(t))) })
			t.Run("expiry", func(t *testing.T) { testExpiry(t, setup(t, mk(t))) })
			t.Run("coalescing", func(t *testing.T) { testCoalescing(t, setup(t, mk(t))) })
			t.Run("stale_on_error", func(t *testing.T) { testStale(t, setup(t, mk(t))) })
			t.Run("stale_on_deadline", func(t *testing.T) { testStaleOnDeadline(t, setup(t, mk(t))) })
			t.Run("late_answer_fills_cache", func(t *testing.T) { testLateAnswer(t, setup(t, mk(t))) })
			t.Run("tracking_ttl_by_status", func(t *testing.T) { testTrackingTTL(t, setup(t, mk(t))) })
		})
	}
}

func mustRates(t *testing.T, h *harness, req *carriers.RateRequest) []shipgate.Rate {
	t.Helper()
	r, err := h.e.Rater.Rates(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func testHit(t *testing.T, h *harness) {
	first := mustRates(t, h, rreq("94105"))
	second := mustRates(t, h, rreq("94105"))
	if first[0].Cached || !second[0].Cached || second[0].Stale {
		t.Fatalf("cached flags: first %v, second %v/%v", first[0].Cached, second[0].Cached, second[0].Stale)
	}
	if second[0].Total != first[0].Total {
		t.Fatalf("cached total %v != %v", second[0].Total, first[0].Total)
	}
	if n := h.f.calls.Load(); n != 1 {
		t.Fatalf("carrier called %d times, want 1", n)
	}
	second[0].ID = "changed by a caller"
	if third := mustRates(t, h, rreq("94105")); third[0].ID != "" {
		t.Fatal("a caller's change leaked into the cache")
	}
	mustRates(t, h, rreq("10001"))
	if n := h.f.calls.Load(); n != 2 {
		t.Fatalf("another shipment did not call the carrier (calls %d)", n)
	}
	if h.obs.get("rates/hit") != 2 || h.obs.get("rates/miss") != 2 {
		t.Errorf("observer: %v", h.obs.m)
	}
}

func testNormalizedKey(t *testing.T, h *harness) {
	mustRates(t, h, rreq("94105"))
	r := rreq(" 94105 ")
	r.Shipment.To.Country = "us"
	if got := mustRates(t, h, r); !got[0].Cached {
		t.Fatal("the same shipment spelled differently missed the cache")
	}
}

func testExpiry(t *testing.T, h *harness) {
	mustRates(t, h, rreq("94105"))
	h.clock.advance(11 * time.Minute)
	h.f.mu.Lock()
	h.f.price = 2000
	h.f.mu.Unlock()
	got := mustRates(t, h, rreq("94105"))
	if got[0].Cached || got[0].Total.Amount != 2000 {
		t.Fatalf("after the TTL: %+v", got[0])
	}
}

func testCoalescing(t *testing.T, h *harness) {
	gate := make(chan struct{})
	h.f.mu.Lock()
	h.f.gate = gate
	h.f.mu.Unlock()
	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := h.e.Rater.Rates(context.Background(), rreq("94105"))
			errs <- err
		}()
	}
	// Wait until the first call reached the carrier, then give the others time to queue.
	for h.f.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	close(gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// Callers that arrived after the answer was stored are cache hits; either
	// way the carrier saw one call.
	if c := h.f.calls.Load(); c != 1 {
		t.Fatalf("%d identical concurrent requests made %d carrier calls, want 1", n, c)
	}
}

func testStale(t *testing.T, h *harness) {
	mustRates(t, h, rreq("94105"))
	h.clock.advance(time.Hour)
	h.f.mu.Lock()
	h.f.err = &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "down"}
	h.f.mu.Unlock()
	got := mustRates(t, h, rreq("94105"))
	if !got[0].Stale || !got[0].Cached {
		t.Fatalf("carrier down with a 1h-old entry: %+v, want stale", got[0])
	}
	h.f.mu.Lock()
	h.f.err = &shipgate.Error{Code: shipgate.CodeCarrierRejected, Message: "bad address"}
	h.f.mu.Unlock()
	if _, err := h.e.Rater.Rates(context.Background(), rreq("94105")); shipgate.ErrorCode(err) != shipgate.CodeCarrierRejected {
		t.Fatalf("a refusal must not be hidden by a stale entry: %v", err)
	}
	h.clock.advance(24 * time.Hour)
	h.f.mu.Lock()
	h.f.err = &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "down"}
	h.f.mu.Unlock()
	if _, err := h.e.Rater.Rates(context.Background(), rreq("94105")); err == nil {
		t.Fatal("an entry older than the stale TTL was served")
	}
	if h.obs.get("rates/stale") != 1 {
		t.Errorf("observer: %v", h.obs.m)
	}
}

func testStaleOnDeadline(t *testing.T, h *harness) {
	mustRates(t, h, rreq("94105"))
	h.clock.advance(time.Hour)
	gate := make(chan struct{})
	defer close(gate)
	h.f.mu.Lock()
	h.f.gate = gate
	h.f.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	got, err := h.e.Rater.Rates(ctx, rreq("94105"))
	if err != nil || !got[0].Stale {
		t.Fatalf("slow carrier at the deadline: %v %+v, want the stale entry", err, got)
	}
}

func testLateAnswer(t *testing.T, h *harness) {
	gate := make(chan struct{})
	started := make(chan struct{}, 1)
	h.f.mu.Lock()
	h.f.gate, h.f.started = gate, started
	h.f.mu.Unlock()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := h.e.Rater.Rates(ctx, rreq("94105"))
		done <- err
	}()
	<-started
	cancel()
	if err := <-done; shipgate.ErrorCode(err) != shipgate.CodeCarrierTimeout {
		t.Fatalf("caller gave up: %v, want carrier_timeout", err)
	}
	h.f.mu.Lock()
	h.f.gate, h.f.started = nil, nil
	h.f.mu.Unlock()
	close(gate) // the detached call completes and stores its answer
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := mustRates(t, h, rreq("94105"))
		if got[0].Cached {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the late answer never reached the cache")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func testTrackingTTL(t *testing.T, h *harness) {
	track := func() *shipgate.Tracking {
		tr, err := h.e.Tracker.Track(context.Background(), "T1")
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	set := func(s shipgate.Status) { h.f.mu.Lock(); h.f.status = s; h.f.mu.Unlock() }
	set(shipgate.StatusOutForDelivery)
	track()
	h.clock.advance(30 * time.Second)
	if !track().Cached {
		t.Fatal("out for delivery, 30s old: want cached")
	}
	h.clock.advance(45 * time.Second)
	set(shipgate.StatusDelivered)
	if tr := track(); tr.Cached || tr.Status != shipgate.StatusDelivered {
		t.Fatalf("out for delivery, 75s old: want a fresh answer, got %+v", tr)
	}
	h.clock.advance(20 * time.Hour)
	if !track().Cached {
		t.Fatal("delivered, 20h old: want cached")
	}
}

func TestRedisGoesAway(t *testing.T) {
	mini := kvtest.NewMini(t)
	h := &harness{f: &fakeCarrier{price: 1000}, clock: newClock(), obs: &counts{}}
	h.e = carriers.NewEntry(carriers.AccountConfig{ID: "a", Carrier: "fake"}, h.f)
	cache.New(mini.Store, cache.Config{RatesTTL: time.Minute, Now: h.clock.now, Bypass: 5 * time.Millisecond, Budget: 100 * time.Millisecond}, h.obs).Decorate(h.e)

	mustRates(t, h, rreq("94105"))
	if !mustRates(t, h, rreq("94105"))[0].Cached {
		t.Fatal("no caching with Redis up")
	}
	mini.Stop()
	for i := 0; i < 3; i++ {
		got := mustRates(t, h, rreq("94105")) // fails open: answered by the carrier
		if got[0].Cached {
			t.Fatal("cached answer while Redis is down")
		}
	}
	if h.obs.get("rates/error") == 0 {
		t.Error("backend failures were not counted")
	}
	mini.Restart(t)
	deadline := time.Now().Add(5 * time.Second)
	for {
		time.Sleep(10 * time.Millisecond) // past the bypass window
		mustRates(t, h, rreq("10001"))
		if mustRates(t, h, rreq("10001"))[0].Cached {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cache did not come back after Redis returned")
		}
	}
}
