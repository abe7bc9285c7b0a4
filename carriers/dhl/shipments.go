package dhl

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/internal/carrierhttp"
)

// labelTemplate is DHL's default transport label template, an 8x4 inch
// (4 wide, 8 tall) label; labelSize names that stock in shipgate.Document.
const (
	labelTemplate = "ECOM26_84_001"
	labelSize     = "4x8"
)

// shipmentRequest is supermodelIoLogisticsExpressCreateShipmentRequest (POST /shipments).
type shipmentRequest struct {
	PlannedShippingDateAndTime string `json:"plannedShippingDateAndTime"`
	Pickup                     struct {
		IsRequested bool `json:"isRequested"`
	} `json:"pickup"`
	ProductCode           string        `json:"productCode"`
	GetRateEstimates      bool          `json:"getRateEstimates"`
	Accounts              []account     `json:"accounts"`
	ValueAddedServices    []valueAdded  `json:"valueAddedServices,omitempty"`
	OutputImageProperties outputImage   `json:"outputImageProperties"`
	CustomerReferences    []reference   `json:"customerReferences,omitempty"`
	CustomerDetails       shipCustomers `json:"customerDetails"`
	Content               content       `json:"content"`
	EstimatedDeliveryDate *eddOption    `json:"estimatedDeliveryDate,omitempty"`
	// GetAdditionalInformation asks for linkLabelsByPieces: one label image per package.
	GetAdditionalInformation []additionalInfo `json:"getAdditionalInformation,omitempty"`
}

type outputImage struct {
	PrinterDPI     int           `json:"printerDPI,omitempty"`
	EncodingFormat string        `json:"encodingFormat"`
	ImageOptions   []imageOption `json:"imageOptions"`
}

type imageOption struct {
	TypeCode     string `json:"typeCode"`
	TemplateName string `json:"templateName,omitempty"`
	IsRequested  *bool  `json:"isRequested,omitempty"`
}

type additionalInfo struct {
	TypeCode    string `json:"typeCode"`
	IsRequested bool   `json:"isRequested"`
}

type reference struct {
	Value    string `json:"value"`
	TypeCode string `json:"typeCode,omitempty"`
}

type shipCustomers struct {
	ShipperDetails  party `json:"shipperDetails"`
	ReceiverDetails party `json:"receiverDetails"`
}

type party struct {
	PostalAddress       shipAddress    `json:"postalAddress"`
	ContactInformation  contact        `json:"contactInformation"`
	RegistrationNumbers []registration `json:"registrationNumbers,omitempty"`
	TypeCode            string         `json:"typeCode,omitempty"`
}

// shipAddress is supermodelIoLogisticsExpressAddressCreateShipmentRequest.
type shipAddress struct {
	PostalCode   string `json:"postalCode"`
	CityName     string `json:"cityName"`
	CountryCode  string `json:"countryCode"`
	ProvinceCode string `json:"provinceCode,omitempty"`
	AddressLine1 string `json:"addressLine1"`
	AddressLine2 string `json:"addressLine2,omitempty"`
}

type contact struct {
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone"`
	CompanyName string `json:"companyName"`
	FullName    string `json:"fullName"`
}

type registration struct {
	TypeCode          string `json:"typeCode"`
	Number            string `json:"number"`
	IssuerCountryCode string `json:"issuerCountryCode"`
}

type content struct {
	Packages              []shipPackage      `json:"packages"`
	IsCustomsDeclarable   bool               `json:"isCustomsDeclarable"`
	DeclaredValue         *float64           `json:"declaredValue,omitempty"`
	DeclaredValueCurrency string             `json:"declaredValueCurrency,omitempty"`
	ExportDeclaration     *exportDeclaration `json:"exportDeclaration,omitempty"`
	Description           string             `json:"description"`
	USFilingTypeValue     string             `json:"USFilingTypeValue,omitempty"`
	Incoterm              string             `json:"incoterm"`
	UnitOfMeasurement     string             `json:"unitOfMeasurement"`
}

