package ups

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/internal/carrierhttp"
)

// Rates quotes the shipment through UPS Rating: Shop (every service UPS
// offers on the lane) or, when exactly one UPS service is asked for, Rate;
// with time in transit (Shoptimeintransit, Ratetimeintransit) unless the
// account turns it off or an international shipment declares no value.
// With the option negotiated_rates it asks for and answers the account's
// negotiated total when UPS gives one. Services of other carriers in
// req.Services are ignored; when none is a UPS service, the answer is empty
// and UPS is not called.
//
// Errors: invalid_request for a shipment UPS cannot be asked about (a field
// is named); carrier_rejected when UPS refuses the shipment (bad postal code,
// service unavailable on the lane), with UPS's code kept; carrier_unavailable,
// carrier_timeout or rate_limited when UPS fails.
func (c *Client) Rates(ctx context.Context, req *carriers.RateRequest) ([]shipgate.Rate, error) {
	var codes []string
	for _, name := range req.Services {
		if s, ok := serviceByName[strings.ToLower(strings.TrimSpace(name))]; ok {
			codes = append(codes, s.CarrierCode)
		}
	}
	if len(req.Services) > 0 && len(codes) == 0 {
		return nil, nil
	}
	single := ""
	if len(codes) == 1 {
		single = codes[0]
	}
	env, tit, err := c.rateRequest(&req.Shipment, single)
	if err != nil {
		return nil, err
	}
	option := "Shop"
	if single != "" {
		option = "Rate"
	}
	if tit {
		option += "timeintransit"
	}
	env.RateRequest.Request.RequestOption = option
	var out rateResponseEnvelope
	if _, err := c.call(ctx, &carrierhttp.Request{
		Op: carriers.OpRates, Method: http.MethodPost, Path: "/rating/" + RatingVersion + "/" + option,
		Body: env, Idempotent: true,
	}, &out); err != nil {
		return nil, err
	}
	rates, err := c.rates(ctx, &out)
	if err != nil {
		return nil, err
	}
	if len(codes) > 1 {
		keep := rates[:0]
		for _, r := range rates {
			for _, code := range codes {
				if r.CarrierServiceCode == code {
					keep = append(keep, r)
					break
				}
			}
		}
		rates = keep
	}
	return rates, nil
}

// rateRequest builds the Rating request; tit says whether it asks for time
// in transit.
func (c *Client) rateRequest(s *shipgate.Shipment, serviceCode string) (rateEnvelope, bool, error) {
	if err := checkShipment(s); err != nil {
		return rateEnvelope{}, false, err
	}
	u := unitsFor(s.From.Country)
	ms, err := measures(s, u)
	if err != nil {
		return rateEnvelope{}, false, err
	}
	fromName, fromAttn := names(s.From)
	toName, toAttn := names(s.To)
	sh := rateShipment{
		Shipper: ratePartyWire{Name: fromName, AttentionName: fromAttn, ShipperNumber: c.account, Address: upsAddress(s.From, 2)},
		ShipTo:  ratePartyWire{Name: toName, AttentionName: toAttn, Address: upsAddress(s.To, 2)},
		PaymentDetails: &ratePaymentDetails{ShipmentCharge: []shipmentChargeWire{
			{Type: "01", BillShipper: &billShipperWire{AccountNumber: c.account}},
		}},
		ShipmentServiceOptions: shipmentOptions(s),
	}
	if s.To.Residential {
		sh.ShipTo.Address.ResidentialAddressIndicator = "Y"
	}
	if serviceCode != "" {
		svc := serviceByCode[serviceCode]
		sh.Service = &codeDesc{Code: serviceCode, Description: svc.Name}
	}
	for i, m := range ms {
		sh.Package = append(sh.Package, ratePackage{
			PackagingType:         codeDesc{Code: "02", Description: "Packaging"},
			Dimensions:            m.dims,
			PackageWeight:         m.weight,
			PackageServiceOptions: packageOptions(s, i, len(ms)),
		})
	}
	if c.negotiated {
		sh.ShipmentRatingOptions = &ratingOptionsWire{NegotiatedRatesIndicator: "Y"}
	}
	tit := c.timeInTransit
	if s.International() {
		v, ok, err := customsValue(s)
		if err != nil {
			return rateEnvelope{}, false, err
		}
		if ok {
			sh.InvoiceLineTotal = &moneyWire{CurrencyCode: v.Currency, MonetaryValue: wholeUnits(v)}
		} else {
			// UPS needs InvoiceLineTotal for transit times across a border.
			tit = false
		}
	}
	if tit {
		sh.DeliveryTimeInformation = &deliveryTimeInformationWire{
			PackageBillType: billType(s), Pickup: &pickupWire{Date: pickupDate(s, c.now())},
		}
	}
	return rateEnvelope{RateRequest: rateRequest{Shipment: sh}}, tit, nil
}

// billType is DeliveryTimeInformation's PackageBillType: 02 documents only,
// 03 anything else (non-documents).
func billType(s *shipgate.Shipment) string {
	if s.Customs != nil && s.Customs.Contents == "documents" {
		return "02"
	}
	return "03"
}

