package labels_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
	"github.com/shipgate/shipgate/carriers/sandbox"
	"github.com/shipgate/shipgate/document"
	"github.com/shipgate/shipgate/internal/barcodescan"
	"github.com/shipgate/shipgate/kv"
	"github.com/shipgate/shipgate/labels"
	"github.com/shipgate/shipgate/rating"
	"github.com/shipgate/shipgate/store"
	"github.com/shipgate/shipgate/store/storetest"
)

// counting wraps a Labeler, counting purchases; hook runs before each.
type counting struct {
	next  carriers.Labeler
	calls atomic.Int64
	hook  func(ctx context.Context) error
}

func (c *counting) Purchase(ctx context.Context, req *carriers.PurchaseRequest) (*shipgate.Purchase, error) {
	c.calls.Add(1)
	if c.hook != nil {
		if err := c.hook(ctx); err != nil {
			return nil, err
		}
	}
	return c.next.Purchase(ctx, req)
}

type env struct {
	svc   *labels.Service
	db    *store.DB
	url   string
	reg   *carriers.Registry
	rates *rating.Service
	buys  *counting
	sb    *sandbox.Client
}

func setup(t *testing.T, db *store.DB, url string, opts map[string]any) *env {
	t.Helper()
	cfg := carriers.AccountConfig{ID: "sb", Carrier: "sandbox", Options: opts}
	sb, err := sandbox.New(cfg, carriers.Env{})
	if err != nil {
		t.Fatal(err)
	}
	e := carriers.NewEntry(cfg, sb)
	buys := &counting{next: e.Labeler}
	e.Labeler = buys
	reg := carriers.NewRegistry()
	if err := reg.Register(e); err != nil {
		t.Fatal(err)
	}
	rates := rating.New(reg, kv.NewMemory(), nil, rating.Config{QuoteTTL: time.Hour}, nil)
	svc := labels.New(db, rates, reg, labels.Config{Wait: 10 * time.Second}, nil, nil)
	t.Cleanup(svc.Close)
	return &env{svc: svc, db: db, url: url, reg: reg, rates: rates, buys: buys, sb: sb}
}

func byShipment(key string) *labels.PurchaseInput {
	sh := carriertest.DomesticUS()
	return &labels.PurchaseInput{Scope: "wms", IdempotencyKey: key, Shipment: &sh, Account: "sb", Service: "sandbox_ground", Format: shipgate.FormatPDF}
}

func TestPurchaseReplayConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, url string) {
		e := setup(t, db, url, nil)
		ctx := context.Background()
		res, err := e.svc.Purchase(ctx, byShipment("order-1"))
		if err != nil {
			t.Fatal(err)
		}
		l := res.Label
		if res.Replayed || l.Status != shipgate.LabelPurchased || !strings.HasPrefix(l.TrackingNumber, "SG") || len(l.Parcels) != 2 || l.Total == nil || l.Label == nil {
			t.Fatalf("label %+v", l)
		}
		pages, err := document.ValidatePDF(l.Label.Data)
		if err != nil || len(pages) != 2 {
			t.Fatalf("the merged PDF of 2 parcels: %d pages, %v", len(pages), err)
		}

		again, err := e.svc.Purchase(ctx, byShipment("order-1"))
		if err != nil || !again.Replayed || again.Label.ID != l.ID || again.Label.TrackingNumber != l.TrackingNumber || len(again.Label.Label.Data) == 0 {
			t.Fatalf("replay: %+v %v", again, err)
		}
		other := byShipment("order-1")
		other.Service = "sandbox_express"
		if _, err := e.svc.Purchase(ctx, other); shipgate.ErrorCode(err) != shipgate.CodeConflict {
			t.Fatalf("same key, other body: %v, want conflict", err)
		}
		if n := e.buys.calls.Load(); n != 1 {
			t.Fatalf("%d carrier purchases, want 1", n)
		}
		noKey := byShipment("")
		if _, err := e.svc.Purchase(ctx, noKey); shipgate.ErrorCode(err) != shipgate.CodeInvalidRequest {
			t.Fatalf("no key: %v", err)
		}
		// A differently spelled but equal shipment is the same body.
		same := byShipment("order-1")
		same.Shipment.To.Country = "us"
		if res, err := e.svc.Purchase(ctx, same); err != nil || !res.Replayed {
			t.Fatalf("normalized body: %v", err)
		}
	})
}