// shipPackage is supermodelIoLogisticsExpressPackage.
type shipPackage struct {
	Weight             float64     `json:"weight"`
	Dimensions         *dimensions `json:"dimensions,omitempty"`
	CustomerReferences []reference `json:"customerReferences,omitempty"`
	// ReferenceNumber (1..999) ties each package to its label document.
	ReferenceNumber int `json:"referenceNumber"`
}

type exportDeclaration struct {
	LineItems        []lineItem `json:"lineItems"`
	Invoice          invoice    `json:"invoice"`
	ExportReasonType string     `json:"exportReasonType,omitempty"`
	ShipmentType     string     `json:"shipmentType,omitempty"`
}

type lineItem struct {
	Number      int     `json:"number"`
	Description string  `json:"description"`
	Price       float64 `json:"price"`
	Quantity    struct {
		Value             int    `json:"value"`
		UnitOfMeasurement string `json:"unitOfMeasurement"`
	} `json:"quantity"`
	CommodityCodes      []commodityCode `json:"commodityCodes,omitempty"`
	ExportReasonType    string          `json:"exportReasonType,omitempty"`
	ManufacturerCountry string          `json:"manufacturerCountry"`
	Weight              struct {
		NetValue   float64 `json:"netValue"`
		GrossValue float64 `json:"grossValue"`
	} `json:"weight"`
}

type commodityCode struct {
	TypeCode string `json:"typeCode"`
	Value    string `json:"value"`
}

type invoice struct {
	Number        string `json:"number"`
	Date          string `json:"date"`
	SignatureName string `json:"signatureName,omitempty"`
}

// shipmentResponse is the part of supermodelIoLogisticsExpressCreateShipmentResponse the adapter reads.
type shipmentResponse struct {
	ShipmentTrackingNumber string `json:"shipmentTrackingNumber"`
	Packages               []struct {
		ReferenceNumber float64        `json:"referenceNumber"`
		TrackingNumber  string         `json:"trackingNumber"`
		Documents       []wireDocument `json:"documents"`
	} `json:"packages"`
	Documents       []wireDocument `json:"documents"`
	ShipmentCharges []struct {
		CurrencyType     string  `json:"currencyType"`
		PriceCurrency    string  `json:"priceCurrency"`
		Price            float64 `json:"price"`
		ServiceBreakdown []struct {
			Name     string  `json:"name"`
			Price    float64 `json:"price"`
			TypeCode string  `json:"typeCode"`
		} `json:"serviceBreakdown"`
	} `json:"shipmentCharges"`
	EstimatedDeliveryDate struct {
		EstimatedDeliveryDate string `json:"estimatedDeliveryDate"`
	} `json:"estimatedDeliveryDate"`
}

type wireDocument struct {
	ImageFormat            string  `json:"imageFormat"`
	Content                string  `json:"content"`
	TypeCode               string  `json:"typeCode"`
	PackageReferenceNumber float64 `json:"packageReferenceNumber"`
}

// Purchase creates a DHL Express shipment (POST /shipments) and returns its
// 10-digit waybill as TrackingNumber and ShipmentID, each piece's ID
// (JD01...) as the parcel tracking numbers, and one label per piece (DHL is
// asked to link label images to pieces). Labels come as PDF or ZPL (200 dpi)
// as req.Format asks; DHL has no PNG label, so png is answered with a PDF
// document. International shipments outside the EU customs union carry the
// customs declaration DHL requires (export declaration, line items, invoice).
// DHL has no idempotency header and no cancel call: Purchase is sent once,
// never retried. Errors: invalid_request for a shipment DHL cannot be given
// (missing phone, fields too long, no customs for a dutiable shipment, a
// service that does not fit the lane), unsupported for return labels and
// adult signature, carrier_rejected when DHL refuses the shipment, and
// carrier_unavailable or carrier_timeout when DHL fails (the shipment may
// then exist: the label is in doubt, and an unused DHL label is not billed).
func (c *Client) Purchase(ctx context.Context, req *carriers.PurchaseRequest) (*shipgate.Purchase, error) {
	if req.IsReturn {
		return nil, shipgate.Errorf(shipgate.CodeUnsupported, "DHL Express return labels are booked on an import account; this adapter does not create them")
	}
	body, format, err := c.shipmentRequest(req)
	if err != nil {
		return nil, err
	}
	var out shipmentResponse
	if _, err := c.do(ctx, &carrierhttp.Request{
		Op: carriers.OpLabels, Method: http.MethodPost, Path: "/shipments", Body: body, Idempotent: false,
	}, &out); err != nil {
		return nil, err
	}
	return purchaseFrom(&out, req, body.ProductCode, format)
}

