package dhlsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// maxBody bounds request bodies the simulator reads.
const maxBody = 4 << 20

// rateRequest is the part of supermodelIoLogisticsExpressRateRequest the
// simulator reads; pointers tell a missing required field from a zero one.
type rateRequest struct {
	CustomerDetails *struct {
		ShipperDetails  *address `json:"shipperDetails"`
		ReceiverDetails *address `json:"receiverDetails"`
	} `json:"customerDetails"`
	Accounts            []accountRef `json:"accounts"`
	ProductCode         string       `json:"productCode"`
	ProductsAndServices []struct {
		ProductCode        string       `json:"productCode"`
		ValueAddedServices []vasRequest `json:"valueAddedServices"`
	} `json:"productsAndServices"`
	ValueAddedServices         []vasRequest `json:"valueAddedServices"`
	PayerCountryCode           string       `json:"payerCountryCode"`
	PlannedShippingDateAndTime *string      `json:"plannedShippingDateAndTime"`
	UnitOfMeasurement          *string      `json:"unitOfMeasurement"`
	IsCustomsDeclarable        *bool        `json:"isCustomsDeclarable"`
	EstimatedDeliveryDate      *struct {
		IsRequested *bool  `json:"isRequested"`
		TypeCode    string `json:"typeCode"`
	} `json:"estimatedDeliveryDate"`
	NextBusinessDay bool         `json:"nextBusinessDay"`
	Packages        []packageReq `json:"packages"`
}

type address struct {
	PostalCode   *string `json:"postalCode"`
	CityName     *string `json:"cityName"`
	CountryCode  *string `json:"countryCode"`
	ProvinceCode string  `json:"provinceCode"`
	AddressLine1 *string `json:"addressLine1"`
	AddressLine2 string  `json:"addressLine2"`
}

func (a *address) postal() string  { return deref(a.PostalCode) }
func (a *address) city() string    { return deref(a.CityName) }
func (a *address) country() string { return strings.ToUpper(deref(a.CountryCode)) }

type accountRef struct {
	TypeCode string `json:"typeCode"`
	Number   string `json:"number"`
}

type vasRequest struct {
	ServiceCode string  `json:"serviceCode"`
	Value       float64 `json:"value"`
	Currency    string  `json:"currency"`
}

type packageReq struct {
	Weight     *float64 `json:"weight"`
	Dimensions *struct {
		Length float64 `json:"length"`
		Width  float64 `json:"width"`
		Height float64 `json:"height"`
	} `json:"dimensions"`
	ReferenceNumber *float64 `json:"referenceNumber"`
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// decode reads a JSON body; a body that is not JSON of the right shape is a
// 422 in DHL's validation shape.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		invalid(w, r, []string{"#: the request body is not valid JSON for this operation: " + err.Error()})
		return false
	}
	return true
}

// problems collects schema problems in DHL's wording.
type problems []string

func (p *problems) required(path, key string, missing bool) {
	if missing {
		*p = append(*p, fmt.Sprintf("#%s: required key [%s] not found", path, key))
	}
}

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

// checkAddress validates an address's required keys and lengths.
func (p *problems) checkAddress(path string, a *address, street bool) {
	p.required(path, "postalCode", a.PostalCode == nil)
	p.required(path, "cityName", a.CityName == nil)
	p.required(path, "countryCode", a.CountryCode == nil)
	if street {
		p.required(path, "addressLine1", a.AddressLine1 == nil)
	}
	if n := len(a.city()); a.CityName != nil && (n < 1 || n > 45) {
		p.add("#%s/cityName: expected maxLength: 45, actual: %d", path, n)
	}
	if n := len(a.postal()); n > 12 {
		p.add("#%s/postalCode: expected maxLength: 12, actual: %d", path, n)
	}
	if a.CountryCode != nil && len(a.country()) != 2 {
		p.add("#%s/countryCode: expected minLength: 2, actual: %d", path, len(a.country()))
	}
	if a.AddressLine1 != nil && (len(*a.AddressLine1) < 1 || len(*a.AddressLine1) > 45) {
		p.add("#%s/addressLine1: expected maxLength: 45, actual: %d", path, len(*a.AddressLine1))
	}
}

