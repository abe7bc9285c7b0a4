package upssim

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// service is one UPS service the simulator sells.
type service struct {
	code, name string
	// base and perLb are in the origin's currency units.
	base, perLb float64
	// days is the number of business days in transit for a zone; 0 for
	// international uses intlDays.
	days     func(zone int) int
	intlDays int
	// air services are guaranteed and carry a commit time.
	guaranteed bool
	commit     string
}

func fixed(n int) func(int) int { return func(int) int { return n } }

// services holds the UPS service codes of Shipping.yaml that the simulator
// quotes and ships.
var services = map[string]service{
	"01": {code: "01", name: "UPS Next Day Air", base: 29.95, perLb: 4.10, days: fixed(1), guaranteed: true, commit: "10:30 A.M."},
	"02": {code: "02", name: "UPS 2nd Day Air", base: 17.45, perLb: 2.35, days: fixed(2), guaranteed: true, commit: "11:00 P.M."},
	"03": {code: "03", name: "UPS Ground", base: 9.15, perLb: 0.95, days: groundDays},
	"12": {code: "12", name: "UPS 3 Day Select", base: 13.80, perLb: 1.60, days: fixed(3), guaranteed: true, commit: "11:00 P.M."},
	"13": {code: "13", name: "UPS Next Day Air Saver", base: 26.40, perLb: 3.70, days: fixed(1), guaranteed: true, commit: "3:00 P.M."},
	"14": {code: "14", name: "UPS Next Day Air Early", base: 61.20, perLb: 4.90, days: fixed(1), guaranteed: true, commit: "8:00 A.M."},
	"59": {code: "59", name: "UPS 2nd Day Air A.M.", base: 21.90, perLb: 2.70, days: fixed(2), guaranteed: true, commit: "10:30 A.M."},
	"07": {code: "07", name: "UPS Worldwide Express", base: 78.50, perLb: 6.40, intlDays: 2, guaranteed: true, commit: "10:30 A.M."},
	"08": {code: "08", name: "UPS Worldwide Expedited", base: 61.75, perLb: 4.95, intlDays: 5, guaranteed: true, commit: "11:00 P.M."},
	"11": {code: "11", name: "UPS Standard", base: 24.30, perLb: 1.85, days: fixed(1), intlDays: 4},
	"54": {code: "54", name: "UPS Worldwide Express Plus", base: 112.00, perLb: 7.10, intlDays: 2, guaranteed: true, commit: "9:00 A.M."},
	"65": {code: "65", name: "UPS Worldwide Saver", base: 74.20, perLb: 6.05, days: fixed(1), intlDays: 3, guaranteed: true, commit: "11:00 P.M."},
	"17": {code: "17", name: "UPS Worldwide Economy DDU", base: 21.40, perLb: 2.10, intlDays: 8},
	"72": {code: "72", name: "UPS Worldwide Economy DDP", base: 24.90, perLb: 2.10, intlDays: 8},
	"71": {code: "71", name: "UPS Worldwide Express Freight Midday", base: 310.00, perLb: 2.90, intlDays: 2, guaranteed: true, commit: "12:00 P.M."},
	"96": {code: "96", name: "UPS Worldwide Express Freight", base: 290.00, perLb: 2.60, intlDays: 3, guaranteed: true, commit: "11:00 P.M."},
}

func groundDays(zone int) int {
	d := zone - 2
	if d < 1 {
		d = 1
	}
	if d > 5 {
		d = 5
	}
	return d
}

var euCountries = setOf("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE")

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}

// laneServices returns the service codes Shop quotes from one country to
// another; offered also accepts the freight and economy services when asked
// for by name.
func laneServices(from, to string) []string {
	switch {
	case from == "US" && to == "US":
		return []string{"01", "02", "03", "12", "13", "14", "59"}
	case from == to:
		return []string{"11", "65", "07", "54"}
	}
	return []string{"11", "08", "65", "07", "54"}
}

// onRequest are services offered on every international lane, but quoted
// only when asked for (economy and freight).
var onRequest = []string{"17", "72", "71", "96"}

