package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/store"
	"github.com/shipgate/shipgate/store/storetest"
	"github.com/shipgate/shipgate/tracking"
	"github.com/shipgate/shipgate/webhooks"
)

// verify is an independent implementation of the receiver's check, written
// from the README's description, not from the package's code.
func verify(t *testing.T, header, secret string, body []byte) bool {
	t.Helper()
	var ts, sig string
	for _, kv := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(kv, "t="); ok {
			ts = v
		}
		if v, ok := strings.CutPrefix(kv, "v1="); ok {
			sig = v
		}
	}
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%s.%s", ts, body)
	want := hex.EncodeToString(m.Sum(nil))
	return ts != "" && hmac.Equal([]byte(sig), []byte(want))
}

func TestSignature(t *testing.T) {
	body := []byte(`{"id":"evt_1"}`)
	at := time.Unix(1_800_000_000, 0)
	h := webhooks.Sign("whsec_abc", at, body)
	if !strings.HasPrefix(h, "t=1800000000,v1=") || !verify(t, h, "whsec_abc", body) {
		t.Fatalf("signature %q does not verify independently", h)
	}
	if err := webhooks.Verify(h, "whsec_abc", body, at.Add(time.Minute), 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := webhooks.Verify(h, "whsec_abc", []byte(`{"id":"evt_2"}`), at, time.Minute); err == nil {
		t.Error("a tampered body verified")
	}
	if err := webhooks.Verify(h, "whsec_other", body, at, time.Minute); err == nil {
		t.Error("another secret verified")
	}
	if err := webhooks.Verify(h, "whsec_abc", body, at.Add(time.Hour), 5*time.Minute); err == nil {
		t.Error("an old signature verified (replay)")
	}
}

// receiver refuses the first refuse deliveries, then accepts; it records
// every accepted event id and checks every signature.
type receiver struct {
	mu       sync.Mutex
	refuse   int
	secret   string
	accepted map[string]int
	bodies   map[string]shipgate.Event
	badSigs  int
	requests int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if r.refuse > 0 {
		r.refuse--
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	var ev shipgate.Event
	if err := json.Unmarshal(body, &ev); err != nil || !verifyNoT(req.Header.Get(webhooks.SignatureHeader), r.secret, body) || req.Header.Get("Shipgate-Event-Id") != ev.ID {
		r.badSigs++
		http.Error(w, "bad signature", http.StatusBadRequest)
		return
	}
	r.accepted[ev.ID]++
	r.bodies[ev.ID] = ev
	w.WriteHeader(http.StatusNoContent)
}

func verifyNoT(header, secret string, body []byte) bool {
	ts, sig, _ := strings.Cut(header, ",v1=")
	ts = strings.TrimPrefix(ts, "t=")
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "." + string(body)))
	return hmac.Equal([]byte(sig), []byte(hex.EncodeToString(m.Sum(nil))))
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// emit writes n tracker.updated events through the tracker store, the way
// the tracking service does.
func emit(t *testing.T, db *store.DB, clk *clock, n int, prefix string) []string {
	t.Helper()
	var ids []string
	for i := 0; i < n; i++ {
		now := clk.now()
		id := fmt.Sprintf("evt_%s%d", prefix, i)
		data, _ := json.Marshal(shipgate.Tracking{TrackingNumber: fmt.Sprintf("SG%d", i), Status: shipgate.StatusInTransit})
		tk := &tracking.Tracker{ID: fmt.Sprintf("trk_%s%d", prefix, i), Carrier: "sb", Account: "sb", TrackingNumber: fmt.Sprintf("%s%d", prefix, i),
			Status: shipgate.StatusInTransit, CreatedAt: now, UpdatedAt: now}
		if _, err := db.CreateTracker(context.Background(), tk, &shipgate.Event{ID: id, Type: shipgate.EventTrackerUpdated, CreatedAt: now, Data: data}); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func newService(db *store.DB, clk *clock) *webhooks.Service {
	return webhooks.New(db, webhooks.Config{AllowPrivate: true, RetryBase: time.Second, Now: clk.now}, nil)
}

func TestDeliveredOnceAfterFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, url string) {
		clk := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
		rcv := &receiver{refuse: 7, accepted: map[string]int{}, bodies: map[string]shipgate.Event{}}
		srv := httptest.NewServer(rcv)
		defer srv.Close()
		svc := newService(db, clk)
		ctx := context.Background()
		w, err := svc.Create(ctx, srv.URL+"/hooks", []string{shipgate.EventTrackerUpdated})
		if err != nil {
			t.Fatal(err)
		}
		rcv.secret = w.Secret
		if !strings.HasPrefix(w.Secret, "whsec_") {
			t.Fatalf("secret %q", w.Secret)
		}
		if got, _ := svc.Get(ctx, w.ID); got.Secret != "" {
			t.Fatal("the secret is shown again after creation")
		}
		clk.advance(time.Second)
		ids := emit(t, db, clk, 4, "a")

		// A few rounds, then a restart: a new service on the same database.
		for round := 0; round < 3; round++ {
			if _, err := svc.DeliverOnce(ctx); err != nil {
				t.Fatal(err)
			}
			clk.advance(5 * time.Second)
		}
		svc = newService(reopen(t, db, url), clk)
		for round := 0; round < 40 && len(rcv.accepted) < len(ids); round++ {
			if _, err := svc.DeliverOnce(ctx); err != nil {
				t.Fatal(err)
			}
			clk.advance(10 * time.Second)
		}
		for round := 0; round < 5; round++ { // nothing more should go out
			_, _ = svc.DeliverOnce(ctx)
			clk.advance(time.Hour)
		}
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		if rcv.badSigs != 0 {
			t.Fatalf("%d deliveries failed the signature check", rcv.badSigs)
		}
		for _, id := range ids {
			if rcv.accepted[id] != 1 {
				t.Errorf("event %s accepted %d times, want exactly once", id, rcv.accepted[id])
			}
			if ev := rcv.bodies[id]; ev.Type != shipgate.EventTrackerUpdated || !strings.Contains(string(ev.Data), `"status":"in_transit"`) || ev.CreatedAt.IsZero() {
				t.Errorf("event body %+v", ev)
			}
		}
		ds, _, err := svc.Deliveries(ctx, w.ID, "", 50)
		if err != nil || len(ds) != 4 {
			t.Fatalf("deliveries %v %v", ds, err)
		}
		retried := 0
		for _, d := range ds {
			if d.Status != webhooks.StatusDelivered || d.DeliveredAt == nil || len(d.History) != d.Attempts {
				t.Errorf("delivery %+v", d)
			}
			if d.Attempts > 1 {
				retried++
				if d.History[0].StatusCode != 503 {
					t.Errorf("first attempt %+v", d.History[0])
				}
			}
		}
		if retried == 0 {
			t.Error("no delivery was retried although the receiver refused 7 times")
		}
	})
}