func TestPurchaseByRateID(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, url string) {
		e := setup(t, db, url, nil)
		ctx := context.Background()
		quoted, err := e.rates.Shop(ctx, &rating.Request{Shipment: carriertest.DomesticUS()})
		if err != nil {
			t.Fatal(err)
		}
		r := quoted.Rates[1]
		res, err := e.svc.Purchase(ctx, &labels.PurchaseInput{Scope: "wms", IdempotencyKey: "k", RateID: r.ID, Format: shipgate.FormatZPL})
		if err != nil {
			t.Fatal(err)
		}
		if res.Label.Service != r.Service || res.Label.RateID != r.ID || res.Label.Total.Amount != r.Total.Amount {
			t.Fatalf("bought %s at %v, quoted %s at %v", res.Label.Service, res.Label.Total, r.Service, r.Total)
		}
		zpl := string(res.Label.Label.Data)
		if strings.Count(zpl, "^XA") != 2 || strings.Count(zpl, "^XZ") != 2 || !strings.Contains(zpl, "^BC") {
			t.Fatalf("ZPL of 2 parcels: %q", zpl)
		}
		_, err = e.svc.Purchase(ctx, &labels.PurchaseInput{Scope: "wms", IdempotencyKey: "k2", RateID: "rate_doesnotexist"})
		if shipgate.ErrorCode(err) != shipgate.CodeNotFound {
			t.Fatalf("unknown rate id: %v", err)
		}
	})
}

func TestExpiredQuoteIsNotRequoted(t *testing.T) {
	db, url := storetest.SQLite(t)
	e := setup(t, db, url, nil)
	now := time.Now()
	rates := rating.New(e.reg, kv.NewMemory(), nil, rating.Config{QuoteTTL: time.Minute, Now: func() time.Time { return now }}, nil)
	svc := labels.New(db, rates, e.reg, labels.Config{}, nil, nil)
	defer svc.Close()
	quoted, err := rates.Shop(context.Background(), &rating.Request{Shipment: carriertest.DomesticUS()})
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute)
	_, err = svc.Purchase(context.Background(), &labels.PurchaseInput{Scope: "wms", IdempotencyKey: "k", RateID: quoted.Rates[0].ID})
	if shipgate.ErrorCode(err) != shipgate.CodeNotFound || !strings.Contains(shipgate.ErrorMessage(err), "expired") {
		t.Fatalf("expired quote: %v", err)
	}
	if e.buys.calls.Load() != 0 {
		t.Fatal("an expired quote was bought")
	}
}

func TestConcurrentSameKeyBuysOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, url string) {
		e := setup(t, db, url, map[string]any{"latency": "50ms"})
		var wg sync.WaitGroup
		ids := make(chan string, 50)
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := e.svc.Purchase(context.Background(), byShipment("same-key"))
				if err != nil {
					t.Error(err)
					return
				}
				ids <- res.Label.TrackingNumber
			}()
		}
		wg.Wait()
		close(ids)
		seen := map[string]bool{}
		for id := range ids {
			seen[id] = true
		}
		if n := e.buys.calls.Load(); n != 1 {
			t.Fatalf("50 concurrent requests with one key made %d carrier purchases, want 1", n)
		}
		if len(seen) != 1 {
			t.Fatalf("they got %d different labels", len(seen))
		}
	})
}

