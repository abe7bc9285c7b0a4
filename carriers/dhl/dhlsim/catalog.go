package dhlsim

import (
	"math"
	"regexp"
	"strings"
	"time"
)

// simProduct is one DHL Express product the simulator sells. Names follow
// the spec's reference data (productCode dataset) and its rate example
// ("EXPRESS WORLDWIDE NONDOC").
type simProduct struct {
	code, name string
	// network is DHL's networkTypeCode: TD time definite, DD day definite.
	network string
	// days is the transit time in business days; at is the delivery time of day.
	days int
	at   string
	// factor scales the lane's base price (percent).
	factor int64
}

var catalog = map[string]simProduct{
	// domestic
	"N": {code: "N", name: "EXPRESS DOMESTIC", network: "TD", days: 1, at: "23:59:00", factor: 100},
	"1": {code: "1", name: "EXPRESS DOMESTIC 12:00", network: "TD", days: 1, at: "12:00:00", factor: 125},
	"I": {code: "I", name: "EXPRESS DOMESTIC 9:00", network: "TD", days: 1, at: "09:00:00", factor: 160},
	"O": {code: "O", name: "EXPRESS DOMESTIC 10:30", network: "TD", days: 1, at: "10:30:00", factor: 140},
	"G": {code: "G", name: "ECONOMY SELECT DOMESTIC", network: "DD", days: 3, at: "23:59:00", factor: 80},
	// international, dutiable goods
	"P": {code: "P", name: "EXPRESS WORLDWIDE NONDOC", network: "TD", days: 3, at: "23:59:00", factor: 100},
	"Y": {code: "Y", name: "EXPRESS 12:00 NONDOC", network: "TD", days: 3, at: "12:00:00", factor: 120},
	"M": {code: "M", name: "EXPRESS 10:30 NONDOC", network: "TD", days: 3, at: "10:30:00", factor: 135},
	"E": {code: "E", name: "EXPRESS 9:00 NONDOC", network: "TD", days: 3, at: "09:00:00", factor: 150},
	"H": {code: "H", name: "ECONOMY SELECT NONDOC", network: "DD", days: 6, at: "23:59:00", factor: 75},
	"8": {code: "8", name: "EXPRESS EASY NONDOC", network: "TD", days: 3, at: "23:59:00", factor: 110},
	"Q": {code: "Q", name: "MEDICAL EXPRESS NONDOC", network: "TD", days: 3, at: "23:59:00", factor: 130},
	// international, documents
	"D": {code: "D", name: "EXPRESS WORLDWIDE", network: "TD", days: 3, at: "23:59:00", factor: 90},
	"T": {code: "T", name: "EXPRESS 12:00", network: "TD", days: 3, at: "12:00:00", factor: 110},
	"L": {code: "L", name: "EXPRESS 10:30", network: "TD", days: 3, at: "10:30:00", factor: 125},
	"K": {code: "K", name: "EXPRESS 9:00", network: "TD", days: 3, at: "09:00:00", factor: 140},
	"X": {code: "X", name: "EXPRESS ENVELOPE", network: "TD", days: 3, at: "23:59:00", factor: 60},
	"7": {code: "7", name: "EXPRESS EASY", network: "TD", days: 3, at: "23:59:00", factor: 100},
	"C": {code: "C", name: "MEDICAL EXPRESS", network: "TD", days: 3, at: "23:59:00", factor: 120},
	// inside the EU customs union
	"U": {code: "U", name: "EXPRESS WORLDWIDE", network: "TD", days: 2, at: "23:59:00", factor: 85},
	"W": {code: "W", name: "ECONOMY SELECT", network: "DD", days: 4, at: "23:59:00", factor: 65},
}

// Products offered by default on each kind of lane, in answer order. Other
// catalog products are sold when asked for by code (if they fit the lane).
var (
	domesticOffer = []string{"N", "1", "I"}
	dutiableOffer = []string{"P", "Y", "E", "H"}
	documentOffer = []string{"D", "T", "K", "X"}
	euOffer       = []string{"U", "K", "T", "W"}

	domesticCodes = "N1IOG"
	dutiableCodes = "PYMEH8Q"
	documentCodes = "DTLKX7C"
	euCodes       = "UWKTLDX7"
)

