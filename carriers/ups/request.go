package ups

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shipgate/shipgate"
)

// Length limits of UPS's fields (Rating.yaml and Shipping.yaml).
const (
	maxName        = 35
	maxAddressLine = 35
	maxCity        = 30
	maxPostal      = 9
	maxPhone       = 15
	maxDescription = 35
	maxReference   = 35
	maxTaxID       = 15
	maxEmail       = 50
)

// clip trims s and cuts it to n characters (not bytes).
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n]))
}

// names returns UPS's Name (the company, or the person when there is none)
// and AttentionName (the person).
func names(a shipgate.Address) (name, attention string) {
	person, company := clip(a.Name, maxName), clip(a.Company, maxName)
	switch {
	case company != "" && person != "":
		return company, person
	case company != "":
		return company, company
	}
	return person, person
}

// upsPostal writes a postal code as UPS wants it: upper case, a US ZIP+4
// without its dash, at most 9 characters (spaces dropped when longer).
func upsPostal(a shipgate.Address) string {
	p := strings.ToUpper(strings.Join(strings.Fields(a.PostalCode), " "))
	if c := strings.ToUpper(a.Country); (c == "US" || c == "PR") && len(p) == 10 && p[5] == '-' {
		p = p[:5] + p[6:]
	}
	if len(p) > maxPostal {
		p = strings.ReplaceAll(p, " ", "")
	}
	return clip(p, maxPostal)
}

