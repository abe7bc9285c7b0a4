package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/labels"
	"github.com/shipgate/shipgate/store"
	"github.com/shipgate/shipgate/store/storetest"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func pending(id, key string) *labels.Record {
	return &labels.Record{
		Label: shipgate.Label{ID: id, Status: shipgate.LabelPending, Carrier: "sandbox", Account: "sb", Service: "sandbox_ground",
			Parcels: []shipgate.LabelParcel{}, CreatedAt: t0, UpdatedAt: t0},
		Scope: "wms", IdempotencyKey: key, RequestHash: "h-" + key,
		Spec:       labels.Spec{Account: "sb", Service: "sandbox_ground", Format: shipgate.FormatPDF, Reference: "ref-" + key},
		LeaseUntil: t0.Add(time.Minute),
	}
}

func TestLabelStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, url string) {
		ctx := context.Background()
		r := pending("lbl_1", "key-1")
		if existing, err := db.InsertPending(ctx, r); err != nil || existing != nil {
			t.Fatalf("insert: %v %v", existing, err)
		}
		dup := pending("lbl_2", "key-1")
		existing, err := db.InsertPending(ctx, dup)
		if err != nil || existing == nil || existing.Label.ID != "lbl_1" {
			t.Fatalf("the same key made a second record: %+v %v", existing, err)
		}
		other := pending("lbl_3", "key-1")
		other.Scope = "another-key-holder"
		if existing, err := db.InsertPending(ctx, other); err != nil || existing != nil {
			t.Fatalf("keys are per scope: %v %v", existing, err)
		}

		l := r.Label
		l.Status, l.TrackingNumber, l.ShipmentID = shipgate.LabelPurchased, "SG1", "SG1"
		total := shipgate.NewMoney(1234, "USD")
		l.Total = &total
		l.Parcels = []shipgate.LabelParcel{{TrackingNumber: "SG1"}, {TrackingNumber: "SG2"}}
		l.UpdatedAt = t0.Add(time.Second)
		docs := []labels.StoredDocument{{Parcel: 0, Format: shipgate.FormatPDF, Data: []byte("%PDF-1")}, {Parcel: 1, Format: shipgate.FormatPDF, Data: []byte("%PDF-2")}}
		ev := &shipgate.Event{ID: "evt_1", Type: shipgate.EventLabelPurchased, CreatedAt: t0, Data: []byte(`{"id":"lbl_1"}`)}
		if err := db.Complete(ctx, &l, docs, ev); err != nil {
			t.Fatal(err)
		}
		if err := db.Complete(ctx, &l, docs, ev); err == nil {
			t.Fatal("a label was completed twice")
		}

		got, err := db.Get(ctx, "lbl_1")
		if err != nil || got.Label.Status != shipgate.LabelPurchased || got.Label.Total.Amount != 1234 || len(got.Label.Parcels) != 2 || got.Spec.Reference != "ref-key-1" {
			t.Fatalf("get: %+v %v", got, err)
		}
		if _, err := db.Get(ctx, "lbl_nope"); shipgate.ErrorCode(err) != shipgate.CodeNotFound {
			t.Fatalf("missing label: %v", err)
		}
		ds, err := db.Documents(ctx, "lbl_1")
		if err != nil || len(ds) != 2 || string(ds[1].Data) != "%PDF-2" {
			t.Fatalf("documents %+v %v", ds, err)
		}
		if err := db.AddDocument(ctx, "lbl_1", labels.StoredDocument{Parcel: 0, Format: shipgate.FormatPNG, Data: []byte{1, 2, 3}}); err != nil {
			t.Fatal(err)
		}

		byTN, _, err := db.List(ctx, labels.Filter{TrackingNumber: "SG2"})
		if err != nil || len(byTN) != 1 || byTN[0].Label.ID != "lbl_1" {
			t.Fatalf("list by a parcel's tracking number: %v %v", byTN, err)
		}

		ok, err := db.MarkVoided(ctx, "lbl_1", t0.Add(time.Hour), &shipgate.Event{ID: "evt_2", Type: shipgate.EventLabelVoided, CreatedAt: t0, Data: []byte(`{}`)})
		if err != nil || !ok {
			t.Fatalf("void: %v %v", ok, err)
		}
		if ok, err := db.MarkVoided(ctx, "lbl_1", t0.Add(time.Hour), &shipgate.Event{ID: "evt_3", Type: shipgate.EventLabelVoided, CreatedAt: t0, Data: []byte(`{}`)}); err != nil || ok {
			t.Fatalf("second void: %v %v", ok, err)
		}
		got, _ = db.Get(ctx, "lbl_1")
		if got.Label.Status != shipgate.LabelVoided || got.Label.VoidedAt == nil {
			t.Fatalf("after void: %+v", got.Label)
		}

		// Restart: a new connection to the same database sees everything.
		db2, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer db2.Close()
		again, err := db2.Get(ctx, "lbl_1")
		if err != nil || again.Label.TrackingNumber != "SG1" || again.Label.Status != shipgate.LabelVoided {
			t.Fatalf("after reopening: %+v %v", again, err)
		}
	})
}

