package upssim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
)

// shipment is what the simulator remembers of a label it sold.
type shipment struct {
	id        string
	packages  []string
	voided    map[string]time.Time // package -> when it was voided
	svc       service
	created   time.Time
	days      int
	intl      bool
	from, to  shipgate.Address
	weights   []string
	weightUOM string
}

func (sh *shipment) allVoided() bool {
	for _, tn := range sh.packages {
		if _, ok := sh.voided[tn]; !ok {
			return false
		}
	}
	return true
}

type shippingLabelOut struct {
	ImageFormat  codeOut
	GraphicImage string
	HTMLImage    string `json:",omitempty"`
}

type packageResultOut struct {
	TrackingNumber        string
	ServiceOptionsCharges *moneyOut `json:",omitempty"`
	ShippingLabel         *shippingLabelOut
	ItemizedCharges       []itemizedOut `json:",omitempty"`
}

type shipResponseOut struct {
	ShipmentResponse struct {
		Response        responseHeader
		ShipmentResults struct {
			ShipmentCharges struct {
				BaseServiceCharge     *moneyOut `json:",omitempty"`
				TransportationCharges moneyOut
				ItemizedCharges       []itemizedOut `json:",omitempty"`
				ServiceOptionsCharges moneyOut
				TotalCharges          moneyOut
			}
			NegotiatedRateCharges        *negotiatedOut `json:",omitempty"`
			BillingWeight                weightOut
			ShipmentIdentificationNumber string
			PackageResults               []packageResultOut
		}
	}
}

var account6 = regexp.MustCompile(`^[A-Z0-9]{6}$`)