func (c *Client) shipmentRequest(req *carriers.PurchaseRequest) (*shipmentRequest, shipgate.LabelFormat, error) {
	s := req.Shipment.Normalized()
	if len(s.Parcels) == 0 {
		return nil, "", shipgate.FieldErrorf("shipment.parcels", "at least one parcel is required")
	}
	if len(s.Parcels) > 999 {
		return nil, "", shipgate.FieldErrorf("shipment.parcels", "DHL Express takes at most 999 pieces per shipment")
	}
	decl := dutiable(&s)
	code, err := productCode(req.Service, !s.International(), decl, intraEU(&s))
	if err != nil {
		return nil, "", err
	}
	planned, plannedAt, err := plannedShipping(&s, c.now(), c.loc)
	if err != nil {
		return nil, "", err
	}
	format := shipgate.FormatPDF
	out := outputImage{EncodingFormat: "pdf", ImageOptions: []imageOption{{TypeCode: "label", TemplateName: labelTemplate}}}
	if req.Format == shipgate.FormatZPL {
		format = shipgate.FormatZPL
		out.EncodingFormat, out.PrinterDPI = "zpl", 200
	}
	r := &shipmentRequest{
		PlannedShippingDateAndTime: planned,
		ProductCode:                code,
		GetRateEstimates:           true,
		Accounts:                   []account{{TypeCode: "shipper", Number: c.number}},
		OutputImageProperties:      out,
		EstimatedDeliveryDate:      &eddOption{IsRequested: true, TypeCode: "QDDC"},
		GetAdditionalInformation:   []additionalInfo{{TypeCode: "linkLabelsByPieces", IsRequested: true}},
	}
	ref := strings.TrimSpace(req.Reference)
	if ref == "" {
		ref = s.Reference
	}
	if ref != "" {
		if utf8.RuneCountInString(ref) > 35 {
			return nil, "", shipgate.FieldErrorf("reference", "DHL Express accepts references of at most 35 characters")
		}
		r.CustomerReferences = []reference{{Value: ref, TypeCode: "CU"}}
	}
	if r.CustomerDetails.ShipperDetails, err = partyOf(s.From, "shipment.from"); err != nil {
		return nil, "", err
	}
	r.CustomerDetails.ShipperDetails.TypeCode = "business"
	if r.CustomerDetails.ReceiverDetails, err = partyOf(s.To, "shipment.to"); err != nil {
		return nil, "", err
	}
	r.CustomerDetails.ReceiverDetails.TypeCode = "business"
	if s.To.Residential {
		r.CustomerDetails.ReceiverDetails.TypeCode = "private"
	}
	if r.ValueAddedServices, err = valueAddedServices(&s); err != nil {
		return nil, "", err
	}
	for i, p := range s.Parcels {
		sp := shipPackage{Weight: kilograms(p.Weight), ReferenceNumber: i + 1}
		if p.Dimensions != nil {
			l, w, h := centimeters(*p.Dimensions)
			sp.Dimensions = &dimensions{Length: l, Width: w, Height: h}
		}
		if pr := strings.TrimSpace(p.Reference); pr != "" {
			if utf8.RuneCountInString(pr) > 35 {
				return nil, "", shipgate.FieldErrorf(fmt.Sprintf("shipment.parcels[%d].reference", i), "DHL Express accepts references of at most 35 characters")
			}
			sp.CustomerReferences = []reference{{Value: pr, TypeCode: "CU"}}
		}
		r.Content.Packages = append(r.Content.Packages, sp)
	}
	r.Content.UnitOfMeasurement = "metric"
	r.Content.IsCustomsDeclarable = decl
	r.Content.Incoterm = "DAP"
	r.Content.Description = "Goods"
	if cu := s.Customs; cu != nil {
		if cu.Incoterm != "" {
			r.Content.Incoterm = cu.Incoterm
		}
		r.Content.Description = contentDescription(cu)
	}
	if decl {
		if err := c.customs(r, &s, ref, plannedAt.Format(shipgate.DateLayout)); err != nil {
			return nil, "", err
		}
	}
	return r, format, nil
}

