package ups_test

import (
	"context"
	"testing"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
	"github.com/shipgate/shipgate/carriers/ups/internal/upsspec"
)

// TestRequestsMatchUPSDocuments runs every operation against the simulator
// and validates what the adapter sent, and what the simulator answered,
// against UPS's OpenAPI documents.
func TestRequestsMatchUPSDocuments(t *testing.T) {
	specs := upsspec.Load(t)
	ctx := context.Background()
	dom, intl := carriertest.DomesticUS(), carriertest.USToGermany()
	sig := dom
	sig.Options = shipgate.ShipmentOptions{Signature: "adult", SaturdayDelivery: true, Insurance: &shipgate.Money{Amount: 50000, Currency: "USD"}}
	ddp := intl
	ddp.Customs = &shipgate.Customs{}
	*ddp.Customs = *intl.Customs
	ddp.Customs.Incoterm = "DDP"
	ddp.Customs.Exporter = &shipgate.CustomsIdentity{Type: "EIN", Number: "12-3456789"}

	for _, negotiated := range []bool{false, true} {
		f := newFixture(t)
		c := f.client(t, func(cfg *carriers.AccountConfig, _ *carriers.Env) { cfg.Options["negotiated_rates"] = negotiated })
		for _, s := range []shipgate.Shipment{dom, intl, sig, ddp} {
			if _, err := c.Rates(ctx, &carriers.RateRequest{Shipment: s}); err != nil {
				t.Fatalf("shop: %v", err)
			}
			svc := "ups_ground"
			if s.International() {
				svc = "ups_worldwide_saver"
			}
			if _, err := c.Rates(ctx, &carriers.RateRequest{Shipment: s, Services: []string{svc}}); err != nil {
				t.Fatalf("rate: %v", err)
			}
			for _, format := range []shipgate.LabelFormat{shipgate.FormatZPL, shipgate.FormatPDF} {
				p, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: s, Service: svc, Format: format, IdempotencyKey: "key-1", Reference: "order-9"})
				if err != nil {
					t.Fatalf("purchase %s: %v", format, err)
				}
				if _, err := c.Track(ctx, p.TrackingNumber); err != nil {
					t.Fatalf("track: %v", err)
				}
				if err := c.Void(ctx, &carriers.VoidRequest{ShipmentID: p.ShipmentID}); err != nil {
					t.Fatalf("void: %v", err)
				}
				if err := c.Void(ctx, &carriers.VoidRequest{ShipmentID: p.ShipmentID}); err != nil {
					t.Fatalf("void again: %v", err)
				}
			}
		}
		ret := dom
		if _, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: ret, Service: "ups_ground", Format: shipgate.FormatPDF, IsReturn: true}); err != nil {
			t.Fatalf("return label: %v", err)
		}
		if _, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS(), Services: []string{"ups_next_day_air", "ups_ground"}}); err != nil {
			t.Fatal(err)
		}
		_, _ = c.Track(ctx, "1ZNOSUCHNUMBER0000")
		specs.CheckExchanges(t, f.sim.Exchanges(), true)
	}
}