// lane is what decides which products and prices a shipment gets.
type lane struct {
	from, to         string // countries
	domestic, eu     bool
	dutiable         bool
	fromCity, toCity string
}

func newLane(from, to, fromCity, toCity string, dutiable bool) lane {
	from, to = strings.ToUpper(from), strings.ToUpper(to)
	return lane{
		from: from, to: to, fromCity: fromCity, toCity: toCity,
		domestic: from == to, eu: euMember[from] && euMember[to] && from != to,
		dutiable: dutiable && from != to,
	}
}

// offer returns the product codes sold on the lane by default.
func (l lane) offer() []string {
	switch {
	case l.domestic:
		return domesticOffer
	case l.eu && !l.dutiable:
		return euOffer
	case l.dutiable:
		return dutiableOffer
	}
	return documentOffer
}

// allows reports whether product code may be sold on the lane.
func (l lane) allows(code string) bool {
	if _, ok := catalog[code]; !ok || code == "" {
		return false
	}
	switch {
	case l.domestic:
		return strings.Contains(domesticCodes, code)
	case l.eu && !l.dutiable:
		return strings.Contains(euCodes, code)
	case l.dutiable:
		return strings.Contains(dutiableCodes, code)
	}
	return strings.Contains(documentCodes, code)
}

// laneBase is the price of the first half kilo and of each further half kilo
// on the lane, in minor units of the billing currency (before the product factor).
func (l lane) laneBase() (first, perHalfKg int64) {
	switch {
	case l.domestic:
		return 2450, 310
	case l.eu:
		return 3900, 420
	}
	// Farther lanes cost more: a stable zone from the two country codes.
	zone := int64((int(l.from[0])+int(l.to[0])+int(l.from[1])*3+int(l.to[1])*7)%4) + 1
	return 5200 + zone*900, 650 + zone*90
}

// currencyOf is the billing currency of an account in the shipper's country.
func currencyOf(country string) string {
	switch strings.ToUpper(country) {
	case "US", "EC", "SV", "PR":
		return "USD"
	case "GB":
		return "GBP"
	case "CA":
		return "CAD"
	case "CH":
		return "CHF"
	case "SG":
		return "SGD"
	case "AU":
		return "AUD"
	case "NZ":
		return "NZD"
	case "JP":
		return "JPY"
	case "CN":
		return "CNY"
	case "CZ":
		return "CZK"
	}
	if euMember[strings.ToUpper(country)] {
		return "EUR"
	}
	return "USD"
}

// exponent is the number of minor digits of the currencies above.
func exponent(cur string) int {
	if cur == "JPY" {
		return 0
	}
	return 2
}

// amount writes minor units as DHL's JSON number.
func amount(minor int64, cur string) float64 {
	return float64(minor) / math.Pow10(exponent(cur))
}

// toMinor converts a JSON amount to minor units, rounded.
func toMinor(v float64, cur string) int64 { return int64(math.Round(v * math.Pow10(exponent(cur)))) }

// quote is one priced product.
type quote struct {
	product          simProduct
	currency         string
	base, fuel       int64
	services         []serviceCharge
	total            int64
	volumetric, kg   float64
	delivery         time.Time
	cutoff           time.Time
	originArea, dest string
}

type serviceCharge struct {
	code, name string
	price      int64
}

// piece is one package's weight and size in kg and cm.
type piece struct {
	kg      float64
	l, w, h float64
}