// ship serves POST /api/shipments/{version}/ship.
func (s *Server) ship(w http.ResponseWriter, r *http.Request) *apiError {
	if e := checkVersion(r, "Ship"); e != nil {
		return e
	}
	var env shipEnvelope
	if e := decode(r, &env); e != nil {
		return e
	}
	req := env.ShipmentRequest
	if req == nil {
		return missing("ShipmentRequest")
	}
	switch strings.ToLower(strings.TrimSpace(req.Request.RequestOption.String())) {
	case "validate", "nonvalidate":
	default:
		return badRequest("120051", "Invalid RequestOption")
	}
	p, e := parseShipment(req.Shipment, shipping)
	if e != nil {
		return e
	}
	sh := req.Shipment
	if sh.PaymentInformation == nil || len(sh.PaymentInformation.ShipmentCharge) == 0 {
		return badRequest("120400", "Missing/Invalid shipment payment method")
	}
	for _, c := range sh.PaymentInformation.ShipmentCharge {
		if t := c.Type.String(); t != "01" && t != "02" {
			return badRequest("120444", "Invalid Bill-To type")
		}
	}
	if p.serviceCode == "" {
		return badRequest("120500", "Missing/Invalid Service/Code")
	}
	svc, known := services[p.serviceCode]
	if !known {
		return badRequest("120500", "Missing/Invalid Service/Code")
	}
	if !offered(p.fromCountry, p.toCountry, p.serviceCode) {
		return badRequest("120124", "The requested service is unavailable between the selected locations")
	}
	format, e := labelFormat(req.LabelSpecification)
	if e != nil {
		return e
	}
	if p.intl {
		if e := checkInternational(sh, p); e != nil {
			return e
		}
	}
	if sh.ReturnService != nil {
		for i, d := range p.descriptions {
			if d == "" {
				return missing(fmt.Sprintf("Shipment/Package[%d]/Description (required for return shipments)", i+1))
			}
		}
	}

	account := p.shipperNumber
	if !account6.MatchString(account) {
		account = strings.ToUpper(s.cfg.account)
	}
	z := zone(p.fromCountry, p.origin.PostalCode.String(), p.toCountry, p.dest.PostalCode.String())
	currency := currencyOf(p.fromCountry)
	q := price(svc, z, p.intl, p.residential, p.saturday, p.packages, p.declared)
	now := s.cfg.now()

	s.mu.Lock()
	s.seq++
	seq := s.seq
	s.mu.Unlock()

	rec := &shipment{
		svc: svc, created: now, days: q.days, intl: p.intl, voided: map[string]time.Time{},
		from: labelAddress(sh.Shipper, p.origin), to: labelAddress(sh.ShipTo, p.dest), weightUOM: q.weightUnit,
	}
	if sh.ShipFrom != nil {
		rec.from = labelAddress(sh.ShipFrom, p.origin)
	}
	var out shipResponseOut
	res := &out.ShipmentResponse.ShipmentResults
	for i, pq := range q.packages {
		tn := TrackingNumber(account, svc.code, seq, i+1)
		rec.packages = append(rec.packages, tn)
		rec.weights = append(rec.weights, weightString(pq.weight))
		img, err := s.cfg.render(LabelInfo{
			Service: svc.name, ServiceCode: svc.code, From: rec.from, To: rec.to, TrackingNumber: tn,
			Weight: labelWeight(pq), Reference: strings.TrimSpace(sh.Description.String()),
			ShipDate: now, Parcel: i + 1, Parcels: len(q.packages), Routing: routing(rec.to, z),
		}, format)
		if err != nil {
			return &apiError{status: http.StatusInternalServerError, code: "120001", message: "XML Shipping System is unavailable, please try again later."}
		}
		label := &shippingLabelOut{ImageFormat: codeOut{Code: format, Description: format}, GraphicImage: base64.StdEncoding.EncodeToString(img)}
		if format == "GIF" {
			html := fmt.Sprintf(`<html><head><title>View/Print Label</title></head><body><img src="./label%s.gif"></body></html>`, tn)
			label.HTMLImage = base64.StdEncoding.EncodeToString([]byte(html))
		}
		res.PackageResults = append(res.PackageResults, packageResultOut{
			TrackingNumber: tn, ServiceOptionsCharges: &moneyOut{currency, money(pq.options)}, ShippingLabel: label,
		})
	}
	rec.id = rec.packages[0]
	s.mu.Lock()
	s.shipments[rec.id] = rec
	for _, tn := range rec.packages {
		s.packages[tn] = rec
	}
	s.mu.Unlock()

	resp := &out.ShipmentResponse
	resp.Response.ResponseStatus = codeOut{Code: "1", Description: "Success"}
	if cc := req.Request.TransactionReference.CustomerContext.String(); cc != "" {
		resp.Response.TransactionReference = &struct{ CustomerContext string }{cc}
	}
	ch := &res.ShipmentCharges
	ch.BaseServiceCharge = &moneyOut{currency, money(q.base)}
	ch.TransportationCharges = moneyOut{currency, money(q.transportation)}
	ch.ItemizedCharges = itemized(q, currency)
	ch.ServiceOptionsCharges = moneyOut{currency, money(q.options)}
	ch.TotalCharges = moneyOut{currency, money(q.total)}
	if p.negotiated {
		res.NegotiatedRateCharges = &negotiatedOut{TotalCharge: moneyOut{currency, money(q.negotiated)}}
	}
	res.BillingWeight = weightOut{UnitOfMeasurement: codeOut{Code: q.weightUnit, Description: weightUnitName(q.weightUnit)}, Weight: weightString(q.billable)}
	res.ShipmentIdentificationNumber = rec.id
	writeJSON(w, http.StatusOK, out)
	return nil
}

