package upssim

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Wire types of the answers, as the spec names them. Fields without tags
// keep their PascalCase names on the wire.

type moneyOut struct {
	CurrencyCode  string
	MonetaryValue string
}

type codeOut struct {
	Code        string
	Description string `json:",omitempty"`
}

type weightOut struct {
	UnitOfMeasurement codeOut
	Weight            string
}

type itemizedOut struct {
	Code          string
	Description   string
	CurrencyCode  string
	MonetaryValue string
}

type responseHeader struct {
	ResponseStatus       codeOut
	Alert                []codeOut `json:",omitempty"`
	TransactionReference *struct {
		CustomerContext string
	} `json:",omitempty"`
}

type ratedPackageOut struct {
	BaseServiceCharge     *moneyOut `json:",omitempty"`
	TransportationCharges moneyOut
	ServiceOptionsCharges moneyOut
	TotalCharges          moneyOut
	Weight                string        `json:",omitempty"`
	BillingWeight         *weightOut    `json:",omitempty"`
	ItemizedCharges       []itemizedOut `json:",omitempty"`
}

type negotiatedOut struct {
	TotalCharge moneyOut
}

type ratedShipmentOut struct {
	Service               codeOut
	Zone                  string `json:",omitempty"`
	BillingWeight         weightOut
	TransportationCharges moneyOut
	BaseServiceCharge     *moneyOut     `json:",omitempty"`
	ItemizedCharges       []itemizedOut `json:",omitempty"`
	ServiceOptionsCharges moneyOut
	TotalCharges          moneyOut
	NegotiatedRateCharges *negotiatedOut `json:",omitempty"`
	GuaranteedDelivery    *struct {
		BusinessDaysInTransit string
		DeliveryByTime        string `json:",omitempty"`
	} `json:",omitempty"`
	RatedPackage  []ratedPackageOut
	TimeInTransit *timeInTransitOut `json:",omitempty"`
}

type dateTimeOut struct {
	Date string
	Time string `json:",omitempty"`
}

type timeInTransitOut struct {
	PickupDate      string
	PackageBillType string `json:",omitempty"`
	ServiceSummary  struct {
		Service struct {
			Description string
		}
		GuaranteedIndicator *string `json:",omitempty"`
		EstimatedArrival    struct {
			Arrival               dateTimeOut
			BusinessDaysInTransit string
			Pickup                dateTimeOut
			DayOfWeek             string
			CustomerCenterCutoff  string
			TotalTransitDays      string
		}
	}
}

type rateResponseOut struct {
	RateResponse struct {
		Response      responseHeader
		RatedShipment []ratedShipmentOut
	}
}

