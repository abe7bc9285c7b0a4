package rating_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/cache"
	"github.com/shipgate/shipgate/kv"
	"github.com/shipgate/shipgate/rating"
)

// fake is a carrier account whose behaviour a test sets.
type fake struct {
	id      string
	price   int64
	days    int
	delay   time.Duration
	hang    bool
	mu      sync.Mutex
	err     error
	calls   atomic.Int64
	service string
}

func (f *fake) setErr(err error) { f.mu.Lock(); f.err = err; f.mu.Unlock() }

func (f *fake) Rates(ctx context.Context, req *carriers.RateRequest) ([]shipgate.Rate, error) {
	f.calls.Add(1)
	if f.hang {
		<-ctx.Done()
		return nil, &shipgate.Error{Code: shipgate.CodeCarrierTimeout, Message: "hung"}
	}
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return nil, &shipgate.Error{Code: shipgate.CodeCarrierTimeout, Message: "late"}
		}
	}
	f.mu.Lock()
	err := f.err
	f.mu.Unlock()
	if err != nil {
		return nil, err
	}
	svc := f.service
	if svc == "" {
		svc = "ground"
	}
	return []shipgate.Rate{{Carrier: "fake", Account: f.id, Service: svc, ServiceName: svc, CarrierServiceCode: "G",
		Total: shipgate.NewMoney(f.price, "USD"), TransitDays: f.days, QuotedAt: time.Now()}}, nil
}

func (f *fake) Services() []shipgate.Service {
	svc := f.service
	if svc == "" {
		svc = "ground"
	}
	return []shipgate.Service{{Code: svc, Name: svc, CarrierCode: "G", Domestic: true}}
}