// zone derives a deterministic UPS-like zone (2..8) from origin and destination.
func zone(fromCountry, fromPostal, toCountry, toPostal string) int {
	if fromCountry != toCountry {
		sum := 0
		for _, c := range toCountry {
			sum += int(c)
		}
		return 3 + sum%6
	}
	a, b := leadingNumber(fromPostal, 3), leadingNumber(toPostal, 3)
	d := a - b
	if d < 0 {
		d = -d
	}
	z := 2 + d/100
	if z > 8 {
		z = 8
	}
	return z
}

// leadingNumber reads the first n characters of a postal code as a number
// (letters count by their position), for zones.
func leadingNumber(postal string, n int) int {
	v := 0
	for i, c := range strings.ToUpper(postal) {
		if i >= n {
			break
		}
		switch {
		case c >= '0' && c <= '9':
			v = v*10 + int(c-'0')
		case c >= 'A' && c <= 'Z':
			v = v*10 + int(c-'A')%10
		}
	}
	return v
}

var (
	usZIP     = regexp.MustCompile(`^\d{5}(-?\d{4})?$`)
	caPostal  = regexp.MustCompile(`^[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d$`)
	digitsOf  = map[string]int{"DE": 5, "FR": 5, "IT": 5, "ES": 5, "MX": 5, "AT": 4, "BE": 4, "DK": 4, "NL": 0, "AU": 4}
	noPostal  = setOf("HK AE IE QA")
	countries = map[string]string{"US": "United States", "CA": "Canada", "MX": "Mexico", "DE": "Germany", "GB": "United Kingdom", "FR": "France"}
)