// rate serves POST /api/rating/{version}/{requestoption}.
func (s *Server) rate(w http.ResponseWriter, r *http.Request) *apiError {
	if e := checkVersion(r, "Rate"); e != nil {
		return e
	}
	opt := strings.ToLower(r.PathValue("requestoption"))
	switch opt {
	case "rate", "shop", "ratetimeintransit", "shoptimeintransit":
	default:
		return badRequest("20006", "Invalid request action")
	}
	tit := strings.HasSuffix(opt, "timeintransit") || strings.EqualFold(r.URL.Query().Get("additionalinfo"), "timeintransit")
	var env rateEnvelope
	if e := decode(r, &env); e != nil {
		return e
	}
	if env.RateRequest == nil {
		return missing("RateRequest")
	}
	p, e := parseShipment(env.RateRequest.Shipment, rating)
	if e != nil {
		return e
	}
	sh := env.RateRequest.Shipment
	codes := laneServices(p.fromCountry, p.toCountry)
	if strings.HasPrefix(opt, "rate") {
		if p.serviceCode == "" {
			return missing("Shipment/Service/Code")
		}
		if _, known := services[p.serviceCode]; !known {
			return badRequest("111100", "The requested service is invalid from the selected origin.")
		}
		if !offered(p.fromCountry, p.toCountry, p.serviceCode) {
			return badRequest("111210", "The requested service is unavailable between the selected locations.")
		}
		codes = []string{p.serviceCode}
	}
	if tit && p.intl && p.invoiceLineTotal == nil {
		return missing("Shipment/InvoiceLineTotal")
	}
	pickup := day(s.cfg.now())
	billType := ""
	if d := sh.DeliveryTimeInformation; d != nil {
		billType = strings.TrimSpace(d.PackageBillType.String())
		if d.Pickup != nil && d.Pickup.Date != "" {
			t, err := time.ParseInLocation("20060102", d.Pickup.Date.String(), time.UTC)
			if err != nil {
				return invalid("Shipment/DeliveryTimeInformation/Pickup/Date", d.Pickup.Date.String())
			}
			pickup = t
		}
	}
	if tit && billType == "" {
		return missing("Shipment/DeliveryTimeInformation/PackageBillType")
	}
	z := zone(p.fromCountry, p.origin.PostalCode.String(), p.toCountry, p.dest.PostalCode.String())
	currency := currencyOf(p.fromCountry)

	var out rateResponseOut
	resp := &out.RateResponse
	resp.Response.ResponseStatus = codeOut{Code: "1", Description: "Success"}
	resp.Response.Alert = []codeOut{{Code: "110971", Description: "Your invoice may vary from the displayed reference rates"}}
	if cc := env.RateRequest.Request.TransactionReference.CustomerContext.String(); cc != "" {
		resp.Response.TransactionReference = &struct{ CustomerContext string }{cc}
	}
	for _, code := range codes {
		svc := services[code]
		q := price(svc, z, p.intl, p.residential, p.saturday, p.packages, p.declared)
		rs := ratedShipmentOut{
			Service:               codeOut{Code: code, Description: svc.name},
			Zone:                  fmt.Sprintf("%03d", z),
			BillingWeight:         weightOut{UnitOfMeasurement: codeOut{Code: q.weightUnit, Description: weightUnitName(q.weightUnit)}, Weight: weightString(q.billable)},
			TransportationCharges: moneyOut{currency, money(q.transportation)},
			BaseServiceCharge:     &moneyOut{currency, money(q.base)},
			ItemizedCharges:       itemized(q, currency),
			ServiceOptionsCharges: moneyOut{currency, money(q.options)},
			TotalCharges:          moneyOut{currency, money(q.total)},
		}
		if p.negotiated {
			rs.NegotiatedRateCharges = &negotiatedOut{TotalCharge: moneyOut{currency, money(q.negotiated)}}
		}
		if svc.guaranteed {
			rs.GuaranteedDelivery = &struct {
				BusinessDaysInTransit string
				DeliveryByTime        string `json:",omitempty"`
			}{itoa(int64(q.days)), svc.commit}
		}
		for _, pq := range q.packages {
			rs.RatedPackage = append(rs.RatedPackage, ratedPackageOut{
				BaseServiceCharge:     &moneyOut{currency, money(pq.base)},
				TransportationCharges: moneyOut{currency, money(pq.transportation)},
				ServiceOptionsCharges: moneyOut{currency, money(pq.options)},
				TotalCharges:          moneyOut{currency, money(pq.total)},
				Weight:                weightString(pq.weight),
				BillingWeight:         &weightOut{UnitOfMeasurement: codeOut{Code: pq.weightUnit, Description: weightUnitName(pq.weightUnit)}, Weight: weightString(pq.billable)},
			})
		}
		if tit {
			rs.TimeInTransit = timeInTransit(svc, q.days, pickup, billType)
		}
		resp.RatedShipment = append(resp.RatedShipment, rs)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func itemized(q quote, currency string) []itemizedOut {
	var out []itemizedOut
	if q.resi > 0 {
		out = append(out, itemizedOut{Code: "270", Description: "RESIDENTIAL ADDRESS", CurrencyCode: currency, MonetaryValue: money(q.resi)})
	}
	if q.fuel > 0 {
		out = append(out, itemizedOut{Code: "375", Description: "FUEL SURCHARGE", CurrencyCode: currency, MonetaryValue: money(q.fuel)})
	}
	return out
}

func timeInTransit(svc service, days int, pickup time.Time, billType string) *timeInTransitOut {
	arrive := addBusinessDays(pickup, days)
	t := &timeInTransitOut{PickupDate: pickup.Format("20060102"), PackageBillType: billType}
	t.ServiceSummary.Service.Description = svc.name
	if svc.guaranteed {
		empty := ""
		t.ServiceSummary.GuaranteedIndicator = &empty
	}
	ea := &t.ServiceSummary.EstimatedArrival
	ea.Arrival = dateTimeOut{Date: arrive.Format("20060102"), Time: commitTime(svc.commit)}
	ea.BusinessDaysInTransit = itoa(int64(days))
	ea.Pickup = dateTimeOut{Date: pickup.Format("20060102"), Time: "170000"}
	ea.DayOfWeek = strings.ToUpper(arrive.Weekday().String()[:3])
	ea.CustomerCenterCutoff = "180000"
	ea.TotalTransitDays = itoa(int64(arrive.Sub(pickup).Hours() / 24))
	return t
}