// rates converts Rating's answer. An entry for a service code it does not
// know, or without readable charges, is left out; an answer with entries but
// none readable is carrier_unavailable.
func (c *Client) rates(ctx context.Context, out *rateResponseEnvelope) ([]shipgate.Rate, error) {
	now := c.now()
	rated := out.RateResponse.RatedShipment
	rates := make([]shipgate.Rate, 0, len(rated))
	for i := range rated {
		rs := &rated[i]
		svc, ok := serviceForCode(rs.Service.Code.String())
		if !ok {
			c.log.debug(ctx, "ups: rate for an unknown service code left out", "code", rs.Service.Code.String())
			continue
		}
		total, charges, ok := c.charges(rs.TotalCharges, rs.TransportationCharges, rs.BaseServiceCharge, rs.ItemizedCharges, rs.ServiceOptionsCharges, rs.NegotiatedRateCharges)
		if !ok {
			c.log.debug(ctx, "ups: rate without readable charges left out", "code", svc.CarrierCode)
			continue
		}
		r := shipgate.Rate{
			Carrier: Name, Account: c.id, Service: svc.Code, ServiceName: svc.Name, CarrierServiceCode: svc.CarrierCode,
			Total: total, Charges: charges, BillableWeight: billingWeight(rs.BillingWeight), QuotedAt: now,
		}
		if g := rs.GuaranteedDelivery; g != nil {
			r.TransitDays = atoi(g.BusinessDaysInTransit.String())
			r.Guaranteed = strings.TrimSpace(g.DeliveryByTime.String()) != ""
		}
		if t := rs.TimeInTransit; t != nil {
			ea := t.ServiceSummary.EstimatedArrival
			if d := atoi(ea.BusinessDaysInTransit.String()); d > 0 {
				r.TransitDays = d
			}
			if d, err := time.Parse("20060102", strings.TrimSpace(ea.Arrival.Date.String())); err == nil {
				r.EstimatedDelivery = d.Format(shipgate.DateLayout)
			}
			r.Guaranteed = t.ServiceSummary.GuaranteedIndicator != nil && bool(*t.ServiceSummary.GuaranteedIndicator)
		}
		rates = append(rates, r)
	}
	if len(rates) == 0 && len(rated) > 0 {
		return nil, &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "UPS sent rates that cannot be read"}
	}
	return rates, nil
}

func atoi(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// money reads one of UPS's {CurrencyCode, MonetaryValue}.
func money(m *moneyIn) (shipgate.Money, bool) {
	if m == nil {
		return shipgate.Money{}, false
	}
	v, err := shipgate.ParseMoneyRounded(m.MonetaryValue.String(), m.CurrencyCode.String())
	if err != nil {
		return shipgate.Money{}, false
	}
	return v, true
}

// charges returns the total a caller pays and its breakdown. With negotiated
// rates on and a negotiated total in the answer, that total is the price and
// no breakdown is given (UPS itemizes the published rate, which would not add
// up to it). Otherwise the breakdown is the base charge, the itemized
// surcharges (when they add up to the transportation charge, else the
// transportation charge as one line) and the service options; it is left
// out when it does not add up to the total.
func (c *Client) charges(totalIn, transportIn, baseIn *moneyIn, itemized []itemizedIn, optionsIn *moneyIn, negotiated *struct{ TotalCharge *moneyIn }) (shipgate.Money, []shipgate.Charge, bool) {
	if c.negotiated && negotiated != nil {
		if t, ok := money(negotiated.TotalCharge); ok {
			return t, nil, true
		}
	}
	total, ok := money(totalIn)
	if !ok {
		return shipgate.Money{}, nil, false
	}
	var lines []shipgate.Charge
	transport, hasTransport := money(transportIn)
	if base, ok := money(baseIn); ok && hasTransport {
		lines = append(lines, shipgate.Charge{Type: "base", Name: "Base service charge", Amount: base})
		sum := base
		good := true
		for _, it := range itemized {
			m, ok := money(&moneyIn{CurrencyCode: it.CurrencyCode, MonetaryValue: it.MonetaryValue})
			if !ok {
				good = false
				break
			}
			lines = append(lines, shipgate.Charge{Type: chargeType(it.Code.String()), Name: strings.TrimSpace(it.Description.String()), Amount: m})
			var err error
			if sum, err = sum.Add(m); err != nil {
				good = false
				break
			}
		}
		if !good || sum != transport {
			lines = nil
		}
	}
	if lines == nil && hasTransport {
		lines = []shipgate.Charge{{Type: "transportation", Name: "Transportation", Amount: transport}}
	}
	if opt, ok := money(optionsIn); ok && opt.Amount != 0 {
		lines = append(lines, shipgate.Charge{Type: "service_options", Name: "Service options", Amount: opt})
	}
	var sum shipgate.Money
	for _, l := range lines {
		var err error
		if sum, err = sum.Add(l.Amount); err != nil {
			return total, nil, true
		}
	}
	if sum != total {
		return total, nil, true
	}
	return total, lines, true
}

// chargeType names a UPS accessorial code.
func chargeType(code string) string {
	switch strings.TrimSpace(code) {
	case "375":
		return "fuel"
	case "270":
		return "residential"
	}
	return "surcharge"
}

// billingWeight reads UPS's BillingWeight.
func billingWeight(w *weightIn) *shipgate.Weight {
	if w == nil {
		return nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(w.Weight.String()), 64)
	if err != nil || v <= 0 {
		return nil
	}
	switch strings.ToUpper(strings.TrimSpace(w.UnitOfMeasurement.Code.String())) {
	case "LBS":
		return &shipgate.Weight{Value: v, Unit: shipgate.Pound}
	case "KGS":
		return &shipgate.Weight{Value: v, Unit: shipgate.Kilogram}
	case "OZS":
		return &shipgate.Weight{Value: v, Unit: shipgate.Ounce}
	}
	return nil
}