// labelFormat reads LabelSpecification: GIF when absent; ZPL, EPL and SPL
// need a 4x6 or 4x8 LabelStockSize.
func labelFormat(spec *labelSpec) (string, *apiError) {
	if spec == nil || spec.LabelImageFormat == nil {
		return "GIF", nil
	}
	f := strings.ToUpper(strings.TrimSpace(spec.LabelImageFormat.Code.String()))
	switch f {
	case "GIF":
		return f, nil
	case "ZPL", "EPL", "SPL":
		st := spec.LabelStockSize
		if st == nil {
			return "", missing("LabelSpecification/LabelStockSize")
		}
		if h := st.Height.String(); h != "6" && h != "8" {
			return "", invalid("LabelSpecification/LabelStockSize/Height", h)
		}
		if wd := st.Width.String(); wd != "4" {
			return "", invalid("LabelSpecification/LabelStockSize/Width", wd)
		}
		return f, nil
	}
	return "", invalid("LabelSpecification/LabelImageFormat/Code", f)
}

// checkInternational applies the rules UPS enforces on shipments that cross
// a border.
func checkInternational(sh *shipmentIn, p parsed) *apiError {
	if strings.TrimSpace(sh.Description.String()) == "" {
		return badRequest("120512", "Shipment Description is required for this shipment.")
	}
	if sh.Shipper.Phone == nil || len(digits(sh.Shipper.Phone.Number.String())) < 10 {
		return badRequest("120109", "Missing/Invalid Shipper PhoneNumber")
	}
	if strings.TrimSpace(sh.ShipTo.AttentionName.String()) == "" {
		return badRequest("120201", "Missing/Invalid ShipTo AttentionName")
	}
	if p.fromCountry == "US" && (p.toCountry == "CA" || p.toCountry == "PR") {
		ilt := p.invoiceLineTotal
		if ilt == nil {
			return badRequest("120539", "InvoiceLineTotal/ MonetaryValue is required and must be a whole number")
		}
		if _, err := strconv.Atoi(strings.TrimSpace(ilt.MonetaryValue.String())); err != nil {
			return badRequest("120539", "InvoiceLineTotal/ MonetaryValue is required and must be a whole number")
		}
	}
	if o := sh.ShipmentServiceOptions.V; o != nil && o.InternationalForms != nil {
		return checkForms(o.InternationalForms)
	}
	return nil
}

func checkForms(f *intlForms) *apiError {
	if len(f.FormType) == 0 {
		return missing("InternationalForms/FormType")
	}
	invoice := false
	for _, t := range f.FormType {
		if t == "01" {
			invoice = true
		}
	}
	if !invoice {
		return nil
	}
	if len(f.Product) == 0 {
		return badRequest("128218", "A Commercial Invoice must have at least one commodity in the request.")
	}
	if len(f.InvoiceDate.String()) != 8 {
		return missing("InternationalForms/InvoiceDate")
	}
	if strings.TrimSpace(f.CurrencyCode.String()) == "" {
		return missing("InternationalForms/CurrencyCode")
	}
	for i, pr := range f.Product {
		field := fmt.Sprintf("InternationalForms/Product[%d]", i+1)
		if len(pr.Description) == 0 || strings.TrimSpace(pr.Description[0].String()) == "" {
			return missing(field + "/Description")
		}
		if pr.Unit == nil || pr.Unit.Number == "" || pr.Unit.Value == "" || pr.Unit.UnitOfMeasurement == nil {
			return missing(field + "/Unit")
		}
		if _, err := strconv.ParseFloat(pr.Unit.Value.String(), 64); err != nil {
			return invalid(field+"/Unit/Value", pr.Unit.Value.String())
		}
		if len(pr.OriginCountryCode.String()) != 2 {
			return missing(field + "/OriginCountryCode")
		}
	}
	return nil
}

