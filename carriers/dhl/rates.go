package dhl

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/internal/carrierhttp"
)

// rateRequest is supermodelIoLogisticsExpressRateRequest (POST /rates).
type rateRequest struct {
	CustomerDetails struct {
		ShipperDetails  rateAddress `json:"shipperDetails"`
		ReceiverDetails rateAddress `json:"receiverDetails"`
	} `json:"customerDetails"`
	Accounts                   []account        `json:"accounts"`
	ValueAddedServices         []valueAdded     `json:"valueAddedServices,omitempty"`
	PlannedShippingDateAndTime string           `json:"plannedShippingDateAndTime"`
	UnitOfMeasurement          string           `json:"unitOfMeasurement"`
	IsCustomsDeclarable        bool             `json:"isCustomsDeclarable"`
	MonetaryAmount             []monetaryAmount `json:"monetaryAmount,omitempty"`
	EstimatedDeliveryDate      *eddOption       `json:"estimatedDeliveryDate,omitempty"`
	NextBusinessDay            bool             `json:"nextBusinessDay"`
	Packages                   []ratePackage    `json:"packages"`
}

// rateAddress is supermodelIoLogisticsExpressAddressRatesRequest.
type rateAddress struct {
	PostalCode   string `json:"postalCode"`
	CityName     string `json:"cityName"`
	CountryCode  string `json:"countryCode"`
	ProvinceCode string `json:"provinceCode,omitempty"`
	AddressLine1 string `json:"addressLine1,omitempty"`
	AddressLine2 string `json:"addressLine2,omitempty"`
}

type account struct {
	TypeCode string `json:"typeCode"`
	Number   string `json:"number"`
}

// valueAdded is a value added service (supermodelIoLogisticsExpressValueAddedServices[Rates]).
type valueAdded struct {
	ServiceCode string   `json:"serviceCode"`
	Value       *float64 `json:"value,omitempty"`
	Currency    string   `json:"currency,omitempty"`
}

type monetaryAmount struct {
	TypeCode string  `json:"typeCode"`
	Value    float64 `json:"value"`
	Currency string  `json:"currency"`
}

type eddOption struct {
	IsRequested bool   `json:"isRequested"`
	TypeCode    string `json:"typeCode"`
}

// ratePackage is supermodelIoLogisticsExpressPackageRR.
type ratePackage struct {
	Weight     float64     `json:"weight"`
	Dimensions *dimensions `json:"dimensions,omitempty"`
}

