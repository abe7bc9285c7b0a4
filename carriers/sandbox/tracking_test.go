package sandbox

import (
	"context"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
)

func TestStatusMapping(t *testing.T) {
	for code, want := range map[string]shipgate.Status{
		"LC": shipgate.StatusPreTransit, "PU": shipgate.StatusInTransit, "DP": shipgate.StatusInTransit,
		"AR": shipgate.StatusInTransit, "OD": shipgate.StatusOutForDelivery, "DL": shipgate.StatusDelivered,
		"PA": shipgate.StatusAvailableForPickup, "DX": shipgate.StatusDelayed, "OH": shipgate.StatusOnHold,
		"DF": shipgate.StatusDeliveryFailed, "RS": shipgate.StatusReturnToSender, "CA": shipgate.StatusCancelled,
		"ZZ": shipgate.StatusUnknown, "": shipgate.StatusUnknown,
	} {
		if got := StatusFor(code); got != want {
			t.Errorf("StatusFor(%q) = %s, want %s", code, got, want)
		}
	}
}

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestJourney(t *testing.T) {
	clk := &fakeClock{time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	c, err := New(carriers.AccountConfig{ID: "sb", Carrier: "sandbox", Options: map[string]any{"time_scale": 3600}}, carriers.Env{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Purchase(context.Background(), &carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "sandbox_ground", Format: shipgate.FormatZPL})
	if err != nil {
		t.Fatal(err)
	}
	// With time_scale 3600 a simulated hour passes every real second.
	for _, step := range []struct {
		after  time.Duration
		status shipgate.Status
		events int
	}{
		{0, shipgate.StatusPreTransit, 1},
		{7 * time.Second, shipgate.StatusInTransit, 2},
		{25 * time.Second, shipgate.StatusInTransit, 4},
		{65 * time.Second, shipgate.StatusOutForDelivery, 7},
		{71 * time.Second, shipgate.StatusDelivered, 8},
		{300 * time.Second, shipgate.StatusDelivered, 8},
	} {
		clk.t = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC).Add(step.after)
		tr, err := c.Track(context.Background(), p.Parcels[1].TrackingNumber)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Status != step.status || len(tr.Events) != step.events {
			t.Fatalf("after %s: %s with %d events, want %s with %d", step.after, tr.Status, len(tr.Events), step.status, step.events)
		}
		for i := 1; i < len(tr.Events); i++ {
			if tr.Events[i].Time.After(tr.Events[i-1].Time) {
				t.Fatalf("events not newest first: %+v", tr.Events)
			}
		}
		if tr.Events[0].Location == nil || tr.Events[0].CarrierCode == "" {
			t.Fatalf("event without location or code: %+v", tr.Events[0])
		}
		if step.status == shipgate.StatusDelivered && tr.Events[0].Location.City != "San Francisco" {
			t.Errorf("delivered in %s, want the shipment's destination", tr.Events[0].Location.City)
		}
	}
}

func TestMagicNumbersAndVoid(t *testing.T) {
	c := newTestClient(t)
	want := map[string]shipgate.Status{
		"SGDELIVERYFAILED": shipgate.StatusDeliveryFailed, "SGRETURNTOSENDER": shipgate.StatusReturnToSender,
		"SGONHOLD": shipgate.StatusOnHold, "SGDELAYED": shipgate.StatusDelayed,
		"SGAVAILABLEFORPICKUP": shipgate.StatusAvailableForPickup,
	}
	for _, n := range MagicTrackingNumbers() {
		tr, err := c.Track(context.Background(), n)
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := want[n]; ok && tr.Status != w {
			t.Errorf("%s: %s, want %s", n, tr.Status, w)
		}
	}
	tr, _ := c.Track(context.Background(), "SGUNMAPPED")
	if tr.Events[0].Status != shipgate.StatusUnknown || tr.Events[0].CarrierCode != "ZZ" {
		t.Errorf("unmapped event: %+v", tr.Events[0])
	}
	if _, err := c.Track(context.Background(), "SG0000000000000000"); shipgate.ErrorCode(err) != shipgate.CodeNotFound {
		t.Errorf("unknown number: %v", err)
	}
	p, _ := c.Purchase(context.Background(), &carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "sandbox_ground"})
	if err := c.Void(context.Background(), &carriers.VoidRequest{ShipmentID: p.ShipmentID}); err != nil {
		t.Fatal(err)
	}
	if tr, _ := c.Track(context.Background(), p.TrackingNumber); tr.Status != shipgate.StatusCancelled {
		t.Errorf("voided label tracks as %s, want cancelled", tr.Status)
	}
}