func TestInterruptedPurchaseIsInDoubt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, url string) {
		e := setup(t, db, url, nil)
		entered := make(chan struct{})
		e.buys.hook = func(ctx context.Context) error {
			close(entered)
			<-ctx.Done() // the carrier never answers
			return &shipgate.Error{Code: shipgate.CodeCarrierTimeout, Message: "no answer", Err: ctx.Err()}
		}
		done := make(chan error, 1)
		go func() { _, err := e.svc.Purchase(context.Background(), byShipment("k")); done <- err }()
		<-entered
		e.svc.Close() // the service stops while the carrier holds the request
		if err := <-done; err == nil || !strings.Contains(shipgate.ErrorMessage(err), "in doubt") {
			t.Fatalf("interrupted purchase: %v", err)
		}
		rec, err := db.GetByKey(context.Background(), "wms", "k")
		if err != nil || rec.Label.Status != shipgate.LabelInDoubt {
			t.Fatalf("record %+v %v", rec, err)
		}
		// A new process retries with the same key: never re-bought.
		e.buys.hook = nil
		svc2 := labels.New(db, e.rates, e.reg, labels.Config{}, nil, nil)
		defer svc2.Close()
		_, err = svc2.Purchase(context.Background(), byShipment("k"))
		if shipgate.ErrorCode(err) != shipgate.CodeConflict || !strings.Contains(shipgate.ErrorMessage(err), "in doubt") {
			t.Fatalf("retry of an in-doubt purchase: %v", err)
		}
		if n := e.buys.calls.Load(); n != 1 {
			t.Fatalf("carrier purchases %d, want 1", n)
		}
		list, _, err := svc2.List(context.Background(), labels.Filter{Status: shipgate.LabelInDoubt})
		if err != nil || len(list) != 1 {
			t.Fatalf("in-doubt list: %v %v", list, err)
		}
		if n, _ := svc2.InDoubt(context.Background()); n != 1 {
			t.Fatalf("in-doubt count %d", n)
		}
	})
}

