package tracking_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
	"github.com/shipgate/shipgate/carriers/sandbox"
	"github.com/shipgate/shipgate/store"
	"github.com/shipgate/shipgate/store/storetest"
	"github.com/shipgate/shipgate/tracking"
)

var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func ev(h int, status shipgate.Status, code, desc string) shipgate.TrackingEvent {
	return shipgate.TrackingEvent{Time: t0.Add(time.Duration(h) * time.Hour), Status: status, CarrierCode: code, Description: desc}
}

func TestNormalize(t *testing.T) {
	tr := &shipgate.Tracking{Events: []shipgate.TrackingEvent{
		ev(1, shipgate.StatusInTransit, "PU", "Picked up"),
		ev(5, shipgate.StatusOutForDelivery, "OD", "Out for delivery"),
		ev(1, shipgate.StatusInTransit, "PU", "Picked up"), // a repeated scan
		ev(6, shipgate.StatusUnknown, "XX", "Something odd"),
		ev(3, "sideways", "AR", "Arrived"), // not a normalized status
		ev(0, shipgate.StatusPreTransit, "LC", "Label created"),
	}}
	unmapped := tracking.Normalize(tr)
	if len(tr.Events) != 5 {
		t.Fatalf("%d events after de-duplication, want 5", len(tr.Events))
	}
	for i := 1; i < len(tr.Events); i++ {
		if tr.Events[i].Time.After(tr.Events[i-1].Time) {
			t.Fatal("events are not newest first")
		}
	}
	if tr.Status != shipgate.StatusOutForDelivery {
		t.Errorf("status %s: the newest known status is out_for_delivery (the newer event is unmapped)", tr.Status)
	}
	if tr.CarrierStatus.Code != "XX" {
		t.Errorf("carrier status %+v: it is the newest event's, mapped or not", tr.CarrierStatus)
	}
	if len(unmapped) != 2 || tr.Events[2].Status != shipgate.StatusUnknown {
		t.Errorf("unmapped %+v; the invalid status must become unknown", unmapped)
	}
	empty := &shipgate.Tracking{}
	tracking.Normalize(empty)
	if empty.Status != shipgate.StatusUnknown || empty.Events == nil {
		t.Errorf("empty tracking: %+v", empty)
	}
}

func TestChanged(t *testing.T) {
	a := &shipgate.Tracking{Status: shipgate.StatusInTransit, Events: []shipgate.TrackingEvent{ev(1, shipgate.StatusInTransit, "PU", "x")}}
	b := *a
	if tracking.Changed(a, &b) {
		t.Error("equal trackings changed")
	}
	b.Events = append([]shipgate.TrackingEvent{ev(2, shipgate.StatusInTransit, "AR", "y")}, a.Events...)
	if !tracking.Changed(a, &b) {
		t.Error("a new event is a change")
	}
	if !tracking.Changed(nil, a) {
		t.Error("the first tracking is a change")
	}
}

// fakeTracker answers per number; it counts calls and concurrency.
type fakeTracker struct {
	calls, inFlight, maxInFlight atomic.Int64
	batches                      atomic.Int64
	delay                        time.Duration
}

func (f *fakeTracker) Track(ctx context.Context, n string) (*shipgate.Tracking, error) {
	f.calls.Add(1)
	cur := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxInFlight.Load()
		if cur <= m || f.maxInFlight.CompareAndSwap(m, cur) {
			break
		}
	}
	time.Sleep(f.delay)
	switch n {
	case "missing":
		return nil, shipgate.Errorf(shipgate.CodeNotFound, "no such number")
	case "broken":
		return nil, &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "down"}
	}
	return &shipgate.Tracking{TrackingNumber: n, Events: []shipgate.TrackingEvent{ev(1, shipgate.StatusInTransit, "PU", n)}}, nil
}

type fakeBatch struct{ fakeTracker }

func (f *fakeBatch) MaxBatch() int { return 3 }

func (f *fakeBatch) TrackBatch(ctx context.Context, ns []string) ([]carriers.TrackResult, error) {
	f.batches.Add(1)
	out := make([]carriers.TrackResult, len(ns))
	for i, n := range ns {
		out[i].Tracking, out[i].Err = f.Track(ctx, n)
	}
	return out, nil
}

func TestTrackBatch(t *testing.T) {
	single := &fakeTracker{delay: 20 * time.Millisecond}
	batch := &fakeBatch{}
	reg := carriers.NewRegistry()
	_ = reg.Register(&carriers.Entry{ID: "one", Carrier: "acme", Tracker: single})
	_ = reg.Register(&carriers.Entry{ID: "many", Carrier: "bulk", BatchTracker: batch})
	svc := tracking.New(reg, nil, tracking.Config{Concurrency: 2}, nil, nil)
	items := []tracking.Item{
		{"one", "A1"}, {"nope", "X"}, {"one", "missing"}, {"one", "broken"}, {"many", "B1"},
		{"bulk", "B2"}, {"many", "B3"}, {"many", "B4"}, {"one", "A1"}, {"one", "A2"}, {"one", "A3"},
	}
	rs := svc.TrackBatch(context.Background(), items)
	if len(rs) != len(items) {
		t.Fatalf("%d results for %d items", len(rs), len(items))
	}
	want := []shipgate.Code{"", shipgate.CodeNotFound, shipgate.CodeNotFound, shipgate.CodeCarrierUnavailable, "", "", "", "", "", "", ""}
	for i, r := range rs {
		if r.Item != items[i] {
			t.Errorf("result %d is for %+v, want %+v (order)", i, r.Item, items[i])
		}
		if got := shipgate.ErrorCode(r.Err); got != want[i] {
			t.Errorf("result %d (%+v): code %q, want %q", i, items[i], got, want[i])
		}
		if r.Err == nil && (r.Tracking == nil || r.Tracking.TrackingNumber != items[i].TrackingNumber || r.Tracking.Status != shipgate.StatusInTransit) {
			t.Errorf("result %d: %+v", i, r.Tracking)
		}
	}
	if n := single.calls.Load(); n != 5 {
		t.Errorf("single tracker: %d calls, want 5 (A1 is asked twice, tracked once)", n)
	}
	if m := single.maxInFlight.Load(); m > 2 {
		t.Errorf("%d concurrent calls on one account, bound is 2", m)
	}
	if n := batch.batches.Load(); n != 2 {
		t.Errorf("batch tracker: %d calls for 4 numbers at 3 per call, want 2", n)
	}
}

