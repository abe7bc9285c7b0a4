package ups_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
)

// lastRequest returns the body of the last request to a path containing part.
func (f *fixture) lastRequest(t *testing.T, part string) (path string, body map[string]any) {
	t.Helper()
	exs := f.sim.Exchanges()
	for i := len(exs) - 1; i >= 0; i-- {
		if strings.Contains(exs[i].Path, part) {
			var m map[string]any
			if err := json.Unmarshal(exs[i].Body, &m); err != nil {
				t.Fatal(err)
			}
			return exs[i].Path, m
		}
	}
	t.Fatalf("no request to %s", part)
	return "", nil
}

// dig follows a key path through decoded JSON ("RateRequest.Shipment.Package.0").
func dig(v any, path string) any {
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i := 0
			for _, c := range k {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func TestRatesRequests(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.client(t)
	tests := []struct {
		name   string
		client func() interface {
			Rates(context.Context, *carriers.RateRequest) ([]shipgate.Rate, error)
		}
		req      carriers.RateRequest
		path     string
		expect   map[string]any // key path -> value (nil: absent)
		services []string
	}{
		{
			name: "shop with time in transit", req: carriers.RateRequest{Shipment: carriertest.DomesticUS()},
			path: "/api/rating/v2409/Shoptimeintransit",
			expect: map[string]any{
				"RateRequest.Shipment.Shipper.ShipperNumber":                          "S1M8U5",
				"RateRequest.Shipment.ShipTo.Address.ResidentialAddressIndicator":     "Y",
				"RateRequest.Shipment.Package.0.PackagingType.Code":                   "02",
				"RateRequest.Shipment.Package.0.PackageWeight.UnitOfMeasurement.Code": "LBS",
				"RateRequest.Shipment.Package.1.PackageWeight.Weight":                 "1.8", // 800 g
				"RateRequest.Shipment.Package.1.Dimensions.Length":                    "8",   // 20 cm
				"RateRequest.Shipment.Package.1.Dimensions.UnitOfMeasurement.Code":    "IN",
				"RateRequest.Shipment.DeliveryTimeInformation.PackageBillType":        "03",
				"RateRequest.Shipment.DeliveryTimeInformation.Pickup.Date":            "20250311",
				"RateRequest.Shipment.Service":                                        nil,
				"RateRequest.Shipment.ShipmentRatingOptions":                          nil,
			},
		},
		{
			name: "one service: Rate", req: carriers.RateRequest{Shipment: carriertest.DomesticUS(), Services: []string{"ups_2nd_day_air", "fedex_ground"}},
			path:     "/api/rating/v2409/Ratetimeintransit",
			expect:   map[string]any{"RateRequest.Shipment.Service.Code": "02"},
			services: []string{"ups_2nd_day_air"},
		},
		{
			name: "two services: Shop, filtered", req: carriers.RateRequest{Shipment: carriertest.DomesticUS(), Services: []string{"UPS_GROUND", "ups_next_day_air"}},
			path:     "/api/rating/v2409/Shoptimeintransit",
			services: []string{"ups_next_day_air", "ups_ground"},
		},
		{
			name: "international in kilograms from Germany", req: carriers.RateRequest{Shipment: fromGermany()},
			path: "/api/rating/v2409/Shoptimeintransit",
			expect: map[string]any{
				"RateRequest.Shipment.Package.0.PackageWeight.UnitOfMeasurement.Code": "KGS",
				"RateRequest.Shipment.Package.0.PackageWeight.Weight":                 "1.2",
				"RateRequest.Shipment.Package.0.Dimensions.UnitOfMeasurement.Code":    "CM",
				"RateRequest.Shipment.InvoiceLineTotal.MonetaryValue":                 "81", // 80.50 EUR rounded up
				"RateRequest.Shipment.InvoiceLineTotal.CurrencyCode":                  "EUR",
			},
		},
		{
			name: "international without declared value: no time in transit", req: carriers.RateRequest{Shipment: noCustoms()},
			path:   "/api/rating/v2409/Shop",
			expect: map[string]any{"RateRequest.Shipment.DeliveryTimeInformation": nil, "RateRequest.Shipment.InvoiceLineTotal": nil},
		},
		{
			name: "negotiated", req: carriers.RateRequest{Shipment: carriertest.DomesticUS()},
			client: func() interface {
				Rates(context.Context, *carriers.RateRequest) ([]shipgate.Rate, error)
			} {
				return f.client(t, func(cfg *carriers.AccountConfig, _ *carriers.Env) { cfg.Options["negotiated_rates"] = true })
			},
			path:   "/api/rating/v2409/Shoptimeintransit",
			expect: map[string]any{"RateRequest.Shipment.ShipmentRatingOptions.NegotiatedRatesIndicator": "Y"},
		},
		{
			name: "time in transit off", req: carriers.RateRequest{Shipment: carriertest.DomesticUS()},
			client: func() interface {
				Rates(context.Context, *carriers.RateRequest) ([]shipgate.Rate, error)
			} {
				return f.client(t, func(cfg *carriers.AccountConfig, _ *carriers.Env) { cfg.Options["time_in_transit"] = false })
			},
			path:   "/api/rating/v2409/Shop",
			expect: map[string]any{"RateRequest.Shipment.DeliveryTimeInformation": nil},
		},
		{
			name: "options", req: carriers.RateRequest{Shipment: withOptions()},
			path: "/api/rating/v2409/Shoptimeintransit",
			expect: map[string]any{
				"RateRequest.Shipment.ShipmentServiceOptions.SaturdayDeliveryIndicator":              "Y",
				"RateRequest.Shipment.Package.0.PackageServiceOptions.DeliveryConfirmation.DCISType": "3",
				"RateRequest.Shipment.Package.0.PackageServiceOptions.DeclaredValue.MonetaryValue":   "250.01",
				"RateRequest.Shipment.Package.1.PackageServiceOptions.DeclaredValue.MonetaryValue":   "250.00",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r interface {
				Rates(context.Context, *carriers.RateRequest) ([]shipgate.Rate, error)
			} = c
			if tt.client != nil {
				r = tt.client()
			}
			rates, err := r.Rates(ctx, &tt.req)
			if err != nil {
				t.Fatal(err)
			}
			path, body := f.lastRequest(t, "/rating/")
			if path != tt.path {
				t.Errorf("path %s, want %s", path, tt.path)
			}
			for k, want := range tt.expect {
				if got := dig(body, k); got != want {
					t.Errorf("%s = %v, want %v", k, got, want)
				}
			}
			if tt.services != nil {
				var got []string
				for _, r := range rates {
					got = append(got, r.Service)
				}
				if strings.Join(got, ",") != strings.Join(tt.services, ",") {
					t.Errorf("services %v, want %v", got, tt.services)
				}
			}
		})
	}
	t.Run("another carrier's services only", func(t *testing.T) {
		before := f.sim.Stats()["rates"]
		rates, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS(), Services: []string{"fedex_ground"}})
		if err != nil || len(rates) != 0 || f.sim.Stats()["rates"] != before {
			t.Fatalf("rates %v, err %v: want none and no call", rates, err)
		}
	})
}

