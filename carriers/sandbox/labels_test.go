package sandbox

import (
	"context"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
	"github.com/shipgate/shipgate/internal/barcodescan"
)

func TestTrackingNumber(t *testing.T) {
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 100; i++ {
		tn := trackingNumber(at)
		got, ok := parseTrackingNumber(tn)
		if !ok || !got.Equal(at) {
			t.Fatalf("%s: parsed %v %v", tn, got, ok)
		}
	}
	tn := trackingNumber(at)
	bad := tn[:16] + string('0'+(tn[16]-'0'+1)%10)
	if _, ok := parseTrackingNumber(bad); ok {
		t.Errorf("a wrong check digit was accepted: %s", bad)
	}
	for _, s := range []string{"", "SG123", "1Z999AA10123456784", "SGABCDEFGHIJKLMNO"} {
		if _, ok := parseTrackingNumber(s); ok {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestLuhn(t *testing.T) {
	// 7992739871 has check digit 3 (the classic example).
	if d := luhn("7992739871"); d != 3 {
		t.Fatalf("luhn = %d, want 3", d)
	}
}

func newTestClient(t *testing.T) *Client {
	t.Helper()
	c, err := New(carriers.AccountConfig{ID: "sb", Carrier: "sandbox"}, carriers.Env{})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPurchaseLabelsScan(t *testing.T) {
	c := newTestClient(t)
	sh := carriertest.DomesticUS()
	for _, f := range []shipgate.LabelFormat{shipgate.FormatPDF, shipgate.FormatZPL, shipgate.FormatPNG} {
		t.Run(string(f), func(t *testing.T) {
			p, err := c.Purchase(context.Background(), &carriers.PurchaseRequest{Shipment: sh, Service: "sandbox_express", Format: f, IdempotencyKey: "k-" + string(f)})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Parcels) != 2 || p.Parcels[0].TrackingNumber == p.Parcels[1].TrackingNumber {
				t.Fatalf("parcels %+v", p.Parcels)
			}
			for _, pl := range p.Parcels {
				if pl.Document.Format != f || len(pl.Extra) != 2 {
					t.Fatalf("documents: primary %s, %d extra", pl.Document.Format, len(pl.Extra))
				}
				for _, d := range append([]shipgate.Document{pl.Document}, pl.Extra...) {
					var got string
					var err error
					switch d.Format {
					case shipgate.FormatPNG:
						got, err = barcodescan.DecodePNG(d.Data)
					case shipgate.FormatPDF:
						got, err = barcodescan.DecodePDF(d.Data)
					case shipgate.FormatZPL:
						got, err = barcodescan.DecodeZPL(d.Data)
					}
					if err != nil || got != pl.TrackingNumber {
						t.Errorf("%s barcode reads %q (%v), want %s", d.Format, got, err, pl.TrackingNumber)
					}
				}
			}
		})
	}
}

func TestPurchaseIdempotentAndFindable(t *testing.T) {
	c := newTestClient(t)
	req := &carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "sandbox_ground", Format: shipgate.FormatZPL, IdempotencyKey: "lbl_1"}
	a, err := c.Purchase(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Purchase(context.Background(), req)
	if err != nil || b.TrackingNumber != a.TrackingNumber {
		t.Fatalf("the same key bought again: %s vs %s (%v)", a.TrackingNumber, b.TrackingNumber, err)
	}
	found, err := c.FindPurchase(context.Background(), req)
	if err != nil || found.TrackingNumber != a.TrackingNumber {
		t.Fatalf("FindPurchase: %v %v", found, err)
	}
	_, err = c.FindPurchase(context.Background(), &carriers.PurchaseRequest{IdempotencyKey: "never"})
	if shipgate.ErrorCode(err) != shipgate.CodeNotFound {
		t.Fatalf("FindPurchase of an unknown key: %v", err)
	}
}

func TestPurchaseRejections(t *testing.T) {
	c := newTestClient(t)
	for name, req := range map[string]*carriers.PurchaseRequest{
		"unknown service":       {Shipment: carriertest.DomesticUS(), Service: "teleport"},
		"ground across borders": {Shipment: carriertest.USToGermany(), Service: "sandbox_ground"},
	} {
		if _, err := c.Purchase(context.Background(), req); shipgate.ErrorCode(err) != shipgate.CodeCarrierRejected {
			t.Errorf("%s: %v, want carrier_rejected", name, err)
		}
	}
	if err := c.Void(context.Background(), &carriers.VoidRequest{ShipmentID: "nope"}); shipgate.ErrorCode(err) != shipgate.CodeCarrierRejected {
		t.Errorf("void of a foreign number: %v", err)
	}
}