func TestLeasesFailuresAndRetry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ string) {
		ctx := context.Background()
		_, _ = db.InsertPending(ctx, pending("lbl_a", "a"))
		_, _ = db.InsertPending(ctx, pending("lbl_b", "b"))
		ids, err := db.ExpireLeases(ctx, t0.Add(30*time.Second))
		if err != nil || len(ids) != 0 {
			t.Fatalf("leases expired early: %v %v", ids, err)
		}
		if ok, err := db.Fail(ctx, "lbl_b", shipgate.LabelFailed, &shipgate.ErrorBody{Code: shipgate.CodeCarrierRejected, Message: "no"}, t0, shipgate.LabelPending); !ok || err != nil {
			t.Fatalf("fail: %v %v", ok, err)
		}
		ids, err = db.ExpireLeases(ctx, t0.Add(2*time.Minute))
		if err != nil || len(ids) != 1 || ids[0] != "lbl_a" {
			t.Fatalf("expired %v %v, want lbl_a only", ids, err)
		}
		a, _ := db.Get(ctx, "lbl_a")
		if a.Label.Status != shipgate.LabelInDoubt || a.Label.Error == nil {
			t.Fatalf("lbl_a: %+v", a.Label)
		}
		if n, err := db.CountByStatus(ctx, shipgate.LabelInDoubt); n != 1 || err != nil {
			t.Fatalf("in doubt count %d %v", n, err)
		}
		if ok, _ := db.Retry(ctx, "lbl_a", a.Spec, t0.Add(time.Hour), t0); ok {
			t.Fatal("an in-doubt purchase was retried")
		}
		b, _ := db.Get(ctx, "lbl_b")
		if ok, err := db.Retry(ctx, "lbl_b", b.Spec, t0.Add(time.Hour), t0); !ok || err != nil {
			t.Fatalf("a failed purchase could not be retried: %v", err)
		}
		if ok, _ := db.Retry(ctx, "lbl_b", b.Spec, t0.Add(time.Hour), t0); ok {
			t.Fatal("retried twice: two buyers for one key")
		}
	})
}

func TestListPagination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, _ string) {
		ctx := context.Background()
		for i := 0; i < 7; i++ {
			r := pending(fmt.Sprintf("lbl_%02d", i), fmt.Sprintf("k%d", i))
			r.Label.CreatedAt = t0.Add(time.Duration(i/2) * time.Second) // ties on created_at
			if i%2 == 0 {
				r.Spec.Reference = "even"
			}
			if _, err := db.InsertPending(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		var seen []string
		cursor := ""
		for page := 0; page < 10; page++ {
			recs, next, err := db.List(ctx, labels.Filter{Limit: 3, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				seen = append(seen, r.Label.ID)
			}
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != 7 {
			t.Fatalf("pages gave %v", seen)
		}
		for i := 1; i < len(seen); i++ {
			if seen[i] == seen[i-1] {
				t.Fatalf("duplicate across pages: %v", seen)
			}
		}
		even, _, _ := db.List(ctx, labels.Filter{Reference: "even"})
		if len(even) != 4 {
			t.Fatalf("by reference: %d", len(even))
		}
		if _, _, err := db.List(ctx, labels.Filter{Cursor: "!!!"}); shipgate.ErrorCode(err) != shipgate.CodeInvalidRequest {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

func TestOpenBadURL(t *testing.T) {
	for _, u := range []string{"mysql://x", "sqlite://", "postgres://user:hunter2@127.0.0.1:1/none?connect_timeout=1"} {
		_, err := store.Open(context.Background(), u)
		if err == nil {
			t.Errorf("%s opened", u)
			continue
		}
		if contains(err.Error(), "hunter2") {
			t.Errorf("error reveals the password: %v", err)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