type dimensions struct {
	Length float64 `json:"length"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
}

// rateResponse is the part of supermodelIoLogisticsExpressRates the adapter reads.
type rateResponse struct {
	Products []rateProduct `json:"products"`
	Warnings []string      `json:"warnings"`
}

type rateProduct struct {
	ProductName      string `json:"productName"`
	ProductCode      string `json:"productCode"`
	LocalProductCode string `json:"localProductCode"`
	NetworkTypeCode  string `json:"networkTypeCode"`
	Weight           struct {
		Volumetric        float64 `json:"volumetric"`
		Provided          float64 `json:"provided"`
		UnitOfMeasurement string  `json:"unitOfMeasurement"`
	} `json:"weight"`
	TotalPrice []struct {
		CurrencyType  string  `json:"currencyType"`
		PriceCurrency string  `json:"priceCurrency"`
		Price         float64 `json:"price"`
	} `json:"totalPrice"`
	TotalPriceBreakdown []struct {
		CurrencyType   string `json:"currencyType"`
		PriceCurrency  string `json:"priceCurrency"`
		PriceBreakdown []struct {
			TypeCode string  `json:"typeCode"`
			Price    float64 `json:"price"`
		} `json:"priceBreakdown"`
	} `json:"totalPriceBreakdown"`
	DetailedPriceBreakdown []struct {
		CurrencyType  string          `json:"currencyType"`
		PriceCurrency string          `json:"priceCurrency"`
		Breakdown     []rateBreakdown `json:"breakdown"`
	} `json:"detailedPriceBreakdown"`
	DeliveryCapabilities struct {
		EstimatedDeliveryDateAndTime string   `json:"estimatedDeliveryDateAndTime"`
		TotalTransitDays             *float64 `json:"totalTransitDays"`
	} `json:"deliveryCapabilities"`
}

type rateBreakdown struct {
	Name        string   `json:"name"`
	ServiceCode string   `json:"serviceCode"`
	Price       *float64 `json:"price"`
}

// Rates quotes every DHL Express product DHL offers the account for the
// shipment (POST /rates, one call for all parcels), or only those named in
// req.Services. Each Rate's total is DHL's BILLC (billing currency) price;
// its charges are DHL's detailed breakdown when the lines add up to that
// total. Errors: invalid_request for a shipment DHL cannot be asked about
// (ship date out of range, fields too long), carrier_rejected when DHL
// refuses it (a bad postal code, an unserved lane), carrier_unavailable,
// carrier_timeout or rate_limited when DHL fails, carrier_unavailable with a
// credentials message when DHL refuses the account.
func (c *Client) Rates(ctx context.Context, req *carriers.RateRequest) ([]shipgate.Rate, error) {
	body, err := c.rateRequest(&req.Shipment)
	if err != nil {
		return nil, err
	}
	var out rateResponse
	if _, err := c.do(ctx, &carrierhttp.Request{
		Op: carriers.OpRates, Method: http.MethodPost, Path: "/rates", Body: body, Idempotent: true,
	}, &out); err != nil {
		return nil, err
	}
	return c.ratesFrom(&out, req.Services, c.now())
}

func (c *Client) rateRequest(s *shipgate.Shipment) (*rateRequest, error) {
	if len(s.Parcels) == 0 {
		return nil, shipgate.FieldErrorf("shipment.parcels", "at least one parcel is required")
	}
	planned, _, err := plannedShipping(s, c.now(), c.loc)
	if err != nil {
		return nil, err
	}
	r := &rateRequest{
		Accounts:                   []account{{TypeCode: "shipper", Number: c.number}},
		PlannedShippingDateAndTime: planned,
		UnitOfMeasurement:          "metric",
		IsCustomsDeclarable:        dutiable(s),
		EstimatedDeliveryDate:      &eddOption{IsRequested: true, TypeCode: "QDDC"},
		NextBusinessDay:            true,
	}
	if r.CustomerDetails.ShipperDetails, err = rateAddressOf(s.From, "shipment.from"); err != nil {
		return nil, err
	}
	if r.CustomerDetails.ReceiverDetails, err = rateAddressOf(s.To, "shipment.to"); err != nil {
		return nil, err
	}
	if r.ValueAddedServices, err = valueAddedServices(s); err != nil {
		return nil, err
	}
	if r.IsCustomsDeclarable && s.Customs != nil {
		if v, cur, ok := declaredValue(s.Customs); ok {
			r.MonetaryAmount = []monetaryAmount{{TypeCode: "declaredValue", Value: v, Currency: cur}}
		}
	}
	for _, p := range s.Parcels {
		rp := ratePackage{Weight: kilograms(p.Weight)}
		if p.Dimensions != nil {
			l, w, h := centimeters(*p.Dimensions)
			rp.Dimensions = &dimensions{Length: l, Width: w, Height: h}
		}
		r.Packages = append(r.Packages, rp)
	}
	return r, nil
}

// rateAddressOf maps an address onto DHL's rating address. Only postal code,
// city and country matter for a quote; street lines are sent when they fit.
func rateAddressOf(a shipgate.Address, field string) (rateAddress, error) {
	a = a.Normalized()
	if err := checkLocality(a, field); err != nil {
		return rateAddress{}, err
	}
	ra := rateAddress{PostalCode: a.PostalCode, CityName: a.City, CountryCode: a.Country}
	if len(a.State) >= 2 && len(a.State) <= 35 {
		ra.ProvinceCode = a.State
	}
	if a.Street1 != "" && len(a.Street1) <= 45 {
		ra.AddressLine1 = a.Street1
	}
	if a.Street2 != "" && len(a.Street2) <= 45 {
		ra.AddressLine2 = a.Street2
	}
	return ra, nil
}

// checkLocality enforces DHL's lengths for city, postal code and country.
func checkLocality(a shipgate.Address, field string) error {
	switch {
	case len(a.Country) != 2:
		return shipgate.FieldErrorf(field+".country", "must be an ISO 3166-1 alpha-2 code")
	case a.City == "" || len(a.City) > 45:
		return shipgate.FieldErrorf(field+".city", "DHL Express needs a city of 1 to 45 characters")
	case len(a.PostalCode) > 12:
		return shipgate.FieldErrorf(field+".postal_code", "DHL Express accepts at most 12 characters")
	}
	return nil
}

// dutiable reports whether DHL must see the shipment as customs declarable:
// it crosses a border outside the EU customs union and does not carry
// documents only. An international shipment without a customs declaration
// is taken as goods (dutiable), the safe assumption for a quote.
func dutiable(s *shipgate.Shipment) bool {
	if !s.International() || intraEU(s) {
		return false
	}
	return s.Customs == nil || s.Customs.Contents != "documents"
}

func intraEU(s *shipgate.Shipment) bool {
	return euCountries[strings.ToUpper(strings.TrimSpace(s.From.Country))] && euCountries[strings.ToUpper(strings.TrimSpace(s.To.Country))]
}

// declaredValue sums the customs line values (each line's Value is the line
// total). ok is false when there are no lines or they mix currencies.
func declaredValue(cu *shipgate.Customs) (float64, string, bool) {
	var sum shipgate.Money
	for _, it := range cu.Items {
		var err error
		if sum, err = sum.Add(it.Value); err != nil {
			return 0, "", false
		}
	}
	if sum.IsZero() {
		return 0, "", false
	}
	return moneyFloat(sum), sum.Currency, true
}

// moneyFloat writes Money as the JSON number DHL wants.
func moneyFloat(m shipgate.Money) float64 {
	f := float64(m.Amount)
	for i := 0; i < shipgate.CurrencyExponent(m.Currency); i++ {
		f /= 10
	}
	return roundMoney(f)
}

// DHL value added service codes used for shipment options (names from the
// spec's rate response example).
const (
	serviceSaturday  = "AA" // SATURDAY DELIVERY
	serviceInsurance = "II" // SHIPMENT INSURANCE
	serviceSignature = "SF" // DIRECT SIGNATURE
	serviceDDP       = "DD" // DUTY TAX PAID: the shipper pays duties and taxes
)

// valueAddedServices maps shipment options onto DHL value added services.
// DHL Express has no adult-signature service among its codes: asking for
// one is unsupported.
func valueAddedServices(s *shipgate.Shipment) ([]valueAdded, error) {
	var v []valueAdded
	switch s.Options.Signature {
	case "":
	case "standard":
		v = append(v, valueAdded{ServiceCode: serviceSignature})
	case "adult":
		return nil, shipgate.Errorf(shipgate.CodeUnsupported, "DHL Express offers direct signature (standard) but no adult signature service")
	default:
		return nil, shipgate.FieldErrorf("shipment.options.signature", "%q is not standard or adult", s.Options.Signature)
	}
	if s.Options.SaturdayDelivery {
		v = append(v, valueAdded{ServiceCode: serviceSaturday})
	}
	if ins := s.Options.Insurance; ins != nil && ins.Amount > 0 {
		f := moneyFloat(*ins)
		v = append(v, valueAdded{ServiceCode: serviceInsurance, Value: &f, Currency: ins.Currency})
	}
	if dutiable(s) && s.Customs != nil && s.Customs.Incoterm == "DDP" {
		v = append(v, valueAdded{ServiceCode: serviceDDP})
	}
	return v, nil
}

// ratesFrom turns DHL's products into Rates, keeping those in want (all when empty).
func (c *Client) ratesFrom(r *rateResponse, want []string, now time.Time) ([]shipgate.Rate, error) {
	rates := make([]shipgate.Rate, 0, len(r.Products))
	for _, p := range r.Products {
		if strings.TrimSpace(p.ProductCode) == "" {
			continue
		}
		service, name := serviceForCode(p.ProductCode, p.ProductName)
		if len(want) > 0 && !slices.Contains(want, service) {
			continue
		}
		total, currency, ok := billingPrice(&p)
		if !ok {
			continue // DHL offers the product but gave no price for it
		}
		rate := shipgate.Rate{
			Carrier: Carrier, Account: c.account,
			Service: service, ServiceName: name, CarrierServiceCode: p.ProductCode,
			Total: total, QuotedAt: now,
		}
		rate.Charges = charges(&p, currency, total)
		if d := p.DeliveryCapabilities.TotalTransitDays; d != nil && *d > 0 {
			rate.TransitDays = int(*d)
		}
		rate.EstimatedDelivery = dateOf(p.DeliveryCapabilities.EstimatedDeliveryDateAndTime)
		if bw := max(p.Weight.Provided, p.Weight.Volumetric); bw > 0 && (p.Weight.UnitOfMeasurement == "" || p.Weight.UnitOfMeasurement == "metric") {
			rate.BillableWeight = &shipgate.Weight{Value: bw, Unit: shipgate.Kilogram}
		}
		rates = append(rates, rate)
	}
	if len(rates) == 0 && len(r.Products) > 0 && len(want) == 0 {
		return nil, &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "DHL Express offered products but priced none of them"}
	}
	return rates, nil
}

// billingPrice returns the product's BILLC total (the account's billing
// currency), or the first positive total when DHL sent no BILLC line.
func billingPrice(p *rateProduct) (shipgate.Money, string, bool) {
	pick := -1
	for i, tp := range p.TotalPrice {
		if tp.CurrencyType == "BILLC" {
			pick = i
			break
		}
		if pick < 0 && tp.Price > 0 {
			pick = i
		}
	}
	if pick < 0 {
		return shipgate.Money{}, "", false
	}
	tp := p.TotalPrice[pick]
	m, err := shipgate.MoneyFromFloat(tp.Price, tp.PriceCurrency)
	if err != nil || m.Amount <= 0 {
		return shipgate.Money{}, "", false
	}
	return m, tp.CurrencyType, true
}

// charges returns DHL's detailed breakdown in the billing currency as
// charges: the first line is the product itself (base), then surcharges.
// When the lines do not add up to total (taxes not itemized, rounding) they
// are left out rather than shown wrong.
func charges(p *rateProduct, currencyType string, total shipgate.Money) []shipgate.Charge {
	for _, d := range p.DetailedPriceBreakdown {
		if d.CurrencyType != currencyType || !strings.EqualFold(d.PriceCurrency, total.Currency) {
			continue
		}
		var out []shipgate.Charge
		var sum shipgate.Money
		for i, b := range d.Breakdown {
			if b.Price == nil || *b.Price == 0 {
				continue
			}
			m, err := shipgate.MoneyFromFloat(*b.Price, total.Currency)
			if err != nil {
				return nil
			}
			typ := chargeType(b.ServiceCode)
			if i == 0 && b.ServiceCode == "" {
				typ = "base"
			}
			out = append(out, shipgate.Charge{Type: typ, Name: b.Name, Amount: m})
			if sum, err = sum.Add(m); err != nil {
				return nil
			}
		}
		if tax := taxOf(p, currencyType); tax.Amount != 0 && tax.Currency == total.Currency && sum.Amount+tax.Amount == total.Amount {
			out = append(out, shipgate.Charge{Type: "tax", Name: "TOTAL TAX", Amount: tax})
			sum.Amount += tax.Amount
		}
		if len(out) > 0 && sum == total {
			return out
		}
		return nil
	}
	return nil
}

// taxOf returns the STTXA (total tax) line of the product's price summary.
func taxOf(p *rateProduct, currencyType string) shipgate.Money {
	for _, t := range p.TotalPriceBreakdown {
		if t.CurrencyType != currencyType {
			continue
		}
		for _, b := range t.PriceBreakdown {
			if b.TypeCode == "STTXA" {
				m, _ := shipgate.MoneyFromFloat(b.Price, t.PriceCurrency)
				return m
			}
		}
	}
	return shipgate.Money{}
}

// chargeType names a DHL service charge code in shipgate's charge vocabulary.
func chargeType(code string) string {
	switch code {
	case "FF":
		return "fuel"
	case "OO":
		return "remote_area"
	case "TK":
		return "residential"
	case serviceInsurance:
		return "insurance"
	case serviceSaturday:
		return "saturday_delivery"
	case serviceSignature:
		return "signature"
	case serviceDDP:
		return "duties_paid"
	case "":
		return "other"
	}
	return "surcharge"
}

// dateOf returns the YYYY-MM-DD date that starts a DHL timestamp, or "".
func dateOf(s string) string {
	s = strings.TrimSpace(s)
	if len(s) < 10 {
		return ""
	}
	if _, err := time.Parse(shipgate.DateLayout, s[:10]); err != nil {
		return ""
	}
	return s[:10]
}

// errUnexpected wraps a successful DHL answer the adapter cannot use.
func errUnexpected(format string, args ...any) error {
	return &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "DHL Express sent an answer that cannot be used", Err: fmt.Errorf(format, args...)}
}