func registry(t *testing.T, c *cache.Cache, fakes ...*fake) *carriers.Registry {
	t.Helper()
	r := carriers.NewRegistry()
	for _, f := range fakes {
		e := carriers.NewEntry(carriers.AccountConfig{ID: f.id, Carrier: "fake"}, f)
		if c != nil {
			c.Decorate(e)
		}
		if err := r.Register(e); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func shipment() shipgate.Shipment {
	return shipgate.Shipment{
		From:    shipgate.Address{Street1: "1 A", City: "Atlanta", PostalCode: "30309", Country: "US"},
		To:      shipgate.Address{Street1: "2 B", City: "SF", PostalCode: "94105", Country: "US"},
		Parcels: []shipgate.Parcel{{Weight: shipgate.Weight{Value: 1, Unit: shipgate.Pound}}},
	}
}

func service(reg *carriers.Registry, deadline time.Duration) *rating.Service {
	return rating.New(reg, kv.NewMemory(), nil, rating.Config{Deadline: deadline, QuoteTTL: time.Hour}, nil)
}

func TestSortedByTotalThenTransit(t *testing.T) {
	reg := registry(t, nil, &fake{id: "b", price: 900, days: 3}, &fake{id: "a", price: 500, days: 5}, &fake{id: "c", price: 900, days: 1})
	res, err := service(reg, time.Second).Shop(context.Background(), &rating.Request{Shipment: shipment()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res.Rates {
		got = append(got, r.Account)
		if r.ID == "" || r.ExpiresAt.IsZero() {
			t.Errorf("rate %s has no quote id or expiry", r.Account)
		}
	}
	if want := []string{"a", "c", "b"}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("order %v, want %v", got, want)
	}
}

func TestDeadlineGivesPartialResults(t *testing.T) {
	fast := &fake{id: "fast", price: 500}
	slow := &fake{id: "slow", price: 400, delay: time.Hour}
	hung := &fake{id: "hung", price: 300, hang: true}
	reg := registry(t, nil, fast, slow, hung)
	start := time.Now()
	res, err := service(reg, 100*time.Millisecond).Shop(context.Background(), &rating.Request{Shipment: shipment()})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 30*time.Second {
		t.Fatal("the deadline did not end the request")
	}
	if len(res.Rates) != 1 || res.Rates[0].Account != "fast" {
		t.Fatalf("rates %+v, want only the fast account's", res.Rates)
	}
	if len(res.Errors) != 2 {
		t.Fatalf("errors %+v, want the slow and the hung account", res.Errors)
	}
	for _, e := range res.Errors {
		if e.Code != shipgate.CodeCarrierTimeout || !e.Retryable {
			t.Errorf("%s: %+v, want a retryable carrier_timeout", e.Account, e)
		}
	}
}

func TestRequestTimeoutShortensDeadline(t *testing.T) {
	reg := registry(t, nil, &fake{id: "slow", price: 1, delay: time.Hour}, &fake{id: "ok", price: 2})
	res, err := service(reg, time.Hour).Shop(context.Background(), &rating.Request{Shipment: shipment(), Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rates) != 1 || len(res.Errors) != 1 || res.Errors[0].Account != "slow" {
		t.Fatalf("result %+v", res)
	}
}

func TestAllFailing(t *testing.T) {
	a := &fake{id: "a"}
	a.setErr(&shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "down"})
	b := &fake{id: "b"}
	b.setErr(&shipgate.Error{Code: shipgate.CodeRateLimited, Message: "slow down"})
	res, err := service(registry(t, nil, a, b), time.Second).Shop(context.Background(), &rating.Request{Shipment: shipment()})
	if shipgate.ErrorCode(err) != shipgate.CodeCarrierUnavailable {
		t.Fatalf("err = %v, want carrier_unavailable", err)
	}
	if res == nil || len(res.Errors) != 2 {
		t.Fatalf("result must carry both errors: %+v", res)
	}

	c := &fake{id: "c"}
	c.setErr(&shipgate.Error{Code: shipgate.CodeCarrierRejected, Message: "bad zip"})
	if _, err := service(registry(t, nil, c), time.Second).Shop(context.Background(), &rating.Request{Shipment: shipment()}); shipgate.ErrorCode(err) != shipgate.CodeCarrierRejected {
		t.Fatalf("all refusing: err = %v, want carrier_rejected", err)
	}
}

func TestCarrierSelection(t *testing.T) {
	a, b := &fake{id: "a", price: 1}, &fake{id: "b", price: 2, service: "express"}
	s := service(registry(t, nil, a, b), time.Second)
	res, err := s.Shop(context.Background(), &rating.Request{Shipment: shipment(), Carriers: []string{"b"}})
	if err != nil || len(res.Rates) != 1 || res.Rates[0].Account != "b" || a.calls.Load() != 0 {
		t.Fatalf("carriers [b]: %+v %v (a called %d times)", res, err, a.calls.Load())
	}
	res, err = s.Shop(context.Background(), &rating.Request{Shipment: shipment(), Carriers: []string{"fake"}})
	if err != nil || len(res.Rates) != 2 {
		t.Fatalf("carrier name selects all its accounts: %+v %v", res, err)
	}
	_, err = s.Shop(context.Background(), &rating.Request{Shipment: shipment(), Carriers: []string{"a", "nope"}})
	var se *shipgate.Error
	if shipgate.ErrorCode(err) != shipgate.CodeInvalidRequest {
		t.Fatalf("unknown carrier: %v", err)
	}
	if se = shipgate.AsError(err); len(se.Fields) != 1 || se.Fields[0].Field != "carriers[1]" {
		t.Fatalf("fields %+v, want carriers[1]", se.Fields)
	}
	res, err = s.Shop(context.Background(), &rating.Request{Shipment: shipment(), Services: []string{"express"}})
	if err != nil || len(res.Rates) != 1 || res.Rates[0].Account != "b" {
		t.Fatalf("services [express]: %+v %v", res, err)
	}
	if _, err = s.Shop(context.Background(), &rating.Request{Shipment: shipment(), Services: []string{"teleport"}}); shipgate.ErrorCode(err) != shipgate.CodeInvalidRequest {
		t.Fatalf("unknown service: %v", err)
	}
}

func TestFanOutIsConcurrent(t *testing.T) {
	var fakes []*fake
	for _, id := range []string{"a", "b", "c", "d"} {
		fakes = append(fakes, &fake{id: id, price: 1, delay: 200 * time.Millisecond})
	}
	res, err := service(registry(t, nil, fakes...), 500*time.Millisecond).Shop(context.Background(), &rating.Request{Shipment: shipment()})
	if err != nil {
		t.Fatal(err)
	}
	// Sequential calls would need 800ms and miss the 500ms deadline.
	if len(res.Rates) != 4 {
		t.Fatalf("%d rates of 4 within the deadline: the fan-out is not concurrent (%+v)", len(res.Rates), res.Errors)
	}
}

func newCache() *cache.Cache {
	return cache.New(kv.NewMemory(), cache.Config{RatesTTL: time.Minute, StaleTTL: time.Hour}, nil)
}

func TestCoalescing(t *testing.T) {
	f := &fake{id: "a", price: 1, delay: 50 * time.Millisecond}
	s := service(registry(t, newCache(), f), 5*time.Second)
	var wg sync.WaitGroup
	var ids sync.Map
	for i := 0; i < 40; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.Shop(context.Background(), &rating.Request{Shipment: shipment()})
			if err != nil {
				t.Error(err)
				return
			}
			ids.Store(res.Rates[0].ID, true)
		}()
	}
	wg.Wait()
	if n := f.calls.Load(); n != 1 {
		t.Fatalf("40 identical concurrent quotes made %d carrier calls, want 1", n)
	}
	n := 0
	ids.Range(func(any, any) bool { n++; return true })
	if n != 1 {
		t.Errorf("identical quotes got %d different ids, want 1", n)
	}
}

func TestCachedQuoteKeepsItsID(t *testing.T) {
	f := &fake{id: "a", price: 1}
	s := service(registry(t, newCache(), f), time.Second)
	first, _ := s.Shop(context.Background(), &rating.Request{Shipment: shipment()})
	second, _ := s.Shop(context.Background(), &rating.Request{Shipment: shipment()})
	if !second.Rates[0].Cached || second.Rates[0].ID != first.Rates[0].ID {
		t.Fatalf("cached rate id %s (cached %v), first %s", second.Rates[0].ID, second.Rates[0].Cached, first.Rates[0].ID)
	}
	q, err := s.Quote(context.Background(), second.Rates[0].ID)
	if err != nil || q.Rate.Total.Amount != 1 || q.Shipment.To.PostalCode != "94105" {
		t.Fatalf("quote %+v %v", q, err)
	}
}

func TestStaleOnError(t *testing.T) {
	f := &fake{id: "a", price: 1}
	clock := time.Now()
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	c := cache.New(kv.NewMemory(), cache.Config{RatesTTL: time.Minute, StaleTTL: time.Hour, Now: now}, nil)
	s := service(registry(t, c, f), time.Second)
	if _, err := s.Shop(context.Background(), &rating.Request{Shipment: shipment()}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	clock = clock.Add(10 * time.Minute)
	mu.Unlock()
	f.setErr(&shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "down"})
	res, err := s.Shop(context.Background(), &rating.Request{Shipment: shipment()})
	if err != nil || len(res.Rates) != 1 || !res.Rates[0].Stale || len(res.Errors) != 0 {
		t.Fatalf("carrier down with a 10-minute-old quote: %+v %v, want the stale quote", res, err)
	}
	if _, err := s.Quote(context.Background(), res.Rates[0].ID); err != nil {
		t.Fatalf("a stale quote must be buyable: %v", err)
	}
}

func TestQuoteExpiry(t *testing.T) {
	clock := time.Now()
	s := rating.New(registry(t, nil, &fake{id: "a", price: 1}), kv.NewMemory(), nil,
		rating.Config{Deadline: time.Second, QuoteTTL: time.Hour, Now: func() time.Time { return clock }}, nil)
	res, err := s.Shop(context.Background(), &rating.Request{Shipment: shipment()})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Rates[0].ID
	if _, err := s.Quote(context.Background(), "rate_nosuchquote"); shipgate.ErrorCode(err) != shipgate.CodeNotFound {
		t.Fatalf("unknown quote: %v", err)
	}
	clock = clock.Add(2 * time.Hour)
	_, err = s.Quote(context.Background(), id)
	if shipgate.ErrorCode(err) != shipgate.CodeNotFound {
		t.Fatalf("expired quote: %v, want not_found", err)
	}
	if msg := shipgate.ErrorMessage(err); !contains(msg, "expired") {
		t.Errorf("message %q does not say the quote expired", msg)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
