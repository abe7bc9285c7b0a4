package ups

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
	"github.com/shipgate/shipgate/carriers/ups/upssim"
)

// simAnswers runs every operation against the simulator and returns its
// answers by path kind ("rating", "ship", "void", "track", "oauth").
func simAnswers(f *testing.F) map[string][][]byte {
	sim := upssim.New()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c, err := New(carriers.AccountConfig{
		ID: "fuzz", Carrier: "ups", BaseURL: srv.URL,
		Credentials: map[string]shipgate.Secret{
			"client_id": shipgate.NewSecret(upssim.DefaultClientID), "client_secret": shipgate.NewSecret(upssim.DefaultClientSecret),
			"account_number": shipgate.NewSecret(upssim.DefaultAccountNumber),
		},
		Options: map[string]any{"negotiated_rates": true},
	}, carriers.Env{})
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	for _, s := range []shipgate.Shipment{carriertest.DomesticUS(), carriertest.USToGermany()} {
		_, _ = c.Rates(ctx, &carriers.RateRequest{Shipment: s})
		svc := "ups_ground"
		if s.International() {
			svc = "ups_worldwide_saver"
		}
		p, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: s, Service: svc, Format: shipgate.FormatZPL})
		if err != nil {
			f.Fatal(err)
		}
		_, _ = c.Track(ctx, p.TrackingNumber)
		_ = c.Void(ctx, &carriers.VoidRequest{ShipmentID: p.ShipmentID})
		_ = c.Void(ctx, &carriers.VoidRequest{ShipmentID: p.ShipmentID})
	}
	_, _ = c.Track(ctx, "1ZNOSUCHNUMBER0000")
	out := map[string][][]byte{}
	for _, ex := range sim.Exchanges() {
		kind := "oauth"
		switch {
		case strings.Contains(ex.Path, "/rating/"):
			kind = "rating"
		case strings.Contains(ex.Path, "/void/"):
			kind = "void"
		case strings.Contains(ex.Path, "/ship"):
			kind = "ship"
		case strings.Contains(ex.Path, "/track/"):
			kind = "track"
		}
		out[kind] = append(out[kind], ex.ResponseBody)
	}
	return out
}

func fuzzClient(negotiated bool) *Client {
	return &Client{id: "fuzz", account: "S1M8U5", negotiated: negotiated, now: func() time.Time { return time.Unix(0, 0) },
		log: &logger{env: carriers.Env{}.WithDefaults(), account: "fuzz"}}
}

func FuzzParseRates(f *testing.F) {
	for _, b := range simAnswers(f)["rating"] {
		f.Add(b, true)
	}
	f.Add([]byte(`{"RateResponse":{"RatedShipment":{"Service":{"Code":3},"TotalCharges":{"CurrencyCode":"USD","MonetaryValue":12.5}}}}`), false)
	f.Add([]byte(`{"RateResponse":{"RatedShipment":[{"Service":{"Code":"03"},"TotalCharges":{"CurrencyCode":"usd","MonetaryValue":"1e9"},"TimeInTransit":{"ServiceSummary":{"GuaranteedIndicator":null}}}]}}`), true)
	f.Fuzz(func(t *testing.T, body []byte, negotiated bool) {
		var out rateResponseEnvelope
		if json.Unmarshal(body, &out) != nil {
			return
		}
		rates, err := fuzzClient(negotiated).rates(context.Background(), &out)
		if err != nil {
			if shipgate.ErrorCode(err) != shipgate.CodeCarrierUnavailable {
				t.Fatalf("error %v is not carrier_unavailable", err)
			}
			return
		}
		for _, r := range rates {
			if r.Service == "" || !shipgate.ValidCurrency(r.Total.Currency) {
				t.Fatalf("rate %+v", r)
			}
			var sum shipgate.Money
			for _, c := range r.Charges {
				sum, _ = sum.Add(c.Amount)
			}
			if len(r.Charges) > 0 && sum != r.Total {
				t.Fatalf("charges %v do not add up to %v", r.Charges, r.Total)
			}
		}
	})
}