// price quotes product code on lane for the pieces, shipped at ship (the
// shipper's local time), with the requested value added services.
func price(code string, l lane, pieces []piece, ship time.Time, vas []vasRequest) quote {
	p := catalog[code]
	q := quote{product: p, currency: currencyOf(l.from)}
	var billable float64
	for _, pc := range pieces {
		vol := pc.l * pc.w * pc.h / 5000
		q.volumetric += vol
		q.kg += pc.kg
		billable += math.Max(pc.kg, vol)
	}
	q.volumetric = math.Round(q.volumetric*1000) / 1000
	q.kg = math.Round(q.kg*1000) / 1000
	halves := int64(math.Ceil(billable*2 - 1e-9))
	if halves < 1 {
		halves = 1
	}
	first, per := l.laneBase()
	base := (first + (halves-1)*per) * p.factor / 100
	q.base = base
	q.fuel = base * 20 / 100
	q.total = q.base + q.fuel
	for _, v := range vas {
		sc := serviceCharge{code: v.ServiceCode}
		switch v.ServiceCode {
		case "II":
			sc.name = "SHIPMENT INSURANCE"
			sc.price = max(toMinor(v.Value, q.currency)/100, 1000)
		case "AA":
			sc.name, sc.price = "SATURDAY DELIVERY", 2500
		case "SF":
			sc.name, sc.price = "DIRECT SIGNATURE", 550
		case "DD":
			sc.name, sc.price = "DUTY TAX PAID", 1800
		default:
			sc.name, sc.price = "SERVICE "+v.ServiceCode, 500
		}
		q.services = append(q.services, sc)
		q.total += sc.price
	}
	q.cutoff = time.Date(ship.Year(), ship.Month(), ship.Day(), 18, 0, 0, 0, ship.Location())
	start := ship
	if ship.After(q.cutoff) {
		start = addBusinessDays(ship, 1)
	}
	day := addBusinessDays(start, p.days)
	hh, mm := 23, 59
	if t, err := time.Parse("15:04:05", p.at); err == nil {
		hh, mm = t.Hour(), t.Minute()
	}
	q.delivery = time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, ship.Location())
	q.originArea, q.dest = areaCode(l.fromCity), areaCode(l.toCity)
	return q
}

func addBusinessDays(t time.Time, n int) time.Time {
	for n > 0 {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return t
}

var nonLetters = regexp.MustCompile(`[^A-Z]`)

// areaCode is a DHL-like three-letter service area code for a city.
func areaCode(city string) string {
	c := nonLetters.ReplaceAllString(strings.ToUpper(city), "")
	for len(c) < 3 {
		c += "X"
	}
	return c[:3]
}

// areaName is the service area description DHL prints: "SYDNEY-AU".
func areaName(city, country string) string {
	return strings.ToUpper(strings.TrimSpace(city)) + "-" + strings.ToUpper(country)
}

var euMember = map[string]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true,
	"EE": true, "FI": true, "FR": true, "DE": true, "GR": true, "HU": true, "IE": true,
	"IT": true, "LV": true, "LT": true, "LU": true, "MT": true, "NL": true, "PL": true,
	"PT": true, "RO": true, "SK": true, "SI": true, "ES": true, "SE": true,
}

// postalFormats are the postal code shapes the simulator checks; a country
// not listed accepts any postal code, including none.
var postalFormats = map[string]*regexp.Regexp{
	"US": regexp.MustCompile(`^\d{5}(-\d{4})?$`),
	"CA": regexp.MustCompile(`^[A-Z]\d[A-Z] ?\d[A-Z]\d$`),
	"GB": regexp.MustCompile(`^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$`),
	"DE": regexp.MustCompile(`^\d{5}$`),
	"FR": regexp.MustCompile(`^\d{5}$`),
	"ES": regexp.MustCompile(`^\d{5}$`),
	"IT": regexp.MustCompile(`^\d{5}$`),
	"MX": regexp.MustCompile(`^\d{5}$`),
	"NL": regexp.MustCompile(`^\d{4} ?[A-Z]{2}$`),
	"BE": regexp.MustCompile(`^\d{4}$`),
	"AT": regexp.MustCompile(`^\d{4}$`),
	"CH": regexp.MustCompile(`^\d{4}$`),
	"AU": regexp.MustCompile(`^\d{4}$`),
	"NZ": regexp.MustCompile(`^\d{4}$`),
	"CZ": regexp.MustCompile(`^\d{3} ?\d{2}$`),
	"SE": regexp.MustCompile(`^\d{3} ?\d{2}$`),
	"PL": regexp.MustCompile(`^\d{2}-\d{3}$`),
	"SG": regexp.MustCompile(`^\d{6}$`),
	"CN": regexp.MustCompile(`^\d{6}$`),
	"IN": regexp.MustCompile(`^\d{6}$`),
	"JP": regexp.MustCompile(`^\d{3}-?\d{4}$`),
	"BR": regexp.MustCompile(`^\d{5}-?\d{3}$`),
}

// postalOK reports whether postal code fits the country's format.
func postalOK(country, code string) bool {
	re, ok := postalFormats[strings.ToUpper(country)]
	return !ok || re.MatchString(strings.ToUpper(strings.TrimSpace(code)))
}