func TestNegotiatedTotal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pub, err := f.client(t).Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS(), Services: []string{"ups_ground"}})
	if err != nil {
		t.Fatal(err)
	}
	neg, err := f.client(t, func(cfg *carriers.AccountConfig, _ *carriers.Env) { cfg.Options["negotiated_rates"] = true }).
		Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS(), Services: []string{"ups_ground"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := pub[0].Total.Amount * 82 / 100; neg[0].Total.Amount != want || neg[0].Charges != nil {
		t.Fatalf("negotiated total %v (charges %v), want %d with no published breakdown", neg[0].Total, neg[0].Charges, want)
	}
}

func TestRefusals(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)
	ctx := context.Background()
	badZIP := carriertest.DomesticUS()
	badZIP.To.PostalCode = "ABCDE"
	tests := []struct {
		name        string
		call        func() error
		code        shipgate.Code
		carrierCode string
	}{
		{"bad postal code (Rating)", func() error {
			_, err := c.Rates(ctx, &carriers.RateRequest{Shipment: badZIP})
			return err
		}, shipgate.CodeCarrierRejected, "111285"},
		{"bad postal code (Shipping)", func() error {
			_, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: badZIP, Service: "ups_ground"})
			return err
		}, shipgate.CodeCarrierRejected, "120207"},
		{"service not on the lane", func() error {
			_, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.USToGermany(), Services: []string{"ups_ground"}})
			return err
		}, shipgate.CodeCarrierRejected, "111210"},
		{"ship a service not on the lane", func() error {
			_, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: carriertest.USToGermany(), Service: "ups_ground"})
			return err
		}, shipgate.CodeCarrierRejected, "120124"},
		{"unknown service", func() error {
			_, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "fedex_ground"})
			return err
		}, shipgate.CodeUnsupported, ""},
		{"void of an unknown shipment", func() error {
			return c.Void(ctx, &carriers.VoidRequest{ShipmentID: "1ZS1M8U50399999018"})
		}, shipgate.CodeCarrierRejected, "190100"},
		{"void without a number", func() error { return c.Void(ctx, &carriers.VoidRequest{}) }, shipgate.CodeInvalidRequest, ""},
		{"unknown tracking number", func() error {
			_, err := c.Track(ctx, "1ZS1M8U50399999999")
			return err
		}, shipgate.CodeNotFound, "TW0001"},
		{"tracking number too short", func() error {
			_, err := c.Track(ctx, "1Z12")
			return err
		}, shipgate.CodeInvalidRequest, ""},
		{"international without the shipper's phone", func() error {
			s := carriertest.USToGermany()
			s.From.Phone = ""
			_, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: s, Service: "ups_worldwide_saver"})
			return err
		}, shipgate.CodeInvalidRequest, ""},
		{"zero weight", func() error {
			s := carriertest.DomesticUS()
			s.Parcels[0].Weight.Value = 0
			_, err := c.Rates(ctx, &carriers.RateRequest{Shipment: s})
			return err
		}, shipgate.CodeInvalidRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			e := shipgate.AsError(err)
			if err == nil || e.Code != tt.code {
				t.Fatalf("error %v, want %s", err, tt.code)
			}
			if tt.carrierCode != "" && (e.Carrier == nil || e.Carrier.Code != tt.carrierCode || e.Carrier.Account != "ups-test") {
				t.Fatalf("carrier error %+v, want UPS's code %s", e.Carrier, tt.carrierCode)
			}
			if e.Code.CarrierFault() {
				t.Fatalf("a refusal counts as a carrier fault")
			}
		})
	}
}

func fromGermany() shipgate.Shipment {
	s := carriertest.USToGermany()
	s.From, s.To = s.To, s.From
	s.From.Phone = "+49305550100"
	s.Customs.Items[0].Value = shipgate.NewMoney(8050, "EUR")
	return s
}

func noCustoms() shipgate.Shipment {
	s := carriertest.USToGermany()
	s.Customs = nil
	return s
}

func withOptions() shipgate.Shipment {
	s := carriertest.DomesticUS()
	s.Options = shipgate.ShipmentOptions{Signature: "adult", SaturdayDelivery: true, Insurance: &shipgate.Money{Amount: 50001, Currency: "USD"}}
	return s
}
