package ups_test

import (
	"context"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
)

// TestTrackingProgresses follows a ground label bought on a Tuesday afternoon
// (zone 8, five business days) through the simulator's journey.
func TestTrackingProgresses(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	ctx := context.Background()
	p, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "ups_ground", Format: shipgate.FormatZPL})
	if err != nil {
		t.Fatal(err)
	}
	bought := f.clock.Now()
	steps := []struct {
		after time.Duration
		want  shipgate.Status
		code  string
	}{
		{0, shipgate.StatusPreTransit, "MP"},
		{5 * time.Hour, shipgate.StatusInTransit, "PU"},
		{9 * time.Hour, shipgate.StatusInTransit, "DP"},
		{2 * 24 * time.Hour, shipgate.StatusInTransit, "DP"},
	}
	// Delivery day: Tuesday + 5 business days = next Tuesday.
	deliveryDay := time.Date(2025, time.March, 18, 0, 0, 0, 0, time.UTC).Sub(bought)
	steps = append(steps, []struct {
		after time.Duration
		want  shipgate.Status
		code  string
	}{
		{deliveryDay + 4*time.Hour, shipgate.StatusInTransit, "AR"},
		{deliveryDay + 7*time.Hour, shipgate.StatusInTransit, "YP"},
		{deliveryDay + 8*time.Hour, shipgate.StatusOutForDelivery, "OF"},
		{deliveryDay + 9*time.Hour, shipgate.StatusOutForDelivery, "OT"},
		{deliveryDay + 13*time.Hour, shipgate.StatusDelivered, "FS"},
	}...)
	prevEvents := 0
	for _, st := range steps {
		f.clock.Advance(bought.Add(st.after).Sub(f.clock.Now()))
		tr, err := c.Track(ctx, p.TrackingNumber)
		if err != nil {
			t.Fatalf("after %v: %v", st.after, err)
		}
		if tr.Status != st.want || tr.Events[0].CarrierCode != st.code {
			t.Errorf("after %v: status %s (newest %s), want %s (%s)", st.after, tr.Status, tr.Events[0].CarrierCode, st.want, st.code)
		}
		if len(tr.Events) < prevEvents {
			t.Errorf("after %v: %d events, fewer than before (%d)", st.after, len(tr.Events), prevEvents)
		}
		prevEvents = len(tr.Events)
		if st.want != shipgate.StatusDelivered && tr.EstimatedDelivery != "2025-03-18" {
			t.Errorf("after %v: estimated delivery %q, want 2025-03-18", st.after, tr.EstimatedDelivery)
		}
	}
}