func TestDeadProcessLeaseBecomesInDoubt(t *testing.T) {
	db, url := storetest.SQLite(t)
	e := setup(t, db, url, nil)
	now := time.Now()
	svc := labels.New(db, e.rates, e.reg, labels.Config{Lease: time.Minute, Wait: 50 * time.Millisecond, Now: func() time.Time { return now }}, nil, nil)
	defer svc.Close()
	// A process recorded a purchase and died before the carrier answered.
	rec := &labels.Record{Label: shipgate.Label{ID: "lbl_dead", Status: shipgate.LabelPending, Carrier: "sandbox", Account: "sb", Service: "sandbox_ground", CreatedAt: now, UpdatedAt: now},
		Scope: "wms", IdempotencyKey: "k", Spec: labels.Spec{Account: "sb", Service: "sandbox_ground", Format: shipgate.FormatPDF}, LeaseUntil: now.Add(time.Minute)}
	in := byShipment("k")
	// The record's hash must be the real request's for a retry to match it.
	if _, err := svc.Purchase(context.Background(), &labels.PurchaseInput{Scope: "other", IdempotencyKey: "probe", Shipment: in.Shipment, Account: "sb", Service: "sandbox_ground"}); err != nil {
		t.Fatal(err)
	}
	probe, _ := db.GetByKey(context.Background(), "other", "probe")
	rec.RequestHash = probe.RequestHash
	if _, err := db.InsertPending(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Purchase(context.Background(), in)
	if shipgate.ErrorCode(err) != shipgate.CodeConflict || !strings.Contains(shipgate.ErrorMessage(err), "in progress") {
		t.Fatalf("within the lease: %v, want conflict in progress", err)
	}
	now = now.Add(2 * time.Minute)
	_, err = svc.Purchase(context.Background(), in)
	if shipgate.ErrorCode(err) != shipgate.CodeConflict || !strings.Contains(shipgate.ErrorMessage(err), "in doubt") {
		t.Fatalf("after the lease: %v, want in doubt", err)
	}
	if n := e.buys.calls.Load(); n != 1 { // the probe only
		t.Fatalf("carrier purchases %d, want 1", n)
	}
}

func TestInDoubtResolvedByCarrierLookup(t *testing.T) {
	db, url := storetest.SQLite(t)
	e := setup(t, db, url, nil)
	// The carrier sells the label but its answer is lost.
	e.buys.hook = nil
	lost := &losing{next: e.buys}
	entry, _ := e.reg.Lookup("sb")
	entry.Labeler = lost
	_, err := e.svc.Purchase(context.Background(), byShipment("k"))
	if err == nil {
		t.Fatal("lost answer succeeded")
	}
	rec, _ := db.GetByKey(context.Background(), "wms", "k")
	if rec.Label.Status != shipgate.LabelInDoubt {
		t.Fatalf("status %s", rec.Label.Status)
	}
	l, err := e.svc.Resolve(context.Background(), rec.Label.ID, labels.ResolveCheck)
	if err != nil || l.Status != shipgate.LabelPurchased || !strings.HasPrefix(l.TrackingNumber, "SG") {
		t.Fatalf("resolved: %+v %v", l, err)
	}
	res, err := e.svc.Purchase(context.Background(), byShipment("k"))
	if err != nil || !res.Replayed || res.Label.TrackingNumber != l.TrackingNumber {
		t.Fatalf("after resolution the key replays the label: %+v %v", res, err)
	}
	if n := e.buys.calls.Load(); n != 1 {
		t.Fatalf("carrier purchases %d, want 1", n)
	}
}

// losing buys from the carrier and then loses the answer (a timeout after the sale).
type losing struct{ next carriers.Labeler }

func (l *losing) Purchase(ctx context.Context, req *carriers.PurchaseRequest) (*shipgate.Purchase, error) {
	if _, err := l.next.Purchase(ctx, req); err != nil {
		return nil, err
	}
	return nil, &shipgate.Error{Code: shipgate.CodeCarrierTimeout, Message: "the answer was lost", Err: context.DeadlineExceeded}
}

func TestFailedPurchaseMayBeRetried(t *testing.T) {
	db, url := storetest.SQLite(t)
	e := setup(t, db, url, nil)
	fail := true
	e.buys.hook = func(context.Context) error {
		if fail {
			return &shipgate.Error{Code: shipgate.CodeCarrierRejected, Message: "address not served", Carrier: &shipgate.CarrierError{HTTPStatus: 400}}
		}
		return nil
	}
	if _, err := e.svc.Purchase(context.Background(), byShipment("k")); shipgate.ErrorCode(err) != shipgate.CodeCarrierRejected {
		t.Fatalf("first: %v", err)
	}
	rec, _ := db.GetByKey(context.Background(), "wms", "k")
	if rec.Label.Status != shipgate.LabelFailed || rec.Label.Error == nil {
		t.Fatalf("status %s", rec.Label.Status)
	}
	fail = false
	res, err := e.svc.Purchase(context.Background(), byShipment("k"))
	if err != nil || res.Label.Status != shipgate.LabelPurchased || res.Label.ID != rec.Label.ID {
		t.Fatalf("retry after a refusal: %+v %v", res, err)
	}
}

func TestDocumentsAndVoid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB, url string) {
		e := setup(t, db, url, nil)
		ctx := context.Background()
		res, err := e.svc.Purchase(ctx, byShipment("k"))
		if err != nil {
			t.Fatal(err)
		}
		id := res.Label.ID
		png, err := e.svc.Document(ctx, id, shipgate.FormatPNG, 1)
		if err != nil {
			t.Fatal(err)
		}
		if tn, err := barcodescan.DecodePNG(png.Data); err != nil || tn != res.Label.Parcels[1].TrackingNumber {
			t.Fatalf("PNG of parcel 1 scans as %q (%v), want %s", tn, err, res.Label.Parcels[1].TrackingNumber)
		}
		pdf, err := e.svc.Document(ctx, id, shipgate.FormatPDF, 0)
		if err != nil {
			t.Fatal(err)
		}
		if tn, err := barcodescan.DecodePDF(pdf.Data); err != nil || tn != res.Label.Parcels[0].TrackingNumber {
			t.Fatalf("PDF scans as %q (%v)", tn, err)
		}
		zpl, err := e.svc.Document(ctx, id, shipgate.FormatZPL, -1)
		if err != nil || strings.Count(string(zpl.Data), "^XA") != 2 {
			t.Fatalf("ZPL: %v", err)
		}
		if _, err := e.svc.Document(ctx, id, shipgate.FormatPNG, 5); shipgate.ErrorCode(err) != shipgate.CodeInvalidRequest {
			t.Fatalf("parcel 5 of 2: %v", err)
		}
		v1, err := e.svc.Void(ctx, id)
		if err != nil || v1.Status != shipgate.LabelVoided || v1.VoidedAt == nil {
			t.Fatalf("void: %+v %v", v1, err)
		}
		v2, err := e.svc.Void(ctx, id)
		if err != nil || v2.Status != shipgate.LabelVoided || !v2.VoidedAt.Equal(*v1.VoidedAt) {
			t.Fatalf("void twice: %+v %v", v2, err)
		}
		if _, err := e.svc.Document(ctx, id, shipgate.FormatPDF, -1); err != nil {
			t.Fatalf("a voided label can still be read: %v", err)
		}
	})
}

