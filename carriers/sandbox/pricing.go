package sandbox

import (
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/shipgate/shipgate"
)

// service is one sandbox service and its price list (in US cents).
type service struct {
	shipgate.Service
	base          int64 // per shipment
	perLbZone     int64 // per billable pound per zone
	transit       func(zone int) int
	international bool
}

var services = []service{
	{
		Service:   shipgate.Service{Code: "sandbox_ground", Name: "Sandbox Ground", CarrierCode: "GND", Domestic: true},
		base:      650,
		perLbZone: 45,
		transit:   func(zone int) int { return min(5, max(1, (zone+1)/2)) },
	},
	{
		Service:       shipgate.Service{Code: "sandbox_express", Name: "Sandbox Express", CarrierCode: "EXP", Domestic: true, International: true},
		base:          1400,
		perLbZone:     95,
		transit:       func(int) int { return 2 },
		international: true,
	},
	{
		Service:       shipgate.Service{Code: "sandbox_overnight", Name: "Sandbox Overnight", CarrierCode: "ONT", Domestic: true, International: true},
		base:          2900,
		perLbZone:     160,
		transit:       func(int) int { return 1 },
		international: true,
	},
}

const (
	dimDivisor           = 139 // cubic inches per pound
	residentialCents     = 495
	fuelPercent          = 12
	intlSurchargeCents   = 2500
	intlSurchargePercent = 20
	intlZone             = 9
	intlExtraTransitDays = 2
)

// zone returns the pricing zone between two addresses: 2..8 within a
// country, 9 across a border.
func zone(from, to shipgate.Address) int {
	if !strings.EqualFold(from.Country, to.Country) {
		return intlZone
	}
	a, b := postalNumber(from.PostalCode), postalNumber(to.PostalCode)
	d := a - b
	if d < 0 {
		d = -d
	}
	return 2 + min(6, d/125)
}

// postalNumber reads the first three characters of a postal code as a number
// (letters count by their position in the alphabet).
func postalNumber(code string) int {
	n, k := 0, 0
	for _, r := range strings.ToUpper(code) {
		if k == 3 {
			break
		}
		switch {
		case unicode.IsDigit(r):
			n = n*10 + int(r-'0')
		case r >= 'A' && r <= 'Z':
			n = n*10 + int(r-'A')%10
		default:
			continue
		}
		k++
	}
	return n
}

// billablePounds returns the billable weight of one parcel in whole pounds:
// the larger of the actual and the dimensional weight, rounded up.
func billablePounds(p shipgate.Parcel) int64 {
	actual := p.Weight.In(shipgate.Pound)
	dim := 0.0
	if p.Dimensions != nil {
		l, w, h := p.Dimensions.In(shipgate.Inch)
		dim = l * w * h / dimDivisor
	}
	// Round up, ignoring float noise below a millionth of a pound.
	return max(1, int64(math.Ceil(math.Max(actual, dim)-1e-6)))
}

// price computes one service's rate for a shipment.
func price(s service, sh *shipgate.Shipment, z int) (shipgate.Money, []shipgate.Charge, int64) {
	var lbs int64
	for _, p := range sh.Parcels {
		lbs += billablePounds(p)
	}
	usd := func(c int64) shipgate.Money { return shipgate.NewMoney(c, "USD") }
	transport := s.base*int64(len(sh.Parcels)) + s.perLbZone*lbs*int64(z)
	charges := []shipgate.Charge{{Type: "transportation", Name: "Transportation", Amount: usd(transport)}}
	if z == intlZone {
		intl := usd(intlSurchargeCents).Amount + usd(transport).Percent(intlSurchargePercent).Amount
		charges = append(charges, shipgate.Charge{Type: "international", Name: "International surcharge", Amount: usd(intl)})
	}
	if sh.To.Residential {
		charges = append(charges, shipgate.Charge{Type: "residential", Name: "Residential delivery", Amount: usd(residentialCents)})
	}
	charges = append(charges, shipgate.Charge{Type: "fuel", Name: "Fuel surcharge", Amount: usd(transport).Percent(fuelPercent)})
	var total shipgate.Money
	for _, c := range charges {
		total, _ = total.Add(c.Amount) // one currency
	}
	return total, charges, lbs
}

// addBusinessDays returns the date n business days after day, skipping
// Saturdays and Sundays. A ship date on a weekend counts from the next Monday.
func addBusinessDays(day time.Time, n int) time.Time {
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, 1)
	}
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if day.Weekday() != time.Saturday && day.Weekday() != time.Sunday {
			n--
		}
	}
	return day
}