// partyOf maps an address onto a DHL shipper or receiver. DHL requires a
// street line, a phone, a company name and a full name: a private person's
// name stands in for the company and a company's for the person.
func partyOf(a shipgate.Address, field string) (party, error) {
	if err := checkLocality(a, field); err != nil {
		return party{}, err
	}
	switch {
	case a.Street1 == "" || len(a.Street1) > 45:
		return party{}, shipgate.FieldErrorf(field+".street1", "DHL Express needs a first street line of 1 to 45 characters")
	case len(a.Street2) > 45:
		return party{}, shipgate.FieldErrorf(field+".street2", "DHL Express accepts at most 45 characters")
	case a.Phone == "" || len(a.Phone) > 70:
		return party{}, shipgate.FieldErrorf(field+".phone", "DHL Express needs a phone number (at most 70 characters)")
	case a.Name == "" && a.Company == "":
		return party{}, shipgate.FieldErrorf(field+".name", "DHL Express needs a name or a company")
	case len(a.Email) > 70:
		return party{}, shipgate.FieldErrorf(field+".email", "DHL Express accepts at most 70 characters")
	}
	p := party{
		PostalAddress: shipAddress{PostalCode: a.PostalCode, CityName: a.City, CountryCode: a.Country, AddressLine1: a.Street1, AddressLine2: a.Street2},
		ContactInformation: contact{
			Email: a.Email, Phone: a.Phone,
			CompanyName: firstNonEmpty(a.Company, a.Name), FullName: firstNonEmpty(a.Name, a.Company),
		},
	}
	if len(a.State) >= 2 && len(a.State) <= 35 {
		p.PostalAddress.ProvinceCode = a.State
	}
	return p, nil
}

// contentDescription is DHL's shipment description: the customs description,
// else the first item's, else the kind of contents, cut to DHL's 70 characters.
func contentDescription(cu *shipgate.Customs) string {
	d := strings.TrimSpace(cu.Description)
	if d == "" && len(cu.Items) > 0 {
		d = strings.TrimSpace(cu.Items[0].Description)
	}
	if d == "" {
		switch cu.Contents {
		case "documents":
			d = "Documents"
		case "gift":
			d = "Gift"
		case "sample":
			d = "Sample"
		default:
			d = "Goods"
		}
	}
	if utf8.RuneCountInString(d) > 70 {
		d = strings.TrimSpace(string([]rune(d)[:70]))
	}
	return d
}

// registrationTypes maps shipgate customs identity types onto DHL's
// registrationNumbers typeCode values (EORI is DHL's EOR).
var registrationTypes = map[string]string{
	"EORI": "EOR", "EOR": "EOR", "VAT": "VAT", "EIN": "EIN", "SSN": "SSN", "DUN": "DUN", "DUNS": "DUN",
	"FED": "FED", "STA": "STA", "CNP": "CNP", "IE": "IE", "INN": "INN", "KPP": "KPP", "OGR": "OGR",
	"OKP": "OKP", "MRN": "MRN", "SDT": "SDT", "FTZ": "FTZ", "DAN": "DAN", "TAN": "TAN", "DTF": "DTF",
	"RGP": "RGP", "NID": "NID", "PAS": "PAS", "IMS": "IMS", "EIC": "EIC", "FTN": "FTN", "CIC": "CIC",
	"PEP": "PEP", "FII": "FII",
}