// gifCarrier returns GIF labels only (like UPS for images).
type gifCarrier struct{}

func (gifCarrier) Purchase(ctx context.Context, req *carriers.PurchaseRequest) (*shipgate.Purchase, error) {
	var p shipgate.Purchase
	for i := range req.Shipment.Parcels {
		tn := "GIF" + string(rune('A'+i)) + "123456"
		b, err := document.Render(document.LabelData{Carrier: "GIFCO", TrackingNumber: tn, To: req.Shipment.To, From: req.Shipment.From}, shipgate.FormatGIF)
		if err != nil {
			return nil, err
		}
		p.Parcels = append(p.Parcels, shipgate.ParcelLabel{TrackingNumber: tn, Document: shipgate.Document{Format: shipgate.FormatGIF, Data: b}})
	}
	p.TrackingNumber, p.Total = p.Parcels[0].TrackingNumber, shipgate.NewMoney(999, "USD")
	return &p, nil
}

// pdfCarrier returns PDF labels only (like DHL).
type pdfCarrier struct{}

func (pdfCarrier) Purchase(ctx context.Context, req *carriers.PurchaseRequest) (*shipgate.Purchase, error) {
	b, err := document.Render(document.LabelData{Carrier: "PDFCO", TrackingNumber: "1234567890", To: req.Shipment.To}, shipgate.FormatPDF)
	if err != nil {
		return nil, err
	}
	p := &shipgate.Purchase{TrackingNumber: "1234567890", Total: shipgate.NewMoney(100, "USD")}
	for range req.Shipment.Parcels {
		p.Parcels = append(p.Parcels, shipgate.ParcelLabel{TrackingNumber: "1234567890", Document: shipgate.Document{Format: shipgate.FormatPDF, Data: b}})
	}
	return p, nil
}

