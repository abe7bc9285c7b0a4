package upssim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// apiError is an answer in UPS's error shape.
type apiError struct {
	status        int
	code, message string
}

func badRequest(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, message: fmt.Sprintf(format, args...)}
}

// missing is UPS's common error 20007.
func missing(field string) *apiError {
	return badRequest("20007", "Missing Required field, %s.", field)
}

// invalid is UPS's common error 20008.
func invalid(field, value string) *apiError {
	return badRequest("20008", "The field, %s, contains invalid data, %s.", field, value)
}

func (e *apiError) write(w http.ResponseWriter) { writeError(w, e.status, e.code, e.message) }

// decode reads a JSON body; UPS answers 10001 for a body it cannot parse.
func decode(r *http.Request, v any) *apiError {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return badRequest("10001", "The request is not well formed.")
	}
	return nil
}

var versionRe = regexp.MustCompile(`^v\d{1,4}$`)

// checkVersion refuses a path version UPS would not know, the way UPS does.
func checkVersion(r *http.Request, service string) *apiError {
	if v := r.PathValue("version"); !versionRe.MatchString(v) {
		return badRequest("20002", "The specified service name, %s, and version number, %s, combination is invalid", service, v)
	}
	return nil
}

// answer adapts an operation that returns a UPS-shaped error to an http.HandlerFunc.
func answer(op func(http.ResponseWriter, *http.Request) *apiError) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if e := op(w, r); e != nil {
			e.write(w)
		}
	}
}

// api says which UPS API a request belongs to: error codes differ.
type api int

const (
	rating api = iota
	shipping
)

// parsed is what both Rating and Shipping need from a shipment.
type parsed struct {
	origin, dest     *addressIn
	fromCountry      string
	toCountry        string
	packages         []pkgMeasure
	declared         []float64
	descriptions     []string // of each package
	residential      bool
	saturday         bool
	negotiated       bool
	intl             bool
	shipperNumber    string
	invoiceLineTotal *moneyIn
	serviceCode      string
}

// partyCodes are Shipping's error codes for one party: name, address line,
// city, postal code, country, phone.
type partyCodes struct{ name, line, city, postal, country, phone string }

var (
	shipperCodes  = partyCodes{"120101", "120102", "120105", "120107", "120108", "120109"}
	shipToCodes   = partyCodes{"120200", "120202", "120205", "120207", "120208", "120209"}
	shipFromCodes = partyCodes{"120300", "120302", "120305", "120307", "120308", "120309"}
)

func checkParty(p *party, role string, codes partyCodes, which api) *apiError {
	if p == nil {
		return missing("Shipment/" + role)
	}
	if which == shipping && strings.TrimSpace(p.Name.String()) == "" {
		return badRequest(codes.name, "Missing/Invalid %s Name", role)
	}
	a := p.Address
	if a == nil {
		return missing("Shipment/" + role + "/Address")
	}
	country := strings.ToUpper(strings.TrimSpace(a.CountryCode.String()))
	if len(country) != 2 {
		return badRequest(codes.country, "Missing/Invalid/Unsupported %s CountryCode", role)
	}
	if which == shipping {
		if len(a.AddressLine) == 0 || strings.TrimSpace(a.AddressLine[0].String()) == "" {
			return badRequest(codes.line, "Missing/Invalid %s AddressLine1", role)
		}
		if strings.TrimSpace(a.City.String()) == "" {
			return badRequest(codes.city, "Missing/Invalid %s City", role)
		}
	}
	if !validPostal(country, a.PostalCode.String()) {
		if which == rating {
			return badRequest("111285", "The postal code %s is invalid for %s %s.", strings.TrimSpace(a.PostalCode.String()),
				strings.TrimSpace(a.StateProvinceCode.String()), countryName(country))
		}
		return badRequest(codes.postal, "Missing/Invalid %s PostalCode", role)
	}
	return nil
}