var plannedRE = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}) ?GMT([+-]\d{2}:\d{2})$`)

// plannedTime parses DHL's "2019-08-04T14:00:31GMT+01:00" (the space before
// GMT is optional, as in the spec's examples).
func plannedTime(s string) (time.Time, bool) {
	m := plannedRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02T15:04:05-07:00", m[1]+m[2])
	return t, err == nil
}

// checkPlanned answers DHL's 400 for a malformed, past or too distant ship
// date and returns the planned time otherwise.
func (s *Server) checkPlanned(w http.ResponseWriter, r *http.Request, v string) (time.Time, bool) {
	t, ok := plannedTime(v)
	if !ok {
		badRequest(w, r, "998: ShipTimeStamp is not well formatted.(Expected Sample Format : '2010-02-11T17:10:09 GMT+01:00')")
		return time.Time{}, false
	}
	now := s.now().In(t.Location())
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, t.Location())
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	switch {
	case day.Before(today):
		badRequest(w, r, fmt.Sprintf("Planned shipping date %s is in the past. Please provide a date from today up to 10 days ahead.", t.Format("2006-01-02")))
		return time.Time{}, false
	case day.After(today.AddDate(0, 0, 10)):
		badRequest(w, r, fmt.Sprintf("Planned shipping date %s is more than 10 days in the future. Please provide a date from today up to 10 days ahead.", t.Format("2006-01-02")))
		return time.Time{}, false
	}
	return t, true
}

// checkAccount answers DHL's 400 when the shipper account is not the simulator's.
func (s *Server) checkAccount(w http.ResponseWriter, r *http.Request, accounts []accountRef, required bool) bool {
	found := false
	for _, a := range accounts {
		if a.TypeCode == "shipper" || a.TypeCode == "payer" {
			if a.Number != s.account {
				badRequest(w, r, "The account number is not found or invalid. Please check the account number and retry.")
				return false
			}
			found = true
		}
	}
	if required && !found {
		badRequest(w, r, "The account number is not found or invalid. Please check the account number and retry.")
		return false
	}
	return true
}

// checkPostal answers 400 when a postal code does not fit its country.
func checkPostal(w http.ResponseWriter, r *http.Request, role string, a *address) bool {
	if postalOK(a.country(), a.postal()) {
		return true
	}
	badRequest(w, r, fmt.Sprintf("Invalid postal code '%s' for country %s (%s). Please check the postal code and city name and retry.", a.postal(), a.country(), role))
	return false
}

// pieces converts the request's packages to kg and cm.
func piecesOf(pkgs []packageReq, imperial bool) []piece {
	out := make([]piece, 0, len(pkgs))
	for _, p := range pkgs {
		pc := piece{}
		if p.Weight != nil {
			pc.kg = *p.Weight
		}
		if p.Dimensions != nil {
			pc.l, pc.w, pc.h = p.Dimensions.Length, p.Dimensions.Width, p.Dimensions.Height
		}
		if imperial {
			pc.kg *= 0.45359237
			pc.l, pc.w, pc.h = pc.l*2.54, pc.w*2.54, pc.h*2.54
		}
		out = append(out, pc)
	}
	return out
}

// checkPackages validates the packages' required weights.
func (p *problems) checkPackages(path string, pkgs []packageReq) {
	if len(pkgs) == 0 {
		p.add("#%s: expected minimum item count: 1, found: 0", path)
	}
	for i, pk := range pkgs {
		switch {
		case pk.Weight == nil:
			p.required(fmt.Sprintf("%s/%d", path, i), "weight", true)
		case *pk.Weight < 0.001:
			p.add("#%s/%d/weight: %v is not higher or equal to 0.001", path, i, *pk.Weight)
		}
		if d := pk.Dimensions; d != nil && (d.Length < 0.001 || d.Width < 0.001 || d.Height < 0.001) {
			p.add("#%s/%d/dimensions: every dimension must be at least 0.001", path, i)
		}
	}
}

// rates answers POST /rates.
func (s *Server) rates(w http.ResponseWriter, r *http.Request) {
	var req rateRequest
	if !decode(w, r, &req) {
		return
	}
	var p problems
	p.required("", "customerDetails", req.CustomerDetails == nil)
	if cd := req.CustomerDetails; cd != nil {
		p.required("/customerDetails", "shipperDetails", cd.ShipperDetails == nil)
		p.required("/customerDetails", "receiverDetails", cd.ReceiverDetails == nil)
		if cd.ShipperDetails != nil {
			p.checkAddress("/customerDetails/shipperDetails", cd.ShipperDetails, false)
		}
		if cd.ReceiverDetails != nil {
			p.checkAddress("/customerDetails/receiverDetails", cd.ReceiverDetails, false)
		}
	}
	p.required("", "plannedShippingDateAndTime", req.PlannedShippingDateAndTime == nil)
	p.required("", "unitOfMeasurement", req.UnitOfMeasurement == nil)
	if u := req.UnitOfMeasurement; u != nil && *u != "metric" && *u != "imperial" {
		p.add("#/unitOfMeasurement: %s is not a valid enum value", *u)
	}
	p.required("", "isCustomsDeclarable", req.IsCustomsDeclarable == nil)
	p.checkPackages("/packages", req.Packages)
	if len(p) > 0 {
		invalid(w, r, p)
		return
	}
	if !s.checkAccount(w, r, req.Accounts, req.PayerCountryCode == "") {
		return
	}
	ship, ok := s.checkPlanned(w, r, *req.PlannedShippingDateAndTime)
	if !ok {
		return
	}
	from, to := req.CustomerDetails.ShipperDetails, req.CustomerDetails.ReceiverDetails
	if !checkPostal(w, r, "shipperDetails", from) || !checkPostal(w, r, "receiverDetails", to) {
		return
	}
	l := newLane(from.country(), to.country(), from.city(), to.city(), *req.IsCustomsDeclarable)
	codes := l.offer()
	var asked []string
	if req.ProductCode != "" {
		asked = append(asked, req.ProductCode)
	}
	for _, ps := range req.ProductsAndServices {
		asked = append(asked, ps.ProductCode)
	}
	if len(asked) > 0 {
		codes = nil
		for _, c := range asked {
			if l.allows(c) {
				codes = append(codes, c)
			}
		}
	}
	if len(codes) == 0 {
		badRequest(w, r, "The requested product(s) are not available between this origin and destination. Please validate the products and services combination (via the /rates or /products service)")
		return
	}
	eddType := "QDDF"
	if e := req.EstimatedDeliveryDate; e != nil && e.TypeCode != "" {
		eddType = e.TypeCode
	}
	imperial := *req.UnitOfMeasurement == "imperial"
	pcs := piecesOf(req.Packages, imperial)
	out := rateAnswer{Products: []rateProduct{}}
	for _, code := range codes {
		vas := req.ValueAddedServices
		for _, ps := range req.ProductsAndServices {
			if ps.ProductCode == code {
				vas = append(append([]vasRequest(nil), vas...), ps.ValueAddedServices...)
			}
		}
		q := price(code, l, pcs, ship, vas)
		out.Products = append(out.Products, rateProductOf(q, l, ship, eddType, imperial, s.now()))
	}
	writeJSON(w, http.StatusOK, out)
}

// rateAnswer is supermodelIoLogisticsExpressRates.
type rateAnswer struct {
	Products []rateProduct `json:"products"`
}

type rateProduct struct {
	ProductName             string `json:"productName"`
	ProductCode             string `json:"productCode"`
	LocalProductCode        string `json:"localProductCode"`
	LocalProductCountryCode string `json:"localProductCountryCode"`
	NetworkTypeCode         string `json:"networkTypeCode"`
	IsCustomerAgreement     bool   `json:"isCustomerAgreement"`
	Weight                  struct {
		Volumetric        float64 `json:"volumetric"`
		Provided          float64 `json:"provided"`
		UnitOfMeasurement string  `json:"unitOfMeasurement"`
	} `json:"weight"`
	TotalPrice             []totalPrice      `json:"totalPrice"`
	TotalPriceBreakdown    []priceSummary    `json:"totalPriceBreakdown"`
	DetailedPriceBreakdown []detailedSummary `json:"detailedPriceBreakdown"`
	PickupCapabilities     struct {
		NextBusinessDay        bool    `json:"nextBusinessDay"`
		LocalCutoffDateAndTime string  `json:"localCutoffDateAndTime"`
		PickupEarliest         string  `json:"pickupEarliest"`
		PickupLatest           string  `json:"pickupLatest"`
		OriginServiceAreaCode  string  `json:"originServiceAreaCode"`
		OriginFacilityAreaCode string  `json:"originFacilityAreaCode"`
		PickupAdditionalDays   float64 `json:"pickupAdditionalDays"`
		PickupDayOfWeek        float64 `json:"pickupDayOfWeek"`
	} `json:"pickupCapabilities"`
	DeliveryCapabilities struct {
		DeliveryTypeCode             string  `json:"deliveryTypeCode"`
		EstimatedDeliveryDateAndTime string  `json:"estimatedDeliveryDateAndTime"`
		DestinationServiceAreaCode   string  `json:"destinationServiceAreaCode"`
		DestinationFacilityAreaCode  string  `json:"destinationFacilityAreaCode"`
		DeliveryAdditionalDays       float64 `json:"deliveryAdditionalDays"`
		DeliveryDayOfWeek            float64 `json:"deliveryDayOfWeek"`
		TotalTransitDays             float64 `json:"totalTransitDays"`
	} `json:"deliveryCapabilities"`
	PricingDate string `json:"pricingDate"`
}

type totalPrice struct {
	CurrencyType  string  `json:"currencyType"`
	PriceCurrency string  `json:"priceCurrency"`
	Price         float64 `json:"price"`
}

type priceSummary struct {
	CurrencyType   string      `json:"currencyType"`
	PriceCurrency  string      `json:"priceCurrency"`
	PriceBreakdown []priceLine `json:"priceBreakdown"`
}

type priceLine struct {
	TypeCode string  `json:"typeCode"`
	Price    float64 `json:"price"`
}

type detailedSummary struct {
	CurrencyType  string      `json:"currencyType"`
	PriceCurrency string      `json:"priceCurrency"`
	Breakdown     []breakdown `json:"breakdown"`
}

type breakdown struct {
	Name             string  `json:"name"`
	ServiceCode      string  `json:"serviceCode,omitempty"`
	LocalServiceCode string  `json:"localServiceCode,omitempty"`
	ServiceTypeCode  string  `json:"serviceTypeCode,omitempty"`
	Price            float64 `json:"price"`
}

// rateProductOf writes one quote as DHL's product entry.
func rateProductOf(q quote, l lane, ship time.Time, eddType string, imperial bool, now time.Time) rateProduct {
	cur := q.currency
	rp := rateProduct{
		ProductName: q.product.name, ProductCode: q.product.code, LocalProductCode: q.product.code,
		LocalProductCountryCode: l.from, NetworkTypeCode: q.product.network,
		PricingDate: now.Format("2006-01-02"),
	}
	rp.Weight.Volumetric, rp.Weight.Provided, rp.Weight.UnitOfMeasurement = q.volumetric, q.kg, "metric"
	if imperial {
		rp.Weight.Volumetric = round3(q.volumetric / 0.45359237)
		rp.Weight.Provided = round3(q.kg / 0.45359237)
		rp.Weight.UnitOfMeasurement = "imperial"
	}
	for _, ct := range []string{"BILLC", "PULCL"} {
		rp.TotalPrice = append(rp.TotalPrice, totalPrice{CurrencyType: ct, PriceCurrency: cur, Price: amount(q.total, cur)})
		ps := priceSummary{CurrencyType: ct, PriceCurrency: cur}
		ps.PriceBreakdown = []priceLine{{TypeCode: "STTXA", Price: 0}, {TypeCode: "SPRQT", Price: amount(q.base, cur)}}
		rp.TotalPriceBreakdown = append(rp.TotalPriceBreakdown, ps)
		rp.DetailedPriceBreakdown = append(rp.DetailedPriceBreakdown, detailedSummary{CurrencyType: ct, PriceCurrency: cur, Breakdown: breakdownOf(q)})
	}
	pc := &rp.PickupCapabilities
	pc.NextBusinessDay = ship.After(q.cutoff)
	pc.LocalCutoffDateAndTime = q.cutoff.Format("2006-01-02T15:04:05")
	pc.PickupEarliest, pc.PickupLatest = "09:00:00", "18:00:00"
	pc.OriginServiceAreaCode, pc.OriginFacilityAreaCode = q.originArea, q.originArea
	pc.PickupDayOfWeek = float64(ship.Weekday())
	dc := &rp.DeliveryCapabilities
	dc.DeliveryTypeCode = eddType
	dc.EstimatedDeliveryDateAndTime = q.delivery.Format("2006-01-02T15:04:05")
	dc.DestinationServiceAreaCode, dc.DestinationFacilityAreaCode = q.dest, q.dest
	dc.DeliveryDayOfWeek = float64(q.delivery.Weekday())
	dc.TotalTransitDays = float64(q.product.days)
	return rp
}

// breakdownOf lists the quote's lines: the product (named without NONDOC,
// as DHL does), fuel, then the value added services.
func breakdownOf(q quote) []breakdown {
	cur := q.currency
	b := []breakdown{
		{Name: strings.TrimSuffix(q.product.name, " NONDOC"), Price: amount(q.base, cur)},
		{Name: "FUEL SURCHARGE", ServiceCode: "FF", LocalServiceCode: "FF", ServiceTypeCode: "SCH", Price: amount(q.fuel, cur)},
	}
	for _, sc := range q.services {
		b = append(b, breakdown{Name: sc.name, ServiceCode: sc.code, LocalServiceCode: sc.code, ServiceTypeCode: "XCH", Price: amount(sc.price, cur)})
	}
	return b
}

func round3(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }
