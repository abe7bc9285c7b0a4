// Package carriertest is the conformance suite every carrier adapter passes.
// An adapter's test builds a Harness pointing the adapter at its simulator and
// calls Run; the suite checks the behaviour the rest of shipgate relies on:
// rates with positive money in a real currency and known service names,
// rejections as carrier_rejected, cancellation honoured, one label and one
// tracking number per parcel, tracking statuses from the normalized set with
// events newest first, void idempotent or unsupported, and every error a
// *shipgate.Error.
package carriertest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
)

// Harness describes the adapter under test.
type Harness struct {
	// Carrier is the adapter's carrier name ("ups").
	Carrier string
	// New returns a fresh adapter for one account whose id is AccountID.
	New func(t *testing.T) any
	// AccountID is the id of the account New builds (rates must carry it).
	AccountID string
	// Domestic and International are shipments the carrier serves
	// (defaults: DomesticUS and USToGermany).
	Domestic, International *shipgate.Shipment
	// Unservable is a shipment the carrier refuses (default: a US address with
	// the postal code "ABCDE").
	Unservable *shipgate.Shipment
	// Formats are the label formats the adapter is asked for (default pdf, zpl, png).
	// The document it returns may be another format the labels package converts.
	Formats []shipgate.LabelFormat
	// SkipInternational skips the international checks (a domestic-only carrier).
	SkipInternational bool
}

// DomesticUS is a two-parcel shipment from Atlanta to San Francisco.
func DomesticUS() shipgate.Shipment {
	return shipgate.Shipment{
		From: shipgate.Address{Name: "Warehouse", Company: "Acme", Street1: "1000 Peachtree St NE", City: "Atlanta", State: "GA", PostalCode: "30309", Country: "US", Phone: "4045550100"},
		To:   shipgate.Address{Name: "Jane Doe", Street1: "500 Market St", City: "San Francisco", State: "CA", PostalCode: "94105", Country: "US", Phone: "4155550100", Residential: true},
		Parcels: []shipgate.Parcel{
			{Weight: shipgate.Weight{Value: 2.5, Unit: shipgate.Pound}, Dimensions: &shipgate.Dimensions{Length: 12, Width: 9, Height: 4, Unit: shipgate.Inch}},
			{Weight: shipgate.Weight{Value: 800, Unit: shipgate.Gram}, Dimensions: &shipgate.Dimensions{Length: 20, Width: 15, Height: 10, Unit: shipgate.Centimeter}},
		},
		Reference: "order-1001",
	}
}

// USToGermany is a one-parcel merchandise shipment with customs.
func USToGermany() shipgate.Shipment {
	return shipgate.Shipment{
		From: shipgate.Address{Name: "Warehouse", Company: "Acme", Street1: "1000 Peachtree St NE", City: "Atlanta", State: "GA", PostalCode: "30309", Country: "US", Phone: "4045550100"},
		To:   shipgate.Address{Name: "Max Mustermann", Street1: "Unter den Linden 77", City: "Berlin", PostalCode: "10117", Country: "DE", Phone: "+49305550100"},
		Parcels: []shipgate.Parcel{
			{Weight: shipgate.Weight{Value: 1.2, Unit: shipgate.Kilogram}, Dimensions: &shipgate.Dimensions{Length: 30, Width: 20, Height: 10, Unit: shipgate.Centimeter}},
		},
		Customs: &shipgate.Customs{
			Contents: "merchandise", Incoterm: "DAP", Description: "Cotton T-shirts",
			Items: []shipgate.CustomsItem{{
				Description: "Cotton T-shirt", Quantity: 4, Value: shipgate.NewMoney(8000, "USD"),
				Weight: shipgate.Weight{Value: 1.0, Unit: shipgate.Kilogram}, HSCode: "610910", OriginCountry: "US",
			}},
		},
		Reference: "order-2002",
	}
}