// parseShipment checks and reads what Rating and Shipping share.
func parseShipment(sh *shipmentIn, which api) (parsed, *apiError) {
	var p parsed
	if sh == nil {
		return p, missing("Shipment")
	}
	if err := checkParty(sh.Shipper, "Shipper", shipperCodes, which); err != nil {
		return p, err
	}
	if err := checkParty(sh.ShipTo, "ShipTo", shipToCodes, which); err != nil {
		return p, err
	}
	p.origin = sh.Shipper.Address
	if sh.ShipFrom != nil {
		if err := checkParty(sh.ShipFrom, "ShipFrom", shipFromCodes, which); err != nil {
			return p, err
		}
		p.origin = sh.ShipFrom.Address
	}
	p.dest = sh.ShipTo.Address
	p.fromCountry = strings.ToUpper(strings.TrimSpace(p.origin.CountryCode.String()))
	p.toCountry = strings.ToUpper(strings.TrimSpace(p.dest.CountryCode.String()))
	p.intl = p.fromCountry != p.toCountry
	p.residential = bool(p.dest.ResidentialAddressIndicator)
	p.shipperNumber = strings.ToUpper(strings.TrimSpace(sh.Shipper.ShipperNumber.String()))
	if sh.ShipmentRatingOptions != nil {
		p.negotiated = bool(sh.ShipmentRatingOptions.NegotiatedRatesIndicator)
	}
	if o := sh.ShipmentServiceOptions.V; o != nil {
		p.saturday = bool(o.SaturdayDeliveryIndicator)
	}
	p.invoiceLineTotal = sh.InvoiceLineTotal
	if p.invoiceLineTotal != nil {
		if _, err := strconv.ParseFloat(strings.TrimSpace(p.invoiceLineTotal.MonetaryValue.String()), 64); err != nil {
			return p, badRequest("120502", "InvoiceLineTotal/MonetaryValue must be greater than 0")
		}
	}
	if len(sh.Package) == 0 {
		return p, missing("Shipment/Package")
	}
	if len(sh.Package) > 200 {
		return p, badRequest("120020", "Max packages per shipment exceeded.")
	}
	unit := ""
	for i, pk := range sh.Package {
		if which == shipping && (pk.Packaging == nil || len(strings.TrimSpace(pk.Packaging.Code.String())) != 2) {
			return p, badRequest("120600", "Missing Package/PackagingType/Code")
		}
		m, code, msg := measure(pk, i, p.fromCountry)
		if code != "" {
			return p, badRequest(code, "%s", msg)
		}
		if unit != "" && m.weightUnit != unit {
			return p, badRequest("120529", "A shipment can have only one type of UnitOfMeasurement for a Weight")
		}
		unit = m.weightUnit
		p.packages = append(p.packages, m)
		dv := 0.0
		if o := pk.PackageServiceOptions; o != nil && o.DeclaredValue != nil {
			v, err := strconv.ParseFloat(strings.TrimSpace(o.DeclaredValue.MonetaryValue.String()), 64)
			if err != nil || v < 0 {
				return p, invalid(fmt.Sprintf("Shipment/Package[%d]/PackageServiceOptions/DeclaredValue/MonetaryValue", i+1), o.DeclaredValue.MonetaryValue.String())
			}
			dv = v
		}
		p.declared = append(p.declared, dv)
		p.descriptions = append(p.descriptions, strings.TrimSpace(pk.Description.String()))
	}
	if sh.Service != nil {
		p.serviceCode = normalizeService(sh.Service.Code.String())
	}
	return p, nil
}

// normalizeService reads a service code the way UPS does: "3", "03" and
// "003" are Ground.
func normalizeService(c string) string {
	c = strings.ToUpper(strings.TrimSpace(c))
	if c == "" {
		return ""
	}
	if _, err := strconv.Atoi(c); err == nil {
		c = strings.TrimLeft(c, "0")
		for len(c) < 2 {
			c = "0" + c
		}
	}
	return c
}

func offered(from, to, code string) bool {
	codes := laneServices(from, to)
	if from != to {
		codes = append(codes, onRequest...)
	}
	for _, c := range codes {
		if c == code {
			return true
		}
	}
	return false
}

// addBusinessDays returns the date n business days after d (Saturday and
// Sunday skipped).
func addBusinessDays(d time.Time, n int) time.Time {
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return d
}

// commitTime turns "10:30 A.M." into "103000"; "" into end of day.
func commitTime(c string) string {
	if c == "" {
		return "233000"
	}
	var h, m int
	var ampm string
	if _, err := fmt.Sscanf(c, "%d:%d %s", &h, &m, &ampm); err != nil {
		return "233000"
	}
	if strings.HasPrefix(ampm, "P") && h < 12 {
		h += 12
	}
	return fmt.Sprintf("%02d%02d00", h, m)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func weightUnitName(u string) string {
	if u == "KGS" {
		return "Kilograms"
	}
	return "Pounds"
}

func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}