type unmappedCounter struct {
	mu sync.Mutex
	m  map[string]int
}

func (u *unmappedCounter) TrackingUnmapped(carrier, code string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.m[carrier+"/"+code]++
}

func sandboxRegistry(t *testing.T, clock func() time.Time) *carriers.Registry {
	t.Helper()
	cfg := carriers.AccountConfig{ID: "sb", Carrier: "sandbox", Options: map[string]any{"time_scale": 3600}}
	sb, err := sandbox.New(cfg, carriers.Env{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	reg := carriers.NewRegistry()
	_ = reg.Register(carriers.NewEntry(cfg, sb))
	return reg
}

func TestUnmappedCounted(t *testing.T) {
	obs := &unmappedCounter{m: map[string]int{}}
	svc := tracking.New(sandboxRegistry(t, time.Now), nil, tracking.Config{}, obs, nil)
	tr, err := svc.Track(context.Background(), "sandbox", "SGUNMAPPED")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Events[0].Status != shipgate.StatusUnknown || obs.m["sandbox/ZZ"] != 1 {
		t.Fatalf("unmapped: %+v %v", tr.Events[0], obs.m)
	}
	if tr.Status != shipgate.StatusInTransit {
		t.Errorf("status %s: an unmapped newest event keeps the last known status", tr.Status)
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestPoller drives trackers with a fake clock: a sandbox label travels a
// simulated hour per second, the poller runs every second and emits
// tracker.updated on every change, and stops at delivered.
func TestPoller(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ string) {
		clk := &clock{t: t0}
		reg := sandboxRegistry(t, clk.now)
		svc := tracking.New(reg, db, tracking.Config{PollInterval: 10 * time.Second, Now: clk.now}, nil, nil)
		e, _ := reg.Lookup("sb")
		p, err := e.Labeler.Purchase(context.Background(), &carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "sandbox_ground"})
		if err != nil {
			t.Fatal(err)
		}
		tk, created, err := svc.CreateTracker(context.Background(), "sandbox", p.TrackingNumber)
		if err != nil || !created || tk.Status != shipgate.StatusPreTransit || !tk.Active {
			t.Fatalf("create: %+v %v %v", tk, created, err)
		}
		again, created, err := svc.CreateTracker(context.Background(), "sb", p.TrackingNumber)
		if err != nil || created || again.ID != tk.ID {
			t.Fatalf("a second tracker for the same number: %+v %v", again, err)
		}
		if n, _ := svc.PollOnce(context.Background()); n != 0 {
			t.Fatalf("polled %d trackers before they were due", n)
		}
		polls := 0
		for i := 0; i < 200; i++ {
			clk.advance(10 * time.Second)
			n, err := svc.PollOnce(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			polls += n
			got, _ := svc.GetTracker(context.Background(), tk.ID)
			if !got.Active {
				if got.Status != shipgate.StatusDelivered || got.NextPollAt != nil {
					t.Fatalf("inactive tracker %+v", got)
				}
				break
			}
		}
		got, _ := svc.GetTracker(context.Background(), tk.ID)
		if got.Status != shipgate.StatusDelivered {
			t.Fatalf("after 2000 simulated hours the tracker says %s", got.Status)
		}
		clk.advance(time.Hour)
		if n, _ := svc.PollOnce(context.Background()); n != 0 {
			t.Fatal("a delivered tracker was polled again")
		}
		// 70 simulated hours at one per second, polled every 10s (20s before pickup).
		if polls < 4 {
			t.Errorf("only %d polls", polls)
		}
		if _, err := db.GetTracker(context.Background(), "trk_nope"); shipgate.ErrorCode(err) != shipgate.CodeNotFound {
			t.Errorf("missing tracker: %v", err)
		}
	})
}

func TestPollersNeverShareATracker(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ string) {
		ctx := context.Background()
		for i := 0; i < 60; i++ {
			now := t0
			tk := &tracking.Tracker{ID: "trk_" + string(rune('a'+i/26)) + string(rune('a'+i%26)), Carrier: "sb", Account: "sb",
				TrackingNumber: "N" + string(rune('a'+i/26)) + string(rune('a'+i%26)), Status: shipgate.StatusInTransit, Active: true,
				NextPollAt: &now, CreatedAt: t0, UpdatedAt: t0}
			if _, err := db.CreateTracker(ctx, tk, nil); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for p := 0; p < 6; p++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for round := 0; round < 5; round++ {
					ts, err := db.ClaimTrackers(ctx, t0.Add(time.Minute), t0.Add(time.Hour), 7)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					for _, tk := range ts {
						seen[tk.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 60 {
			t.Errorf("%d trackers claimed, want all 60", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("tracker %s claimed %d times by concurrent pollers", id, n)
			}
		}
	})
}
