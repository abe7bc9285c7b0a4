package ups_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
	"github.com/shipgate/shipgate/carriers/ups/internal/upsspec"
)

// keyPaths lists the key paths of a JSON document ("RateRequest/Shipment/
// Package/PackageWeight/Weight"), lists and single objects alike.
func keyPaths(t *testing.T, b []byte) map[string]bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, sub := range x {
				p := k
				if prefix != "" {
					p = prefix + "/" + k
				}
				out[p] = true
				walk(p, sub)
			}
		case []any:
			for _, sub := range x {
				walk(prefix, sub)
			}
		}
	}
	walk("", v)
	return out
}

// TestRequestShapeFollowsExamples compares the adapter's requests with the
// standard examples of UPS's documents, key by key: every key of the example
// is in the adapter's request, or listed here with the reason it is not.
func TestRequestShapeFollowsExamples(t *testing.T) {
	specs := upsspec.Load(t)
	f := newFixture(t)
	c := f.client(t)
	ctx := context.Background()
	if _, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS(), Services: []string{"ups_ground"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "ups_ground", Format: shipgate.FormatPDF, IdempotencyKey: "k"}); err != nil {
		t.Fatal(err)
	}
	sent := map[string][]byte{}
	for _, ex := range f.sim.Exchanges() {
		switch {
		case strings.Contains(ex.Path, "/rating/"):
			sent["rating"] = ex.Body
		case strings.HasSuffix(ex.Path, "/ship"):
			sent["ship"] = ex.Body
		}
	}
	cases := []struct {
		kind, path string
		omitted    map[string]string // example key path -> why the adapter leaves it out
	}{
		{"rating", "/rating/{version}/{requestoption}", map[string]string{
			"RateRequest/Request/TransactionReference":                 "optional; rates carry no key to echo",
			"RateRequest/Request/TransactionReference/CustomerContext": "optional; rates carry no key to echo",
			"RateRequest/Shipment/ShipFrom":                            "the shipper's address is the origin",
			"RateRequest/Shipment/ShipFrom/Name":                       "the shipper's address is the origin",
			"RateRequest/Shipment/ShipFrom/Address":                    "the shipper's address is the origin",
			"RateRequest/Shipment/ShipFrom/Address/AddressLine":        "the shipper's address is the origin",
			"RateRequest/Shipment/ShipFrom/Address/City":               "the shipper's address is the origin",
			"RateRequest/Shipment/ShipFrom/Address/StateProvinceCode":  "the shipper's address is the origin",
			"RateRequest/Shipment/ShipFrom/Address/PostalCode":         "the shipper's address is the origin",
			"RateRequest/Shipment/ShipFrom/Address/CountryCode":        "the shipper's address is the origin",
			"RateRequest/Shipment/NumOfPieces":                         "optional; UPS counts the packages",
			"RateRequest/Shipment/Package/SimpleRate":                  "UPS Simple Rate (flat-rate boxes) is not supported",
			"RateRequest/Shipment/Package/SimpleRate/Code":             "UPS Simple Rate (flat-rate boxes) is not supported",
			"RateRequest/Shipment/Package/SimpleRate/Description":      "UPS Simple Rate (flat-rate boxes) is not supported",
		}},
		{"ship", "/shipments/{version}/ship", map[string]string{
			"ShipmentRequest/Request/SubVersion":                          "the version is in the path (v2409)",
			"ShipmentRequest/Shipment/Shipper/TaxIdentificationNumber":    "sent only for international shipments with an exporter id",
			"ShipmentRequest/Shipment/Shipper/Phone/Extension":            "addresses carry one phone number",
			"ShipmentRequest/Shipment/Shipper/FaxNumber":                  "addresses carry no fax number",
			"ShipmentRequest/Shipment/ShipTo/Residential":                 "not in UPS's schema: ResidentialAddressIndicator is sent instead",
			"ShipmentRequest/Shipment/ShipFrom":                           "the shipper's address is the origin (ShipFrom is sent for return labels)",
			"ShipmentRequest/Shipment/ShipFrom/Name":                      "the shipper's address is the origin",
			"ShipmentRequest/Shipment/ShipFrom/AttentionName":             "the shipper's address is the origin",
			"ShipmentRequest/Shipment/ShipFrom/Phone":                     "the shipper's address is the origin",
			"ShipmentRequest/Shipment/ShipFrom/Phone/Number":              "the shipper's address is the origin",
			"ShipmentRequest/Shipment/ShipFrom/FaxNumber":                 "the shipper's address is the origin",
			"ShipmentRequest/Shipment/ShipFrom/Address":                   "the shipper's address is the origin",
			"ShipmentRequest/Shipment/ShipFrom/Address/AddressLine":       "the shipper's address is the origin",
			"ShipmentRequest/Shipment/ShipFrom/Address/City":              "the shipper's address is the origin",
			"ShipmentRequest/Shipment/ShipFrom/Address/StateProvinceCode": "the shipper's address is the origin",
			"ShipmentRequest/Shipment/ShipFrom/Address/PostalCode":        "the shipper's address is the origin",
			"ShipmentRequest/Shipment/ShipFrom/Address/CountryCode":       "the shipper's address is the origin",
			"ShipmentRequest/Shipment/Package/Description":                "required only for return labels, where it is sent",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			spec := specs.Rating
			if tc.kind == "ship" {
				spec = specs.Shipping
			}
			examples, err := spec.RequestExamples("POST", tc.path)
			if err != nil {
				t.Fatal(err)
			}
			want, got := keyPaths(t, examples["1"]), keyPaths(t, sent[tc.kind])
			var missing []string
			for k := range want {
				if !got[k] && tc.omitted[k] == "" {
					missing = append(missing, k)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("UPS's example 1 has keys the adapter does not send:\n  %s\nadapter sent: %s", strings.Join(missing, "\n  "), sent[tc.kind])
			}
			for k := range tc.omitted {
				if got[k] {
					t.Errorf("%s is listed as left out but the adapter sends it", k)
				}
			}
		})
	}
}
