package ups_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
	"github.com/shipgate/shipgate/carriers/ups/upssim"
)

var oneZ = regexp.MustCompile(`^1Z[A-Z0-9]{16}$`)

// TestDoneScenario is issue 5's "done when": one simulator, one adapter
// pointing at it; domestic and international (customs) quotes, a ZPL label
// whose tracking number looks like UPS's, tracking, void; the simulator saw
// one token request for all of it.
func TestDoneScenario(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	ctx := context.Background()

	dom, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()})
	if err != nil || len(dom) == 0 {
		t.Fatalf("domestic quotes: %v (%d rates)", err, len(dom))
	}
	intl, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.USToGermany()})
	if err != nil || len(intl) == 0 {
		t.Fatalf("international quotes: %v (%d rates)", err, len(intl))
	}
	for _, r := range append(dom, intl...) {
		if r.TransitDays == 0 || r.EstimatedDelivery == "" {
			t.Errorf("rate %s has no time in transit", r.Service)
		}
	}

	p, err := c.Purchase(ctx, &carriers.PurchaseRequest{
		Shipment: carriertest.DomesticUS(), Service: "ups_ground", Format: shipgate.FormatZPL, IdempotencyKey: "scenario-1",
	})
	if err != nil {
		t.Fatalf("purchase: %v", err)
	}
	if !oneZ.MatchString(p.TrackingNumber) || !upssim.ValidTrackingNumber(p.TrackingNumber) {
		t.Errorf("tracking number %q is not a UPS 1Z number with a valid check digit", p.TrackingNumber)
	}
	for _, pl := range p.Parcels {
		if pl.Document.Format != shipgate.FormatZPL || !strings.HasPrefix(string(pl.Document.Data), "^XA") {
			t.Errorf("parcel %s: label is %s, want ZPL", pl.TrackingNumber, pl.Document.Format)
		}
		if !oneZ.MatchString(pl.TrackingNumber) || !upssim.ValidTrackingNumber(pl.TrackingNumber) {
			t.Errorf("parcel tracking number %q", pl.TrackingNumber)
		}
	}

	tr, err := c.Track(ctx, p.TrackingNumber)
	if err != nil {
		t.Fatalf("track: %v", err)
	}
	if tr.Status != shipgate.StatusPreTransit || len(tr.Events) == 0 || tr.EstimatedDelivery == "" {
		t.Errorf("a label just bought: status %s, %d events, estimated delivery %q; want pre_transit with a date", tr.Status, len(tr.Events), tr.EstimatedDelivery)
	}

	p2, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: carriertest.USToGermany(), Service: "ups_worldwide_saver", Format: shipgate.FormatZPL})
	if err != nil {
		t.Fatalf("international purchase: %v", err)
	}
	if err := c.Void(ctx, &carriers.VoidRequest{ShipmentID: p2.ShipmentID, TrackingNumber: p2.TrackingNumber}); err != nil {
		t.Fatalf("void: %v", err)
	}
	if err := c.Void(ctx, &carriers.VoidRequest{ShipmentID: p2.ShipmentID}); err != nil {
		t.Fatalf("void twice: %v", err)
	}
	tr, err = c.Track(ctx, p2.TrackingNumber)
	if err != nil || tr.Status != shipgate.StatusCancelled {
		t.Fatalf("a voided label: %v, %v; want cancelled", err, tr)
	}

	stats := f.sim.Stats()
	if stats["oauth"] != 1 {
		t.Errorf("token requests = %d, want 1 for the whole scenario (stats %v)", stats["oauth"], stats)
	}
	for _, op := range []string{"rates", "labels", "tracking", "void"} {
		if stats[op] == 0 {
			t.Errorf("no %s request reached the simulator (stats %v)", op, stats)
		}
	}
}