// Run runs the conformance suite.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.Domestic == nil {
		s := DomesticUS()
		h.Domestic = &s
	}
	if h.International == nil {
		s := USToGermany()
		h.International = &s
	}
	if h.Unservable == nil {
		s := DomesticUS()
		s.To.PostalCode = "ABCDE"
		h.Unservable = &s
	}
	if len(h.Formats) == 0 {
		h.Formats = []shipgate.LabelFormat{shipgate.FormatPDF, shipgate.FormatZPL, shipgate.FormatPNG}
	}
	ctx := context.Background()

	t.Run("capabilities", func(t *testing.T) {
		e := carriers.NewEntry(carriers.AccountConfig{ID: h.AccountID, Carrier: h.Carrier}, h.New(t))
		if len(e.Capabilities()) == 0 {
			t.Fatal("the adapter implements none of Rater, Labeler, Voider, Tracker")
		}
		seen := map[string]bool{}
		for _, s := range e.Services {
			if s.Code == "" || s.Name == "" || s.CarrierCode == "" {
				t.Errorf("service %+v lacks a code, name or carrier code", s)
			}
			if seen[s.Code] {
				t.Errorf("service %q listed twice", s.Code)
			}
			seen[s.Code] = true
		}
	})

	rater := func(t *testing.T) (carriers.Rater, *carriers.Entry) {
		e := carriers.NewEntry(carriers.AccountConfig{ID: h.AccountID, Carrier: h.Carrier}, h.New(t))
		if e.Rater == nil {
			t.Skip("not a Rater")
		}
		return e.Rater, e
	}

	t.Run("rates/domestic", func(t *testing.T) {
		r, e := rater(t)
		rates, err := r.Rates(ctx, &carriers.RateRequest{Shipment: *h.Domestic})
		mustNoError(t, err)
		checkRates(t, h, e, rates)
	})

	t.Run("rates/service_filter", func(t *testing.T) {
		r, e := rater(t)
		all, err := r.Rates(ctx, &carriers.RateRequest{Shipment: *h.Domestic})
		mustNoError(t, err)
		if len(all) == 0 {
			t.Fatal("no rates")
		}
		want := all[0].Service
		some, err := r.Rates(ctx, &carriers.RateRequest{Shipment: *h.Domestic, Services: []string{want}})
		mustNoError(t, err)
		if len(some) == 0 {
			t.Fatalf("no rate for service %q alone", want)
		}
		for _, rt := range some {
			if rt.Service != want {
				t.Errorf("asked for %q only, got %q", want, rt.Service)
			}
		}
		checkRates(t, h, e, some)
	})

	t.Run("rates/international", func(t *testing.T) {
		if h.SkipInternational {
			t.Skip("domestic-only carrier")
		}
		r, e := rater(t)
		rates, err := r.Rates(ctx, &carriers.RateRequest{Shipment: *h.International})
		mustNoError(t, err)
		checkRates(t, h, e, rates)
	})

	t.Run("rates/rejected", func(t *testing.T) {
		r, _ := rater(t)
		_, err := r.Rates(ctx, &carriers.RateRequest{Shipment: *h.Unservable})
		if err == nil {
			t.Fatal("an unservable shipment was quoted")
		}
		if c := codeOf(t, err); c != shipgate.CodeCarrierRejected && c != shipgate.CodeInvalidRequest {
			t.Errorf("code = %s, want carrier_rejected or invalid_request", c)
		}
		if c := shipgate.ErrorCode(err); c.CarrierFault() {
			t.Errorf("a refusal must not count as a carrier fault (code %s)", c)
		}
	})

	t.Run("rates/cancelled", func(t *testing.T) {
		r, _ := rater(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		done := make(chan error, 1)
		go func() {
			_, err := r.Rates(cctx, &carriers.RateRequest{Shipment: *h.Domestic})
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil {
				t.Skip("answered before looking at the context")
			}
			codeOf(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("Rates ignored a cancelled context")
		}
	})

	purchase := func(t *testing.T, f shipgate.LabelFormat, s shipgate.Shipment) (*carriers.Entry, *carriers.PurchaseRequest, *shipgate.Purchase) {
		e := carriers.NewEntry(carriers.AccountConfig{ID: h.AccountID, Carrier: h.Carrier}, h.New(t))
		if e.Labeler == nil {
			t.Skip("not a Labeler")
		}
		service := ""
		if e.Rater != nil {
			rates, err := e.Rater.Rates(ctx, &carriers.RateRequest{Shipment: s})
			mustNoError(t, err)
			if len(rates) == 0 {
				t.Fatal("no rates to buy")
			}
			service = rates[0].Service
		} else if len(e.Services) > 0 {
			service = e.Services[0].Code
		}
		req := &carriers.PurchaseRequest{Shipment: s, Service: service, Format: f, IdempotencyKey: "conformance-" + string(f), Reference: s.Reference}
		p, err := e.Labeler.Purchase(ctx, req)
		mustNoError(t, err)
		return e, req, p
	}

	for _, f := range h.Formats {
		t.Run("purchase/"+string(f), func(t *testing.T) {
			_, req, p := purchase(t, f, *h.Domestic)
			checkPurchase(t, req, p)
		})
	}

	t.Run("purchase/international", func(t *testing.T) {
		if h.SkipInternational {
			t.Skip("domestic-only carrier")
		}
		_, req, p := purchase(t, h.Formats[0], *h.International)
		checkPurchase(t, req, p)
	})

	t.Run("track", func(t *testing.T) {
		e, _, p := purchase(t, h.Formats[0], *h.Domestic)
		if e.Tracker == nil {
			t.Skip("not a Tracker")
		}
		tr, err := e.Tracker.Track(ctx, p.TrackingNumber)
		mustNoError(t, err)
		checkTracking(t, tr, p.TrackingNumber)
	})

	t.Run("track/unknown", func(t *testing.T) {
		e := carriers.NewEntry(carriers.AccountConfig{ID: h.AccountID, Carrier: h.Carrier}, h.New(t))
		if e.Tracker == nil {
			t.Skip("not a Tracker")
		}
		_, err := e.Tracker.Track(ctx, "NOSUCHNUMBER000000000")
		if err == nil {
			t.Fatal("an unknown tracking number was tracked")
		}
		if c := codeOf(t, err); c != shipgate.CodeNotFound && c != shipgate.CodeCarrierRejected {
			t.Errorf("code = %s, want not_found", c)
		}
	})

	t.Run("void", func(t *testing.T) {
		e, _, p := purchase(t, h.Formats[0], *h.Domestic)
		if e.Voider == nil {
			t.Skip("not a Voider")
		}
		vr := &carriers.VoidRequest{ShipmentID: p.ShipmentID, TrackingNumber: p.TrackingNumber}
		for _, pl := range p.Parcels {
			vr.ParcelTrackingNumbers = append(vr.ParcelTrackingNumbers, pl.TrackingNumber)
		}
		err := e.Voider.Void(ctx, vr)
		if err != nil && codeOf(t, err) == shipgate.CodeUnsupported {
			return
		}
		mustNoError(t, err)
		if err := e.Voider.Void(ctx, vr); err != nil {
			t.Errorf("voiding twice: %v (void must be idempotent)", err)
		}
	})
}

func mustNoError(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func codeOf(t *testing.T, err error) shipgate.Code {
	t.Helper()
	var e *shipgate.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *shipgate.Error", err, err)
	}
	return e.Code
}

func checkRates(t *testing.T, h Harness, e *carriers.Entry, rates []shipgate.Rate) {
	t.Helper()
	if len(rates) == 0 {
		t.Fatal("no rates")
	}
	for _, r := range rates {
		if r.Account != h.AccountID {
			t.Errorf("rate %s: account = %q, want %q", r.Service, r.Account, h.AccountID)
		}
		if r.Carrier != h.Carrier {
			t.Errorf("rate %s: carrier = %q, want %q", r.Service, r.Carrier, h.Carrier)
		}
		if r.Total.Amount <= 0 || !shipgate.ValidCurrency(r.Total.Currency) {
			t.Errorf("rate %s: total %v is not a positive amount in a currency", r.Service, r.Total)
		}
		if r.Service == "" || r.ServiceName == "" || r.CarrierServiceCode == "" {
			t.Errorf("rate %+v lacks a service, service name or carrier service code", r)
		}
		if len(e.Services) > 0 {
			if _, ok := e.Service(r.Service); !ok {
				t.Errorf("rate service %q is not among the services the adapter lists", r.Service)
			}
		}
		if r.QuotedAt.IsZero() {
			t.Errorf("rate %s has no quoted_at", r.Service)
		}
		if r.EstimatedDelivery != "" {
			if _, err := time.Parse(shipgate.DateLayout, r.EstimatedDelivery); err != nil {
				t.Errorf("rate %s: estimated_delivery %q is not YYYY-MM-DD", r.Service, r.EstimatedDelivery)
			}
		}
		var sum shipgate.Money
		for _, c := range r.Charges {
			var err error
			if sum, err = sum.Add(c.Amount); err != nil {
				t.Errorf("rate %s: charges in several currencies: %v", r.Service, err)
			}
		}
		if len(r.Charges) > 0 && sum != r.Total {
			t.Errorf("rate %s: charges add up to %v, total is %v", r.Service, sum, r.Total)
		}
	}
}

func checkPurchase(t *testing.T, req *carriers.PurchaseRequest, p *shipgate.Purchase) {
	t.Helper()
	if p.TrackingNumber == "" {
		t.Error("no tracking number")
	}
	if len(p.Parcels) != len(req.Shipment.Parcels) {
		t.Fatalf("%d parcel labels for %d parcels", len(p.Parcels), len(req.Shipment.Parcels))
	}
	seen := map[string]bool{}
	for i, pl := range p.Parcels {
		if pl.TrackingNumber == "" || seen[pl.TrackingNumber] {
			t.Errorf("parcel %d: tracking number %q empty or repeated", i, pl.TrackingNumber)
		}
		seen[pl.TrackingNumber] = true
		if len(pl.Document.Data) == 0 {
			t.Errorf("parcel %d: empty label", i)
		}
		if !slices.Contains([]shipgate.LabelFormat{shipgate.FormatPDF, shipgate.FormatZPL, shipgate.FormatPNG, shipgate.FormatGIF}, pl.Document.Format) {
			t.Errorf("parcel %d: label format %q", i, pl.Document.Format)
		}
		if pl.Document.Format == shipgate.FormatZPL && req.Format == shipgate.FormatZPL {
			if s := string(pl.Document.Data); !strings.Contains(s, "^XA") || !strings.Contains(s, "^XZ") {
				t.Errorf("parcel %d: ZPL label lacks ^XA..^XZ", i)
			}
		}
	}
	if p.Total.Amount <= 0 || !shipgate.ValidCurrency(p.Total.Currency) {
		t.Errorf("total %v is not a positive amount in a currency", p.Total)
	}
	if p.Service == "" {
		t.Error("purchase does not say which service was bought")
	}
}

func checkTracking(t *testing.T, tr *shipgate.Tracking, number string) {
	t.Helper()
	if tr.TrackingNumber != number {
		t.Errorf("tracking number = %q, want %q", tr.TrackingNumber, number)
	}
	if !tr.Status.Valid() {
		t.Errorf("status %q is not a normalized status", tr.Status)
	}
	for i, ev := range tr.Events {
		if !ev.Status.Valid() {
			t.Errorf("event %d: status %q is not a normalized status", i, ev.Status)
		}
		if ev.Time.IsZero() {
			t.Errorf("event %d has no time", i)
		}
		if i > 0 && ev.Time.After(tr.Events[i-1].Time) {
			t.Errorf("events not newest first at %d", i)
		}
	}
}
