package ups

import (
	"testing"
	"time"

	"github.com/shipgate/shipgate"
)

func TestWeightConversion(t *testing.T) {
	tests := []struct {
		w    shipgate.Weight
		to   shipgate.WeightUnit
		want string
	}{
		{shipgate.Weight{Value: 2.5, Unit: shipgate.Pound}, shipgate.Pound, "2.5"},
		{shipgate.Weight{Value: 2.51, Unit: shipgate.Pound}, shipgate.Pound, "2.6"}, // up, never down
		{shipgate.Weight{Value: 800, Unit: shipgate.Gram}, shipgate.Pound, "1.8"},   // 1.7637 lb
		{shipgate.Weight{Value: 1.2, Unit: shipgate.Kilogram}, shipgate.Kilogram, "1.2"},
		{shipgate.Weight{Value: 1.2, Unit: shipgate.Kilogram}, shipgate.Pound, "2.7"}, // 2.6455 lb
		{shipgate.Weight{Value: 16, Unit: shipgate.Ounce}, shipgate.Pound, "1.0"},
		{shipgate.Weight{Value: 1, Unit: shipgate.Ounce}, shipgate.Pound, "0.1"},   // 0.0625 lb
		{shipgate.Weight{Value: 1, Unit: shipgate.Gram}, shipgate.Kilogram, "0.1"}, // at least 0.1
		{shipgate.Weight{Value: 10, Unit: shipgate.Pound}, shipgate.Kilogram, "4.6"},
	}
	for _, tt := range tests {
		got, ok := upsWeight(tt.w, tt.to)
		if !ok || got != tt.want {
			t.Errorf("upsWeight(%v, %s) = %q, %v; want %q", tt.w, tt.to, got, ok, tt.want)
		}
	}
	for _, bad := range []shipgate.Weight{{Value: 0, Unit: shipgate.Pound}, {Value: -1, Unit: shipgate.Pound}, {Value: 1, Unit: "stone"}} {
		if _, ok := upsWeight(bad, shipgate.Pound); ok {
			t.Errorf("upsWeight(%v) accepted", bad)
		}
	}
}

func TestLengthRounding(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{{12, "12"}, {12.0000000001, "12"}, {12.01, "13"}, {7.874015748, "8"}, {0.2, "1"}}
	for _, tt := range tests {
		if got, ok := upsLength(tt.v); !ok || got != tt.want {
			t.Errorf("upsLength(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
	if _, ok := upsLength(0); ok {
		t.Error("upsLength(0) accepted")
	}
}

func TestUnitsByOrigin(t *testing.T) {
	for country, want := range map[string]string{"US": "LBS/IN", "pr": "LBS/IN", "CA": "KGS/CM", "DE": "KGS/CM", "GB": "KGS/CM"} {
		u := unitsFor(country)
		if got := u.weightCode.Code + "/" + u.lengthCode.Code; got != want {
			t.Errorf("units from %s = %s, want %s", country, got, want)
		}
	}
}

func TestAddressConversion(t *testing.T) {
	a := shipgate.Address{
		Name: "Jane Doe", Company: "A company name that is far too long for UPS's thirty-five", Street1: "500 Market St", Street2: " ",
		City: "San Francisco", State: "ca", PostalCode: "94105-1234", Country: "us", Phone: "+1 (415) 555-0100",
	}
	got := upsAddress(a, 2)
	if got.PostalCode != "941051234" || got.StateProvinceCode != "CA" || got.CountryCode != "US" || len(got.AddressLine) != 1 {
		t.Errorf("upsAddress = %+v", got)
	}
	name, attn := names(a)
	if len([]rune(name)) > 35 || attn != "Jane Doe" {
		t.Errorf("names = %q, %q", name, attn)
	}
	if p := upsPhone(a.Phone); p != "14155550100" {
		t.Errorf("upsPhone = %q", p)
	}
	ca := upsAddress(shipgate.Address{Street1: "34 Queen St", City: "Toronto", State: "ON", PostalCode: "m5c 2m6", Country: "CA"}, 2)
	if ca.PostalCode != "M5C 2M6" {
		t.Errorf("Canadian postal code %q", ca.PostalCode)
	}
	long := upsAddress(shipgate.Address{Street1: "x", City: "y", State: "NSW-X", PostalCode: "1234", Country: "AU"}, 2)
	if long.StateProvinceCode != "" {
		t.Errorf("a state code longer than Rating takes was sent: %q", long.StateProvinceCode)
	}
}

func TestServiceCodes(t *testing.T) {
	for code, want := range map[string]string{"03": "ups_ground", "3": "ups_ground", "003": "ups_ground", "072": "ups_worldwide_economy_ddp", "65": "ups_worldwide_saver"} {
		s, ok := serviceForCode(code)
		if !ok || s.Code != want {
			t.Errorf("serviceForCode(%q) = %v, %v; want %s", code, s.Code, ok, want)
		}
	}
	if _, ok := serviceForCode("M2"); ok {
		t.Error("Mail Innovations is listed")
	}
	seen := map[string]bool{}
	for _, s := range serviceTable {
		if seen[s.CarrierCode] || seen[s.Code] || len(s.CarrierCode) != 2 {
			t.Errorf("service %+v repeated or malformed", s)
		}
		seen[s.CarrierCode], seen[s.Code] = true, true
	}
}

func TestPickupDate(t *testing.T) {
	now := time.Date(2025, 3, 11, 14, 30, 0, 0, time.UTC)
	for ship, want := range map[string]string{"": "20250311", "2025-03-14": "20250314", "2025-03-01": "20250311", "garbage": "20250311"} {
		if got := pickupDate(&shipgate.Shipment{ShipDate: ship}, now); got != want {
			t.Errorf("ship date %q: pickup %s, want %s", ship, got, want)
		}
	}
}