// customs fills the declaration DHL requires for a dutiable shipment:
// declared value and currency, the export declaration with one line item per
// customs item (price is the unit price: the item's Value is the line total),
// and the commercial invoice number and date.
func (c *Client) customs(r *shipmentRequest, s *shipgate.Shipment, ref, date string) error {
	cu := s.Customs
	if cu == nil {
		return shipgate.FieldErrorf("shipment.customs", "DHL Express needs a customs declaration for an international shipment (contents \"documents\" for a non-dutiable one)")
	}
	if len(cu.Items) == 0 {
		return shipgate.FieldErrorf("shipment.customs.items", "DHL Express needs at least one line item for a dutiable shipment")
	}
	if len(cu.Items) > 999 {
		return shipgate.FieldErrorf("shipment.customs.items", "DHL Express takes at most 999 line items")
	}
	total, currency, ok := declaredValue(cu)
	if !ok {
		return shipgate.FieldErrorf("shipment.customs.items", "the line values must be in one currency")
	}
	r.Content.DeclaredValue, r.Content.DeclaredValueCurrency = &total, currency
	reason := exportReason(cu)
	ed := &exportDeclaration{ExportReasonType: reason, ShipmentType: "commercial"}
	if cu.Contents == "gift" {
		ed.ShipmentType = "personal"
	}
	for i, it := range cu.Items {
		field := fmt.Sprintf("shipment.customs.items[%d]", i)
		if it.Quantity < 1 {
			return shipgate.FieldErrorf(field+".quantity", "must be at least 1")
		}
		if len(it.OriginCountry) != 2 {
			return shipgate.FieldErrorf(field+".origin_country", "must be an ISO 3166-1 alpha-2 code")
		}
		li := lineItem{
			Number: i + 1, Description: strings.TrimSpace(it.Description),
			Price:               roundMoney(moneyFloat(it.Value) / float64(it.Quantity)),
			ExportReasonType:    reason,
			ManufacturerCountry: strings.ToUpper(it.OriginCountry),
		}
		if li.Description == "" {
			return shipgate.FieldErrorf(field+".description", "is required")
		}
		li.Quantity.Value, li.Quantity.UnitOfMeasurement = it.Quantity, "PCS"
		if hs := strings.ReplaceAll(strings.TrimSpace(it.HSCode), ".", ""); hs != "" {
			if len(hs) < 2 || len(hs) > 18 {
				return shipgate.FieldErrorf(field+".hs_code", "DHL Express needs 2 to 18 characters")
			}
			li.CommodityCodes = []commodityCode{{TypeCode: "outbound", Value: hs}}
		}
		kg := kilograms(it.Weight)
		li.Weight.NetValue, li.Weight.GrossValue = kg, kg
		ed.LineItems = append(ed.LineItems, li)
	}
	number := firstNonEmpty(strings.TrimSpace(cu.Invoice), ref)
	if number == "" {
		number = "INV-" + strings.ReplaceAll(date, "-", "")
	}
	ed.Invoice = invoice{Number: number, Date: date, SignatureName: strings.TrimSpace(cu.Signer)}
	if utf8.RuneCountInString(ed.Invoice.SignatureName) > 35 {
		return shipgate.FieldErrorf("shipment.customs.signer", "DHL Express accepts at most 35 characters")
	}
	r.Content.ExportDeclaration = ed
	if eei := strings.TrimSpace(cu.EEI); eei != "" {
		if len(eei) > 20 {
			return shipgate.FieldErrorf("shipment.customs.eei", "DHL Express accepts at most 20 characters (USFilingTypeValue)")
		}
		r.Content.USFilingTypeValue = eei
	}
	if ex := cu.Exporter; ex != nil {
		t, ok := registrationTypes[strings.ToUpper(strings.TrimSpace(ex.Type))]
		if !ok {
			return shipgate.FieldErrorf("shipment.customs.exporter.type", "%q is not a DHL Express registration type (EORI, VAT, EIN, ...)", ex.Type)
		}
		r.CustomerDetails.ShipperDetails.RegistrationNumbers = []registration{{TypeCode: t, Number: strings.TrimSpace(ex.Number), IssuerCountryCode: s.From.Country}}
	}
	return nil
}