func reopen(t *testing.T, db *store.DB, url string) *store.DB {
	t.Helper()
	db2, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	return db2
}

func TestGivesUpAfterMaxAge(t *testing.T) {
	db, _ := storetest.SQLite(t)
	clk := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	rcv := &receiver{refuse: 1 << 30, accepted: map[string]int{}, bodies: map[string]shipgate.Event{}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	svc := webhooks.New(db, webhooks.Config{AllowPrivate: true, RetryBase: time.Minute, RetryMax: time.Hour, MaxAge: 24 * time.Hour, Now: clk.now}, nil)
	w, _ := svc.Create(context.Background(), srv.URL, []string{shipgate.EventTrackerUpdated})
	clk.advance(time.Second)
	emit(t, db, clk, 1, "g")
	for i := 0; i < 60; i++ {
		_, _ = svc.DeliverOnce(context.Background())
		clk.advance(time.Hour)
	}
	ds, _, _ := svc.Deliveries(context.Background(), w.ID, "", 10)
	if len(ds) != 1 || ds[0].Status != webhooks.StatusFailed {
		t.Fatalf("deliveries %+v", ds)
	}
	if ds[0].Attempts < 10 || ds[0].Attempts > 40 {
		t.Errorf("%d attempts over 24h with backoff from 1m to 1h", ds[0].Attempts)
	}
}

func TestOnlySubscribedAndLaterEvents(t *testing.T) {
	db, _ := storetest.SQLite(t)
	clk := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	rcv := &receiver{accepted: map[string]int{}, bodies: map[string]shipgate.Event{}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	emit(t, db, clk, 2, "before")
	clk.advance(time.Second)
	svc := newService(db, clk)
	w, _ := svc.Create(context.Background(), srv.URL, []string{shipgate.EventLabelPurchased})
	rcv.secret = w.Secret
	clk.advance(time.Second)
	emit(t, db, clk, 2, "after") // tracker.updated: not subscribed
	_, _ = svc.DeliverOnce(context.Background())
	if rcv.requests != 0 {
		t.Fatalf("%d deliveries of events the webhook did not ask for or that came before it", rcv.requests)
	}
}

func TestSSRFGuard(t *testing.T) {
	db, _ := storetest.SQLite(t)
	svc := webhooks.New(db, webhooks.Config{}, nil)
	ctx := context.Background()
	for _, u := range []string{
		"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/x", "http://10.1.2.3/x", "http://192.168.1.1/x",
		"http://172.20.0.1/x", "http://169.254.169.254/latest/meta-data", "http://100.64.0.1/x", "http://[fd00::1]/x",
		"http://0.0.0.0/x", "http://[::ffff:127.0.0.1]/x", "ftp://example.com/x", "http://user:pw@example.com/x", "/relative",
	} {
		if _, err := svc.Create(ctx, u, []string{shipgate.EventTrackerUpdated}); shipgate.ErrorCode(err) != shipgate.CodeInvalidRequest {
			t.Errorf("%s: %v, want invalid_request", u, err)
		}
	}
	if _, err := svc.Create(ctx, "https://8.8.8.8/hook", []string{shipgate.EventTrackerUpdated}); err != nil {
		t.Errorf("a public address was refused: %v", err)
	}
	if _, err := svc.Create(ctx, "https://8.8.8.8/hook", []string{"order.shipped"}); shipgate.ErrorCode(err) != shipgate.CodeInvalidRequest {
		t.Errorf("unknown event accepted: %v", err)
	}
	open := webhooks.New(db, webhooks.Config{AllowPrivate: true}, nil)
	if _, err := open.Create(ctx, "http://127.0.0.1:8080/hook", []string{shipgate.EventTrackerUpdated}); err != nil {
		t.Errorf("allow_private_destinations: %v", err)
	}
}

// TestGuardAtConnectionTime covers DNS rebinding: a destination that passed
// the check at creation but points at a private address when delivered.
func TestGuardAtConnectionTime(t *testing.T) {
	db, _ := storetest.SQLite(t)
	clk := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	rcv := &receiver{accepted: map[string]int{}, bodies: map[string]shipgate.Event{}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	// Registered as if its name had resolved to a public address.
	if err := db.CreateWebhook(context.Background(), &webhooks.Webhook{ID: "whk_rebind", URL: srv.URL, Events: []string{shipgate.EventTrackerUpdated}, Secret: "s", CreatedAt: clk.now()}); err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Second)
	emit(t, db, clk, 1, "r")
	svc := webhooks.New(db, webhooks.Config{Now: clk.now}, nil)
	if _, err := svc.DeliverOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rcv.requests != 0 {
		t.Fatal("a delivery reached a loopback address")
	}
	ds, _, _ := svc.Deliveries(context.Background(), "whk_rebind", "", 10)
	if len(ds) != 1 || !strings.Contains(ds[0].LastError, "private or loopback") {
		t.Fatalf("deliveries %+v", ds)
	}
}