func FuzzParsePurchase(f *testing.F) {
	for _, b := range simAnswers(f)["ship"] {
		f.Add(b, 1)
	}
	f.Add([]byte(`{"ShipmentResponse":{"ShipmentResults":{"PackageResults":{"TrackingNumber":"1Z","ShippingLabel":{"ImageFormat":{"Code":"GIF"},"GraphicImage":"R0lG"}},"ShipmentCharges":{"TotalCharges":{"CurrencyCode":"USD","MonetaryValue":"1"}}}}}`), 1)
	f.Fuzz(func(t *testing.T, body []byte, parcels int) {
		var out shipResponseEnvelope
		if json.Unmarshal(body, &out) != nil {
			return
		}
		p, err := fuzzClient(false).purchase(&out, serviceByCode["03"], parcels)
		if err != nil {
			if shipgate.ErrorCode(err) != shipgate.CodeCarrierUnavailable {
				t.Fatalf("error %v is not carrier_unavailable", err)
			}
			return
		}
		if len(p.Parcels) != parcels || p.TrackingNumber == "" || p.ShipmentID == "" || p.Total.Currency == "" {
			t.Fatalf("purchase %+v", p)
		}
		for _, pl := range p.Parcels {
			if len(pl.Document.Data) == 0 || pl.TrackingNumber == "" {
				t.Fatalf("parcel %+v", pl)
			}
		}
	})
}

func FuzzParseTracking(f *testing.F) {
	for _, b := range simAnswers(f)["track"] {
		f.Add(b)
	}
	f.Add([]byte(`{"trackResponse":{"shipment":{"package":{"trackingNumber":"1Z","activity":{"status":{"type":"D","code":"FS","statusCode":"011"},"date":"20240202","time":"120435","gmtOffset":"-08:00"},"currentStatus":{"description":"Delivered","code":"011"},"deliveryDate":{"type":"DEL","date":"20240202"}}}}}`))
	f.Add([]byte(`{"trackResponse":{"shipment":[{"inquiryNumber":"1Z","warnings":[{"code":"TW0001","message":"Tracking Information Not Found"}]}]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var out trackResponseEnvelope
		if json.Unmarshal(body, &out) != nil {
			return
		}
		tr, err := fuzzClient(false).tracking(&out, "1ZFUZZ")
		if err != nil {
			if shipgate.ErrorCode(err) != shipgate.CodeNotFound {
				t.Fatalf("error %v is not not_found", err)
			}
			return
		}
		if !tr.Status.Valid() {
			t.Fatalf("status %q", tr.Status)
		}
		for i, ev := range tr.Events {
			if !ev.Status.Valid() || ev.Time.IsZero() || (i > 0 && ev.Time.After(tr.Events[i-1].Time)) {
				t.Fatalf("event %d: %+v", i, ev)
			}
		}
		if tr.EstimatedDelivery != "" {
			if _, err := time.Parse(shipgate.DateLayout, tr.EstimatedDelivery); err != nil {
				t.Fatalf("estimated delivery %q", tr.EstimatedDelivery)
			}
		}
	})
}

func FuzzParseError(f *testing.F) {
	f.Add(400, []byte(`{"response":{"errors":[{"code":"111285","message":"The postal code ABCDE is invalid for CA United States."}]}}`))
	f.Add(401, []byte(`{"response":{"errors":{"code":250002,"message":"Invalid Authentication Information."}}}`))
	f.Add(404, []byte(`{"response":{"errors":[{"code":"TW0001","message":"Tracking Information Not Found"}]}}`))
	f.Add(500, []byte(`<html>oops</html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		code, _ := parseError(status, body)
		if c := classify(status, code); c == "" {
			t.Fatalf("no classification for %d %q", status, code)
		}
	})
}

func FuzzParseVoid(f *testing.F) {
	for _, b := range simAnswers(f)["void"] {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var out voidResponseEnvelope
		_ = json.Unmarshal(body, &out)
	})
}