// exportReason maps the customs export type, or the kind of contents, onto
// DHL's exportReasonType.
func exportReason(cu *shipgate.Customs) string {
	switch cu.ExportType {
	case "permanent", "temporary", "return":
		return cu.ExportType
	}
	switch cu.Contents {
	case "gift":
		return "gift"
	case "sample":
		return "sample"
	case "return_of_goods":
		return "return"
	}
	return "permanent"
}

// purchaseFrom turns DHL's answer into a Purchase with one label per parcel.
func purchaseFrom(r *shipmentResponse, req *carriers.PurchaseRequest, code string, format shipgate.LabelFormat) (*shipgate.Purchase, error) {
	awb := strings.TrimSpace(r.ShipmentTrackingNumber)
	if awb == "" {
		return nil, errUnexpected("DHL created a shipment without a shipmentTrackingNumber")
	}
	bought := func(what string, args ...any) error {
		return &shipgate.Error{
			Code:    shipgate.CodeCarrierUnavailable,
			Message: fmt.Sprintf("DHL Express created shipment %s but its answer cannot be used; an unused DHL label is not billed", awb),
			Err:     fmt.Errorf(what, args...),
		}
	}
	if len(r.Packages) != len(req.Shipment.Parcels) {
		return nil, bought("%d pieces in the answer for %d parcels", len(r.Packages), len(req.Shipment.Parcels))
	}
	docs, err := labelsFor(r, format)
	if err != nil {
		return nil, bought("%v", err)
	}
	p := &shipgate.Purchase{
		ShipmentID: awb, TrackingNumber: awb,
		Service: req.Service, CarrierServiceCode: code,
		EstimatedDelivery: dateOf(r.EstimatedDeliveryDate.EstimatedDeliveryDate),
	}
	for i, pk := range r.Packages {
		p.Parcels = append(p.Parcels, shipgate.ParcelLabel{TrackingNumber: pk.TrackingNumber, Document: docs[i]})
	}
	p.Total, p.Charges = shipmentCharges(r)
	return p, nil
}

// shipmentCharges returns the BILLC charge (or the first one) as the total,
// with its service breakdown as charges when the lines add up to it.
func shipmentCharges(r *shipmentResponse) (shipgate.Money, []shipgate.Charge) {
	pick := -1
	for i, ch := range r.ShipmentCharges {
		if ch.CurrencyType == "BILLC" {
			pick = i
			break
		}
		if pick < 0 {
			pick = i
		}
	}
	if pick < 0 {
		return shipgate.Money{}, nil
	}
	ch := r.ShipmentCharges[pick]
	total, err := shipgate.MoneyFromFloat(ch.Price, ch.PriceCurrency)
	if err != nil {
		return shipgate.Money{}, nil
	}
	var out []shipgate.Charge
	var sum shipgate.Money
	for i, b := range ch.ServiceBreakdown {
		if b.Price == 0 {
			continue
		}
		m, err := shipgate.MoneyFromFloat(b.Price, total.Currency)
		if err != nil {
			return total, nil
		}
		typ := "surcharge"
		if i == 0 {
			typ = "base"
		}
		if t := strings.ToUpper(b.Name); strings.Contains(t, "FUEL") {
			typ = "fuel"
		}
		out = append(out, shipgate.Charge{Type: typ, Name: b.Name, Amount: m})
		sum, _ = sum.Add(m)
	}
	if len(out) == 0 || sum != total {
		return total, nil
	}
	return total, out
}