func TestConversions(t *testing.T) {
	db, _ := storetest.SQLite(t)
	reg := carriers.NewRegistry()
	_ = reg.Register(&carriers.Entry{ID: "gif", Carrier: "gifco", Labeler: gifCarrier{}})
	_ = reg.Register(&carriers.Entry{ID: "pdf", Carrier: "pdfco", Labeler: pdfCarrier{}})
	svc := labels.New(db, nil, reg, labels.Config{}, nil, nil)
	defer svc.Close()
	ctx := context.Background()
	in := byShipment("g")
	in.Account, in.Format = "gif", shipgate.FormatPNG
	res, err := svc.Purchase(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Label.Label == nil || res.Label.Label.Format != shipgate.FormatPNG {
		t.Fatalf("a GIF carrier's label asked as PNG: %+v", res.Label.Label)
	}
	for _, f := range []shipgate.LabelFormat{shipgate.FormatZPL, shipgate.FormatPDF, shipgate.FormatPNG} {
		d, err := svc.Document(ctx, res.Label.ID, f, 0)
		if err != nil || d.Format != f || len(d.Data) == 0 {
			t.Fatalf("GIF to %s: %v", f, err)
		}
	}
	d, _ := svc.Document(ctx, res.Label.ID, shipgate.FormatZPL, 0)
	if tn, err := barcodescan.DecodeZPL(d.Data); err != nil || tn != "GIFA123456" {
		t.Fatalf("the ^GF image converted from GIF scans as %q (%v)", tn, err)
	}

	in = byShipment("p")
	in.Account, in.Format = "pdf", shipgate.FormatPDF
	res, err = svc.Purchase(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Document(ctx, res.Label.ID, shipgate.FormatPNG, 0)
	if shipgate.ErrorCode(err) != shipgate.CodeUnsupported {
		t.Fatalf("PDF to PNG: %v, want unsupported", err)
	}
	if _, err := svc.Void(ctx, res.Label.ID); shipgate.ErrorCode(err) != shipgate.CodeUnsupported {
		t.Fatalf("void on a carrier that cannot: %v", err)
	}
}

// BenchmarkPurchase measures label purchases (a new key each) against the
// sandbox at zero latency: SQLite always, PostgreSQL when
// SHIPGATE_TEST_POSTGRES_URL is set. Each purchase renders the label in three
// formats and stores them.
func BenchmarkPurchase(b *testing.B) {
	for _, db := range []struct {
		name string
		open func(testing.TB) (*store.DB, string)
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(db.name, func(b *testing.B) {
			d, _ := db.open(b)
			cfg := carriers.AccountConfig{ID: "sb", Carrier: "sandbox"}
			sb, err := sandbox.New(cfg, carriers.Env{})
			if err != nil {
				b.Fatal(err)
			}
			reg := carriers.NewRegistry()
			_ = reg.Register(carriers.NewEntry(cfg, sb))
			svc := labels.New(d, nil, reg, labels.Config{}, nil, nil)
			defer svc.Close()
			sh := carriertest.DomesticUS()
			sh.Parcels = sh.Parcels[:1]
			var n atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					in := &labels.PurchaseInput{Scope: "bench", IdempotencyKey: strconv.FormatInt(n.Add(1), 10), Shipment: &sh, Account: "sb", Service: "sandbox_ground", Format: shipgate.FormatZPL}
					if _, err := svc.Purchase(context.Background(), in); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "labels/s")
		})
	}
}

func TestUnproducibleFormatRefusedBeforeBuying(t *testing.T) {
	db, _ := storetest.SQLite(t)
	buys := &counting{next: pdfCarrier{}}
	reg := carriers.NewRegistry()
	_ = reg.Register(&carriers.Entry{ID: "pdf", Carrier: "pdfco", Labeler: buys, LabelFormats: []shipgate.LabelFormat{shipgate.FormatPDF, shipgate.FormatZPL}})
	svc := labels.New(db, nil, reg, labels.Config{}, nil, nil)
	defer svc.Close()
	in := byShipment("png-please")
	in.Account, in.Format = "pdf", shipgate.FormatPNG
	if _, err := svc.Purchase(context.Background(), in); shipgate.ErrorCode(err) != shipgate.CodeUnsupported {
		t.Fatalf("PNG from a PDF/ZPL carrier: %v, want unsupported", err)
	}
	if buys.calls.Load() != 0 {
		t.Fatal("a label was bought in a format that cannot be handed over")
	}
}

func TestNotSentIsFailedNotInDoubt(t *testing.T) {
	db, url := storetest.SQLite(t)
	e := setup(t, db, url, nil)
	e.buys.hook = func(context.Context) error {
		return &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "breaker open", Err: fmt.Errorf("%w: open", shipgate.ErrNotSent)}
	}
	if _, err := e.svc.Purchase(context.Background(), byShipment("k")); err == nil {
		t.Fatal("no error")
	}
	rec, _ := db.GetByKey(context.Background(), "wms", "k")
	if rec.Label.Status != shipgate.LabelFailed {
		t.Fatalf("a purchase that never left is %s, want failed (nothing was bought)", rec.Label.Status)
	}
}
