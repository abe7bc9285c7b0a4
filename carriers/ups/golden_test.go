package ups_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
)

// golden compares v, as indented JSON, with testdata/name.golden.json; with
// -update it rewrites the file.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

// withoutImages is a purchase with its label bytes left out.
func withoutImages(p *shipgate.Purchase) *shipgate.Purchase {
	c := *p
	c.Parcels = append([]shipgate.ParcelLabel(nil), p.Parcels...)
	for i := range c.Parcels {
		c.Parcels[i].Document.Data = nil
	}
	return &c
}

func TestGolden(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.client(t)
	neg := f.client(t, func(cfg *carriers.AccountConfig, _ *carriers.Env) { cfg.Options["negotiated_rates"] = true })

	t.Run("rates", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			client interface {
				Rates(context.Context, *carriers.RateRequest) ([]shipgate.Rate, error)
			}
			s shipgate.Shipment
		}{
			{"rates_domestic", c, carriertest.DomesticUS()},
			{"rates_international", c, carriertest.USToGermany()},
			{"rates_negotiated", neg, carriertest.DomesticUS()},
		} {
			rates, err := tc.client.Rates(ctx, &carriers.RateRequest{Shipment: tc.s})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			golden(t, tc.name, rates)
		}
	})
	t.Run("labels", func(t *testing.T) {
		p, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "ups_ground", Format: shipgate.FormatZPL, IdempotencyKey: "golden-1"})
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "purchase_domestic_zpl", withoutImages(p))
		p, err = neg.Purchase(ctx, &carriers.PurchaseRequest{Shipment: carriertest.USToGermany(), Service: "ups_worldwide_saver", Format: shipgate.FormatPDF, IdempotencyKey: "golden-2"})
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "purchase_international_gif_negotiated", withoutImages(p))
	})
	t.Run("tracking", func(t *testing.T) {
		p, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "ups_2nd_day_air", Format: shipgate.FormatZPL})
		if err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(26 * time.Hour)
		tr, err := c.Track(ctx, p.TrackingNumber)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "tracking_in_transit", tr)
		f.clock.Advance(4 * 24 * time.Hour)
		tr, err = c.Track(ctx, p.TrackingNumber)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "tracking_delivered", tr)
	})
}