// validPostal reports whether postal is a plausible postal code of country.
func validPostal(country, postal string) bool {
	postal = strings.TrimSpace(postal)
	switch {
	case country == "US" || country == "PR":
		return usZIP.MatchString(postal)
	case country == "CA":
		return caPostal.MatchString(postal)
	case noPostal[country]:
		return true
	}
	if n := digitsOf[country]; n > 0 {
		if len(postal) != n {
			return false
		}
		for _, c := range postal {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	return postal != ""
}

func countryName(c string) string {
	if n, ok := countries[c]; ok {
		return n
	}
	return c
}

// currencyOf returns the currency UPS bills a shipper of country in.
func currencyOf(country string) string {
	switch {
	case country == "US" || country == "PR":
		return "USD"
	case country == "CA":
		return "CAD"
	case country == "GB":
		return "GBP"
	case country == "MX":
		return "MXN"
	case euCountries[country]:
		return "EUR"
	}
	return "USD"
}

// usesImperial reports whether shipments from country must be in LBS/IN.
func usesImperial(country string) bool { return country == "US" || country == "PR" }

// pkgMeasure is one package's weights in its unit of measure.
type pkgMeasure struct {
	weightUnit string // LBS or KGS (OZS converted to LBS)
	weight     float64
	billable   float64 // rounded up: whole LBS or half KGS
}

// lbs returns w in pounds.
func (p pkgMeasure) lbs(w float64) float64 {
	if p.weightUnit == "KGS" {
		return w / 0.45359237
	}
	return w
}

// quote is the price of one service for one request.
type quote struct {
	days              int
	packages          []pkgQuote
	base, resi, fuel  int64
	options           int64
	transportation    int64
	total, negotiated int64
	billable          float64
	weightUnit        string
}

type pkgQuote struct {
	weight, billable          float64
	base, resi, fuel, options int64
	transportation, total     int64
	weightUnit                string
}

// price computes a quote. Amounts are minor units (cents).
func price(svc service, z int, intl, residential, saturday bool, pkgs []pkgMeasure, declared []float64) quote {
	var q quote
	if intl {
		q.days = svc.intlDays
	} else if svc.days != nil {
		q.days = svc.days(z)
	}
	factor := 1 + 0.12*float64(z-2)
	air := svc.code != "03" && svc.code != "11"
	for i, p := range pkgs {
		pq := pkgQuote{weight: p.weight, billable: p.billable, weightUnit: p.weightUnit}
		pq.base = cents(svc.base + svc.perLb*p.lbs(p.billable)*factor)
		if residential && !intl {
			if air {
				pq.resi = 595
			} else {
				pq.resi = 555
			}
		}
		pq.fuel = (pq.base + pq.resi) * 125 / 1000
		if saturday && air {
			pq.options += 1600
		}
		if i < len(declared) && declared[i] > 100 {
			pq.options += cents(math.Ceil((declared[i]-100)/100) * 1.35)
		}
		pq.transportation = pq.base + pq.resi + pq.fuel
		pq.total = pq.transportation + pq.options
		q.packages = append(q.packages, pq)
		q.base += pq.base
		q.resi += pq.resi
		q.fuel += pq.fuel
		q.options += pq.options
		q.billable += p.billable
		q.weightUnit = p.weightUnit
	}
	q.transportation = q.base + q.resi + q.fuel
	q.total = q.transportation + q.options
	q.negotiated = q.total * 82 / 100
	return q
}

func cents(v float64) int64 { return int64(math.Round(v * 100)) }

// money formats minor units as UPS does ("12.34").
func money(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d", sign, minor/100, minor%100)
}

// weightString formats a weight with one decimal ("2.0").
func weightString(w float64) string { return strconv.FormatFloat(w, 'f', 1, 64) }

// measure reads a package's weight and dimensions. It returns a UPS error
// code and message when they are missing or wrong.
func measure(p packageIn, i int, originCountry string) (pkgMeasure, string, string) {
	field := fmt.Sprintf("Shipment/Package[%d]", i+1)
	if p.PackageWeight == nil {
		return pkgMeasure{}, "120601", "Missing/Invalid Package weight in " + field
	}
	unit := strings.ToUpper(p.PackageWeight.UnitOfMeasurement.Code.String())
	w, err := strconv.ParseFloat(strings.TrimSpace(p.PackageWeight.Weight.String()), 64)
	if err != nil || w <= 0 || math.IsNaN(w) || math.IsInf(w, 0) {
		return pkgMeasure{}, "120601", "Missing/Invalid Package weight in " + field
	}
	switch unit {
	case "LBS", "KGS":
	case "OZS":
		unit, w = "LBS", w/16
	default:
		return pkgMeasure{}, "120546", fmt.Sprintf("%s is not a valid unit of measurement for weight for this shipment", unit)
	}
	if usesImperial(originCountry) && unit != "LBS" {
		return pkgMeasure{}, "120546", fmt.Sprintf("%s is not a valid unit of measurement for weight for this shipment", unit)
	}
	m := pkgMeasure{weightUnit: unit, weight: w}
	dimWeight := 0.0
	if d := p.Dimensions; d != nil {
		du := strings.ToUpper(d.UnitOfMeasurement.Code.String())
		if du != "IN" && du != "CM" {
			return pkgMeasure{}, "120547", fmt.Sprintf("%s is not a valid unit of measurement for dimensions.", du)
		}
		if (du == "IN") != (unit == "LBS") {
			return pkgMeasure{}, "120548", "A shipment cannot have a KGS/IN or LBS/CM as its unit of measurements"
		}
		l, e1 := strconv.ParseFloat(d.Length.String(), 64)
		wd, e2 := strconv.ParseFloat(d.Width.String(), 64)
		h, e3 := strconv.ParseFloat(d.Height.String(), 64)
		if e1 != nil || e2 != nil || e3 != nil || l <= 0 || wd <= 0 || h <= 0 {
			return pkgMeasure{}, "120602", "Missing/Invalid Combination of package length, width, and height in " + field
		}
		if du == "IN" {
			dimWeight = l * wd * h / 139
		} else {
			dimWeight = l * wd * h / 5000
		}
	}
	b := math.Max(w, dimWeight)
	if unit == "LBS" {
		m.billable = math.Ceil(b - 1e-9)
	} else {
		m.billable = math.Ceil(b*2-1e-9) / 2
	}
	return m, "", ""
}