// labelsFor returns one label document per package, in package order. DHL
// is asked to link label images to pieces (linkLabelsByPieces): it answers
// either with documents inside each package or with top-level documents that
// name their packageReferenceNumber. Failing that, label documents are paired
// with packages in order when there is one per package, and a single ZPL
// document holding one ^XA..^XZ label per piece is split. A single PDF for
// several pieces cannot be split here: the first parcel carries the whole
// document and the others carry none.
func labelsFor(r *shipmentResponse, want shipgate.LabelFormat) ([]shipgate.Document, error) {
	n := len(r.Packages)
	out := make([]shipgate.Document, n)
	found := 0
	byRef := map[int]int{}
	for i, pk := range r.Packages {
		byRef[int(pk.ReferenceNumber)] = i
		for _, d := range pk.Documents {
			if d.TypeCode != "label" || out[i].Data != nil {
				continue
			}
			doc, err := decodeDocument(d, want)
			if err != nil {
				return nil, err
			}
			out[i] = doc
			found++
		}
	}
	var loose []wireDocument
	for _, d := range r.Documents {
		if d.TypeCode != "label" {
			continue
		}
		if i, ok := byRef[int(d.PackageReferenceNumber)]; ok && d.PackageReferenceNumber > 0 {
			if out[i].Data == nil {
				doc, err := decodeDocument(d, want)
				if err != nil {
					return nil, err
				}
				out[i] = doc
				found++
			}
			continue
		}
		loose = append(loose, d)
	}
	if found == n {
		return out, nil
	}
	if found > 0 || len(loose) == 0 {
		return nil, fmt.Errorf("labels for %d of %d pieces", found, n)
	}
	if len(loose) == n {
		for i, d := range loose {
			doc, err := decodeDocument(d, want)
			if err != nil {
				return nil, err
			}
			out[i] = doc
		}
		return out, nil
	}
	doc, err := decodeDocument(loose[0], want)
	if err != nil {
		return nil, err
	}
	if doc.Format == shipgate.FormatZPL {
		if parts := splitZPL(doc.Data); len(parts) == n {
			for i, p := range parts {
				out[i] = shipgate.Document{Format: doc.Format, Size: doc.Size, Data: p}
			}
			return out, nil
		}
	}
	out[0] = doc
	for i := 1; i < n; i++ {
		out[i] = shipgate.Document{Format: doc.Format, Size: doc.Size}
	}
	return out, nil
}

// decodeDocument decodes one base64 document; its format comes from DHL's
// imageFormat, or the requested format when DHL left it out.
func decodeDocument(d wireDocument, want shipgate.LabelFormat) (shipgate.Document, error) {
	format := want
	switch f := strings.ToLower(strings.TrimSpace(d.ImageFormat)); {
	case f == "pdf":
		format = shipgate.FormatPDF
	case strings.HasPrefix(f, "zpl"):
		format = shipgate.FormatZPL
	case f != "":
		format = shipgate.LabelFormat(f)
	}
	clean := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, d.Content)
	data, err := base64.StdEncoding.DecodeString(clean)
	if err != nil {
		// Be lenient with missing padding, as some of the spec's own examples are.
		data, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(clean, "="))
	}
	if err != nil || len(data) == 0 {
		return shipgate.Document{}, fmt.Errorf("label document is not base64: %v", err)
	}
	return shipgate.Document{Format: format, Size: labelSize, Data: data}, nil
}

// splitZPL splits a ZPL stream into its ^XA...^XZ labels.
func splitZPL(b []byte) [][]byte {
	s := string(b)
	var out [][]byte
	for {
		start := strings.Index(s, "^XA")
		if start < 0 {
			return out
		}
		end := strings.Index(s[start:], "^XZ")
		if end < 0 {
			return out
		}
		end += start + len("^XZ")
		out = append(out, []byte(s[start:end]))
		s = s[end:]
	}
}