// upsPhone keeps the digits of a phone number (UPS wants 10 to 15).
func upsPhone(p string) string {
	var b strings.Builder
	for _, r := range p {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return clip(b.String(), maxPhone)
}

// upsAddress converts an address; maxState is 2 for Rating and 5 for
// Shipping (a longer state code is left out rather than cut).
func upsAddress(a shipgate.Address, maxState int) addressWire {
	out := addressWire{
		City:        clip(a.City, maxCity),
		PostalCode:  upsPostal(a),
		CountryCode: strings.ToUpper(strings.TrimSpace(a.Country)),
	}
	if st := strings.ToUpper(strings.TrimSpace(a.State)); st != "" && len(st) <= maxState {
		out.StateProvinceCode = st
	}
	for _, l := range []string{a.Street1, a.Street2} {
		if l = clip(l, maxAddressLine); l != "" {
			out.AddressLine = append(out.AddressLine, l)
		}
	}
	if len(out.AddressLine) == 0 {
		out.AddressLine = []string{out.City}
	}
	return out
}

// checkShipment refuses what UPS cannot take before calling it, naming the
// field (invalid_request).
func checkShipment(s *shipgate.Shipment) error {
	for _, p := range []struct {
		field string
		a     shipgate.Address
	}{{"shipment.from", s.From}, {"shipment.to", s.To}} {
		if len(strings.TrimSpace(p.a.Country)) != 2 {
			return shipgate.FieldErrorf(p.field+".country", "must be an ISO 3166-1 alpha-2 code")
		}
	}
	if len(s.Parcels) == 0 {
		return shipgate.FieldErrorf("shipment.parcels", "at least one parcel is required")
	}
	if len(s.Parcels) > 200 {
		return shipgate.FieldErrorf("shipment.parcels", "UPS takes at most 200 packages per shipment")
	}
	return nil
}

// packageMeasures converts every parcel's weight and dimensions to UPS's
// units, once.
type packageMeasure struct {
	weight weightWire
	dims   *dimensionsWire
}

func measures(s *shipgate.Shipment, u units) ([]packageMeasure, error) {
	out := make([]packageMeasure, 0, len(s.Parcels))
	for i, p := range s.Parcels {
		w, ok := upsWeight(p.Weight, u.weight)
		if !ok {
			return nil, shipgate.FieldErrorf(fmt.Sprintf("shipment.parcels[%d].weight", i), "must be a positive weight in g, kg, oz or lb")
		}
		m := packageMeasure{weight: weightWire{UnitOfMeasurement: u.weightCode, Weight: w}}
		if d := p.Dimensions; d != nil {
			l, wd, h := d.In(u.length)
			ls, ok1 := upsLength(l)
			ws, ok2 := upsLength(wd)
			hs, ok3 := upsLength(h)
			if !ok1 || !ok2 || !ok3 {
				return nil, shipgate.FieldErrorf(fmt.Sprintf("shipment.parcels[%d].dimensions", i), "must be positive lengths in cm or in")
			}
			m.dims = &dimensionsWire{UnitOfMeasurement: u.lengthCode, Length: ls, Width: ws, Height: hs}
		}
		out = append(out, m)
	}
	return out, nil
}

// customsValue returns the declared value of an international shipment's
// goods (its customs items, else its insurance), for InvoiceLineTotal; ok is
// false when the shipment declares none.
func customsValue(s *shipgate.Shipment) (shipgate.Money, bool, error) {
	var total shipgate.Money
	if s.Customs != nil {
		for i, it := range s.Customs.Items {
			var err error
			if total, err = total.Add(it.Value); err != nil {
				return shipgate.Money{}, false, shipgate.FieldErrorf(fmt.Sprintf("shipment.customs.items[%d].value", i), "all customs items must be in one currency")
			}
		}
	}
	if total.Amount > 0 {
		return total, true, nil
	}
	if ins := s.Options.Insurance; ins != nil && ins.Amount > 0 {
		return *ins, true, nil
	}
	return shipgate.Money{}, false, nil
}

// wholeUnits formats m rounded up to whole major units ("81"): UPS wants
// InvoiceLineTotal as a whole number.
func wholeUnits(m shipgate.Money) string {
	exp := shipgate.CurrencyExponent(m.Currency)
	div := int64(math.Pow10(exp))
	v := m.Amount / div
	if m.Amount%div != 0 {
		v++
	}
	return fmt.Sprintf("%d", v)
}

// splitMoney divides m into n parts whose sum is m (the remainder goes to
// the first parts).
func splitMoney(m shipgate.Money, n int) []shipgate.Money {
	out := make([]shipgate.Money, n)
	q, r := m.Amount/int64(n), m.Amount%int64(n)
	for i := range out {
		out[i] = shipgate.Money{Amount: q, Currency: m.Currency}
		if int64(i) < r {
			out[i].Amount++
		}
	}
	return out
}

// pickupDate is the shipment's ship date as UPS writes dates (YYYYMMDD);
// a date in the past is today (UPS plans no pickups in the past).
func pickupDate(s *shipgate.Shipment, now time.Time) string {
	d := s.ShipDay(now)
	if today := (&shipgate.Shipment{}).ShipDay(now); d.Before(today) {
		d = today
	}
	return d.Format("20060102")
}

// signatureType returns UPS's DeliveryConfirmation DCISType for the
// shipment's signature option: package level for US domestic shipments
// (2 signature, 3 adult signature), shipment level otherwise (1, 2).
func signatureType(s *shipgate.Shipment) (pkg, shipment string) {
	domesticUS := !s.International() && strings.EqualFold(s.From.Country, "US")
	switch s.Options.Signature {
	case "standard":
		if domesticUS {
			return "2", ""
		}
		return "", "1"
	case "adult":
		if domesticUS {
			return "3", ""
		}
		return "", "2"
	}
	return "", ""
}

// packageOptions returns the PackageServiceOptions of package i of n.
func packageOptions(s *shipgate.Shipment, i, n int) *packageServiceOptionsWire {
	var o packageServiceOptionsWire
	if t, _ := signatureType(s); t != "" {
		o.DeliveryConfirmation = &deliveryConfirmationWire{DCISType: t}
	}
	if ins := s.Options.Insurance; ins != nil && ins.Amount > 0 {
		part := splitMoney(*ins, n)[i]
		o.DeclaredValue = &moneyWire{CurrencyCode: part.Currency, MonetaryValue: part.Decimal()}
	}
	if o.DeliveryConfirmation == nil && o.DeclaredValue == nil {
		return nil
	}
	return &o
}

// shipmentOptions returns the ShipmentServiceOptions (Saturday delivery,
// shipment-level signature), or nil.
func shipmentOptions(s *shipgate.Shipment) *shipmentServiceOptionsWire {
	var o shipmentServiceOptionsWire
	if s.Options.SaturdayDelivery {
		o.SaturdayDeliveryIndicator = "Y"
	}
	if _, t := signatureType(s); t != "" {
		o.DeliveryConfirmation = &deliveryConfirmationWire{DCISType: t}
	}
	if o == (shipmentServiceOptionsWire{}) {
		return nil
	}
	return &o
}
