package sandbox

import (
	"testing"
	"time"

	"github.com/shipgate/shipgate"
)

func TestBillablePounds(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    shipgate.Parcel
		want int64
	}{
		{"actual weight rounds up", shipgate.Parcel{Weight: shipgate.Weight{Value: 2.1, Unit: shipgate.Pound}}, 3},
		{"whole pound stays", shipgate.Parcel{Weight: shipgate.Weight{Value: 2, Unit: shipgate.Pound}}, 2},
		{"one kilogram is 2.2 lb", shipgate.Parcel{Weight: shipgate.Weight{Value: 1, Unit: shipgate.Kilogram}}, 3},
		{"16 oz is exactly 1 lb", shipgate.Parcel{Weight: shipgate.Weight{Value: 16, Unit: shipgate.Ounce}}, 1},
		{"453.59237 g is exactly 1 lb", shipgate.Parcel{Weight: shipgate.Weight{Value: 453.59237, Unit: shipgate.Gram}}, 1},
		{"minimum one pound", shipgate.Parcel{Weight: shipgate.Weight{Value: 10, Unit: shipgate.Gram}}, 1},
		{"dimensional weight wins", shipgate.Parcel{
			Weight:     shipgate.Weight{Value: 1, Unit: shipgate.Pound},
			Dimensions: &shipgate.Dimensions{Length: 20, Width: 20, Height: 20, Unit: shipgate.Inch}}, 58}, // 8000/139 = 57.55
		{"actual weight wins over small box", shipgate.Parcel{
			Weight:     shipgate.Weight{Value: 10, Unit: shipgate.Pound},
			Dimensions: &shipgate.Dimensions{Length: 10, Width: 10, Height: 10, Unit: shipgate.Inch}}, 10}, // 7.19 dim
		{"centimetres convert", shipgate.Parcel{
			Weight:     shipgate.Weight{Value: 0.5, Unit: shipgate.Kilogram},
			Dimensions: &shipgate.Dimensions{Length: 50.8, Width: 50.8, Height: 50.8, Unit: shipgate.Centimeter}}, 58},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := billablePounds(tc.p); got != tc.want {
				t.Errorf("billable = %d lb, want %d", got, tc.want)
			}
		})
	}
}

func TestZone(t *testing.T) {
	us := func(zip string) shipgate.Address { return shipgate.Address{Country: "US", PostalCode: zip} }
	for _, tc := range []struct {
		from, to shipgate.Address
		want     int
	}{
		{us("30309"), us("30301"), 2},
		{us("30309"), us("94105"), 7}, // 303 vs 941: 638/125 = 5
		{us("10001"), us("99501"), 8}, // 100 vs 995 capped at 8
		{us("30309"), us("43201"), 3}, // 303 vs 432
		{us("94105"), us("30309"), 7}, // symmetric
		{us("30309"), shipgate.Address{Country: "DE", PostalCode: "10117"}, intlZone},
	} {
		if got := zone(tc.from, tc.to); got != tc.want {
			t.Errorf("zone(%s, %s) = %d, want %d", tc.from.PostalCode, tc.to.PostalCode, got, tc.want)
		}
	}
}

func TestPrice(t *testing.T) {
	sh := shipgate.Shipment{
		From:    shipgate.Address{Country: "US", PostalCode: "30309"},
		To:      shipgate.Address{Country: "US", PostalCode: "94105", Residential: true},
		Parcels: []shipgate.Parcel{{Weight: shipgate.Weight{Value: 2.5, Unit: shipgate.Pound}}},
	}
	total, charges, lbs := price(services[0], &sh, 6)
	// transport 650 + 45*3*6 = 1460; residential 495; fuel 12% of 1460 = 175.2 -> 175
	if lbs != 3 {
		t.Fatalf("billable = %d", lbs)
	}
	if total != shipgate.NewMoney(1460+495+175, "USD") {
		t.Errorf("total = %v, want 21.30 USD", total)
	}
	if len(charges) != 3 {
		t.Errorf("charges = %+v", charges)
	}

	intl := sh
	intl.To = shipgate.Address{Country: "DE", PostalCode: "10117"}
	total, charges, _ = price(services[1], &intl, intlZone)
	// transport 1400 + 95*3*9 = 3965; intl 2500 + 793 = 3293; fuel 475.8 -> 476
	if total != shipgate.NewMoney(3965+3293+476, "USD") {
		t.Errorf("international total = %v (%+v)", total, charges)
	}
}

func TestAddBusinessDays(t *testing.T) {
	d := func(s string) time.Time { t, _ := time.Parse(shipgate.DateLayout, s); return t }
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-23", 1, "2026-11-24"}, // Monday -> Tuesday
		{"2026-11-27", 1, "2026-11-30"}, // Friday -> Monday
		{"2026-11-27", 2, "2026-12-01"}, // Friday -> Tuesday
		{"2026-11-28", 1, "2026-12-01"}, // Saturday counts from Monday
		{"2026-11-29", 0, "2026-11-30"}, // Sunday, zero days: next Monday
		{"2026-11-23", 5, "2026-11-30"}, // a whole week
	} {
		if got := addBusinessDays(d(tc.from), tc.n).Format(shipgate.DateLayout); got != tc.want {
			t.Errorf("%s + %d business days = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
}

func TestValidPostal(t *testing.T) {
	for _, tc := range []struct {
		country, code string
		ok            bool
	}{
		{"US", "94105", true}, {"US", "94105-1234", true}, {"US", "ABCDE", false}, {"US", "9410", false}, {"US", "", false},
		{"CA", "K1A 0B1", true}, {"CA", "k1a0b1", true}, {"CA", "12345", false},
		{"GB", "SW1A 1AA", true}, {"GB", "EC1A1BB", true}, {"GB", "12345", false},
		{"DE", "10117", true}, {"DE", "1011", false},
		{"NL", "1012 AB", true}, {"JP", "100-0001", true},
		{"HK", "", true}, {"ZZ", "AB-12", true}, {"ZZ", "!!", false},
	} {
		if got := validPostal(tc.country, tc.code); got != tc.ok {
			t.Errorf("validPostal(%s, %q) = %v, want %v", tc.country, tc.code, got, tc.ok)
		}
	}
}