func digits(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func labelAddress(p *party, a *addressIn) shipgate.Address {
	la := shipgate.Address{
		Company: strings.TrimSpace(p.Name.String()), Name: strings.TrimSpace(p.AttentionName.String()),
		City: strings.TrimSpace(a.City.String()), State: strings.TrimSpace(a.StateProvinceCode.String()),
		PostalCode: strings.TrimSpace(a.PostalCode.String()), Country: strings.ToUpper(strings.TrimSpace(a.CountryCode.String())),
		Residential: bool(a.ResidentialAddressIndicator),
	}
	if la.Name == la.Company {
		la.Name = ""
	}
	if p.Phone != nil {
		la.Phone = p.Phone.Number.String()
	}
	var lines []string
	for _, l := range a.AddressLine {
		if t := strings.TrimSpace(l.String()); t != "" {
			lines = append(lines, t)
		}
	}
	if len(lines) > 0 {
		la.Street1 = lines[0]
	}
	if len(lines) > 1 {
		la.Street2 = strings.Join(lines[1:], ", ")
	}
	return la
}

// labelWeight is a package's weight as the label prints it.
func labelWeight(pq pkgQuote) shipgate.Weight {
	if pq.weightUnit == "KGS" {
		return shipgate.Weight{Value: pq.weight, Unit: shipgate.Kilogram}
	}
	return shipgate.Weight{Value: pq.weight, Unit: shipgate.Pound}
}

// routing is a UPS-like routing code: state, the first three characters of
// the postal code, and the zone ("CA 941 0-08").
func routing(to shipgate.Address, zone int) string {
	p := strings.ReplaceAll(to.PostalCode, " ", "")
	if len(p) > 3 {
		p = p[:3]
	}
	region := to.State
	if region == "" {
		region = to.Country
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s 0-%02d", region, p, zone))
}

type voidResponseOut struct {
	VoidShipmentResponse struct {
		Response      responseHeader
		SummaryResult struct {
			Status codeOut
		}
		PackageLevelResults []struct {
			TrackingNumber string
			Status         codeOut
		} `json:",omitempty"`
	}
}

var shipmentIDRe = regexp.MustCompile(`^1Z[A-Z0-9]{16}$`)

// void serves DELETE /api/shipments/{version}/void/cancel/{id}.
func (s *Server) void(w http.ResponseWriter, r *http.Request) *apiError {
	if e := checkVersion(r, "Void"); e != nil {
		return e
	}
	id := r.PathValue("id")
	if !shipmentIDRe.MatchString(id) || !ValidTrackingNumber(id) {
		return badRequest("190100", "Invalid ShipmentIdentificationNumber.")
	}
	var only []string
	if q := strings.TrimSpace(r.URL.Query().Get("trackingnumber")); q != "" {
		q = strings.Trim(q, "[]")
		for _, tn := range strings.Split(q, ",") {
			if tn = strings.Trim(strings.TrimSpace(tn), `"`); tn != "" {
				only = append(only, tn)
			}
		}
		if len(only) > 20 {
			return badRequest("190111", "Package Void Limit Exceeded")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sh, ok := s.shipments[id]
	if !ok {
		return badRequest("190102", "No shipment found within the allowed void period")
	}
	if sh.allVoided() {
		return badRequest("190117", "The Shipment has already been voided")
	}
	var out voidResponseOut
	resp := &out.VoidShipmentResponse
	resp.Response.ResponseStatus = codeOut{Code: "1", Description: "Success"}
	now := s.cfg.now()
	if len(only) == 0 {
		for _, tn := range sh.packages {
			sh.voided[tn] = now
		}
	} else {
		if sh.intl {
			return badRequest("190113", "International Shipments cannot be Voided at the Package Level")
		}
		for _, tn := range only {
			if s.packages[tn] != sh {
				return badRequest("190122", "Package(s) %s selected to void is(are) invalid", tn)
			}
		}
		for _, tn := range only {
			sh.voided[tn] = now
			resp.PackageLevelResults = append(resp.PackageLevelResults, struct {
				TrackingNumber string
				Status         codeOut
			}{tn, codeOut{Code: "1", Description: "Voided"}})
		}
	}
	resp.SummaryResult.Status = codeOut{Code: "1", Description: "Voided"}
	writeJSON(w, http.StatusOK, out)
	return nil
}
