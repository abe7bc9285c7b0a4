package sandbox_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
	"github.com/shipgate/shipgate/carriers/sandbox"
)

func newClient(t *testing.T, opts map[string]any) *sandbox.Client {
	t.Helper()
	c, err := sandbox.New(carriers.AccountConfig{ID: "sb", Carrier: "sandbox", Options: opts}, carriers.Env{
		Now: func() time.Time { return time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConformance(t *testing.T) {
	carriertest.Run(t, carriertest.Harness{
		Carrier: "sandbox", AccountID: "sb",
		New: func(t *testing.T) any { return newClient(t, nil) },
	})
}

func TestRatesDomestic(t *testing.T) {
	c := newClient(t, nil)
	rates, err := c.Rates(context.Background(), &carriers.RateRequest{Shipment: carriertest.DomesticUS()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rates) != 3 {
		t.Fatalf("%d rates, want ground, express and overnight", len(rates))
	}
	// Atlanta 303 -> San Francisco 941 is zone 7. Billable: 2.5 lb in a 12x9x4 in
	// box (3.11 lb dimensional) -> 4; 800 g (1.76 lb; its 20x15x10 cm box is
	// 1.32 lb dimensional) -> 2; 6 lb in all.
	// Residential delivery 4.95 and 12% fuel on transportation on each.
	want := map[string]struct {
		total string
		days  int
		eta   string
	}{
		"sandbox_ground":    {"40.68", 4, "2026-11-30"},  // 2*6.50 + 0.45*6*7 = 31.90; fuel 3.83
		"sandbox_express":   {"81.00", 2, "2026-11-26"},  // 2*14 + 0.95*6*7 = 67.90; fuel 8.15
		"sandbox_overnight": {"145.17", 1, "2026-11-25"}, // 2*29 + 1.60*6*7 = 125.20; fuel 15.02
	}
	for _, r := range rates {
		w, ok := want[r.Service]
		if !ok {
			t.Errorf("unexpected service %q", r.Service)
			continue
		}
		if r.TransitDays != w.days || r.EstimatedDelivery != w.eta {
			t.Errorf("%s: %d days, eta %s; want %d, %s", r.Service, r.TransitDays, r.EstimatedDelivery, w.days, w.eta)
		}
		if r.Total.Decimal() != w.total || r.Total.Currency != "USD" {
			t.Errorf("%s: total %v, want %s USD", r.Service, r.Total, w.total)
		}
	}
}

func TestRatesInternationalSurcharge(t *testing.T) {
	c := newClient(t, nil)
	rates, err := c.Rates(context.Background(), &carriers.RateRequest{Shipment: carriertest.USToGermany()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rates) != 2 {
		t.Fatalf("%d rates, want express and overnight (no international ground)", len(rates))
	}
	for _, r := range rates {
		found := false
		for _, ch := range r.Charges {
			found = found || ch.Type == "international"
		}
		if !found {
			t.Errorf("%s has no international surcharge: %+v", r.Service, r.Charges)
		}
	}
}

func TestRejectsBadPostalCode(t *testing.T) {
	c := newClient(t, nil)
	sh := carriertest.DomesticUS()
	sh.To.PostalCode = "9410"
	_, err := c.Rates(context.Background(), &carriers.RateRequest{Shipment: sh})
	var e *shipgate.Error
	if !errors.As(err, &e) || e.Code != shipgate.CodeCarrierRejected {
		t.Fatalf("err = %v, want carrier_rejected", err)
	}
	if len(e.Fields) != 1 || e.Fields[0].Field != "shipment.to.postal_code" {
		t.Errorf("fields = %+v, want shipment.to.postal_code", e.Fields)
	}
}

func TestModes(t *testing.T) {
	for _, tc := range []struct {
		mode string
		want shipgate.Code
	}{
		{"error", shipgate.CodeCarrierUnavailable},
		{"429", shipgate.CodeRateLimited},
		{"malformed", shipgate.CodeCarrierUnavailable},
		{"timeout", shipgate.CodeCarrierTimeout},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			c := newClient(t, map[string]any{"mode": tc.mode})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
			defer cancel()
			_, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()})
			if got := shipgate.ErrorCode(err); got != tc.want {
				t.Errorf("code = %s, want %s (%v)", got, tc.want, err)
			}
		})
	}
}

func TestFailRateOne(t *testing.T) {
	c := newClient(t, map[string]any{"fail_rate": 1.0})
	_, err := c.Rates(context.Background(), &carriers.RateRequest{Shipment: carriertest.DomesticUS()})
	if shipgate.ErrorCode(err) != shipgate.CodeCarrierUnavailable {
		t.Fatalf("err = %v", err)
	}
}

func TestBadOptions(t *testing.T) {
	for _, opts := range []map[string]any{
		{"latency": "soon"}, {"fail_rate": 2.0}, {"mode": "sleepy"}, {"speed": 1}, {"time_scale": 0},
	} {
		if _, err := sandbox.New(carriers.AccountConfig{ID: "sb", Carrier: "sandbox", Options: opts}, carriers.Env{}); err == nil {
			t.Errorf("options %v accepted", opts)
		}
	}
}

type countingObserver struct{ calls []carriers.Call }

func (o *countingObserver) ObserveCall(c carriers.Call) { o.calls = append(o.calls, c) }

func TestObserverCountsCalls(t *testing.T) {
	obs := &countingObserver{}
	c, err := sandbox.New(carriers.AccountConfig{ID: "sb", Carrier: "sandbox"}, carriers.Env{Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.Rates(context.Background(), &carriers.RateRequest{Shipment: carriertest.DomesticUS()})
	if len(obs.calls) != 1 || obs.calls[0].Operation != "rates" || obs.calls[0].Outcome != "ok" {
		t.Errorf("calls = %+v", obs.calls)
	}
}
