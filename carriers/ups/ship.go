package ups

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/internal/carrierhttp"
)

// Purchase buys one label per parcel through UPS Shipping (ship, v2409).
// Labels come as ZPL on 4x6 stock when req.Format is zpl, and as GIF
// (Document.Format gif) for pdf and png: UPS offers no PDF or PNG at ship
// time, and the labels service converts GIF. The answer carries UPS's
// ShipmentIdentificationNumber (needed to void), one 1Z tracking number per
// parcel and the billed charges (negotiated when the account has the
// negotiated_rates option and UPS returns them).
//
// UPS has no idempotency header: the call is never retried, and
// req.IdempotencyKey goes into TransactionReference.CustomerContext, which
// UPS echoes and keeps, so that an operator can find the shipment of an
// in-doubt purchase. International shipments with customs items get a
// commercial invoice (InternationalForms, form 01, one Product per item).
//
// Errors: invalid_request (a field is named), unsupported (an unknown service
// name), carrier_rejected when UPS refuses the shipment (UPS's code kept),
// carrier_unavailable, carrier_timeout or rate_limited when UPS fails; after
// a timeout the label may have been bought.
func (c *Client) Purchase(ctx context.Context, req *carriers.PurchaseRequest) (*shipgate.Purchase, error) {
	svc, ok := serviceByName[strings.ToLower(strings.TrimSpace(req.Service))]
	if !ok {
		return nil, shipgate.Errorf(shipgate.CodeUnsupported, "UPS has no service %q; see the account's services", req.Service)
	}
	env, err := c.shipRequest(req, svc)
	if err != nil {
		return nil, err
	}
	var out shipResponseEnvelope
	if _, err := c.call(ctx, &carrierhttp.Request{
		Op: carriers.OpLabels, Method: http.MethodPost, Path: "/shipments/" + ShippingVersion + "/ship",
		Body: env, Idempotent: false,
	}, &out); err != nil {
		return nil, err
	}
	return c.purchase(&out, svc, len(req.Shipment.Parcels))
}

// labelSpec asks for ZPL on 4x6 stock for zpl, GIF for everything else.
func labelSpec(f shipgate.LabelFormat) labelSpecificationWire {
	if f == shipgate.FormatZPL {
		return labelSpecificationWire{LabelImageFormat: codeDesc{Code: "ZPL", Description: "ZPL"}, LabelStockSize: labelStockSizeWire{Height: "6", Width: "4"}}
	}
	return labelSpecificationWire{
		LabelImageFormat: codeDesc{Code: "GIF", Description: "GIF"}, HTTPUserAgent: "Mozilla/4.5",
		LabelStockSize: labelStockSizeWire{Height: "6", Width: "4"},
	}
}

func (c *Client) shipRequest(req *carriers.PurchaseRequest, svc shipgate.Service) (shipEnvelope, error) {
	s := &req.Shipment
	if err := checkShipment(s); err != nil {
		return shipEnvelope{}, err
	}
	u := unitsFor(s.From.Country)
	ms, err := measures(s, u)
	if err != nil {
		return shipEnvelope{}, err
	}
	from, to := shipParty(s.From), shipParty(s.To)
	if s.To.Residential {
		to.Address.ResidentialAddressIndicator = "Y"
	}
	sh := shipShipment{
		Shipper: from, ShipTo: to,
		PaymentInformation: shipPaymentInformation{ShipmentCharge: []shipmentChargeWire{
			{Type: "01", BillShipper: &billShipperWire{AccountNumber: c.account}},
		}},
		Service:                codeDesc{Code: svc.CarrierCode, Description: svc.Name},
		ShipmentServiceOptions: shipmentOptions(s),
	}
	sh.Shipper.ShipperNumber = c.account
	if req.IsReturn {
		// A return label: the account holder (the merchant, s.To) is the
		// shipper and pays; the package comes from s.From.
		sh.ReturnService = &codeDesc{Code: "9", Description: "UPS Print Return Label"}
		sh.Shipper = shipParty(s.To)
		sh.Shipper.ShipperNumber = c.account
		sh.ShipFrom = &from
	}
	if c.negotiated {
		sh.ShipmentRatingOptions = &ratingOptionsWire{NegotiatedRatesIndicator: "Y"}
	}
	ref := clip(firstNonEmpty(req.Reference, s.Reference), maxReference)
	domesticUS := !s.International() && strings.EqualFold(s.From.Country, "US")
	for i, m := range ms {
		p := shipPackage{
			Packaging: codeDesc{Code: "02", Description: "Customer Supplied Package"}, Dimensions: m.dims, PackageWeight: m.weight,
			PackageServiceOptions: packageOptions(s, i, len(ms)),
		}
		if r := clip(s.Parcels[i].Reference, maxReference); r != "" && domesticUS {
			p.ReferenceNumber = []referenceNumberWire{{Value: r}}
		} else if ref != "" && domesticUS {
			p.ReferenceNumber = []referenceNumberWire{{Value: ref}}
		}
		if req.IsReturn {
			p.Description = clip(firstNonEmpty(description(s), "Return"), maxDescription)
		}
		sh.Package = append(sh.Package, p)
	}
	if s.International() {
		if err := c.international(&sh, s); err != nil {
			return shipEnvelope{}, err
		}
	} else if ref != "" {
		sh.Description = ref
	}
	if req.IsReturn && sh.Description == "" {
		sh.Description = clip(firstNonEmpty(description(s), "Return"), maxDescription)
	}
	env := shipEnvelope{ShipmentRequest: shipRequest{
		Request:            shipRequestHeader{RequestOption: "nonvalidate"},
		Shipment:           sh,
		LabelSpecification: labelSpec(req.Format),
	}}
	if k := clip(req.IdempotencyKey, 512); k != "" {
		env.ShipmentRequest.Request.TransactionReference = &transactionReference{CustomerContext: k}
	}
	return env, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// description is what the shipment contains, for UPS's Description.
func description(s *shipgate.Shipment) string {
	if s.Customs == nil {
		return ""
	}
	if d := strings.TrimSpace(s.Customs.Description); d != "" {
		return d
	}
	for _, it := range s.Customs.Items {
		if d := strings.TrimSpace(it.Description); d != "" {
			return d
		}
	}
	return ""
}

// shipParty converts an address to a Shipping party (name, attention name,
// phone, e-mail, address).
func shipParty(a shipgate.Address) shipPartyWire {
	name, attn := names(a)
	p := shipPartyWire{Name: name, AttentionName: attn, Address: upsAddress(a, 5), EMailAddress: clip(a.Email, maxEmail)}
	if ph := upsPhone(a.Phone); ph != "" {
		p.Phone = &phoneWire{Number: ph}
	}
	return p
}

// reasons maps shipgate's customs contents to UPS's ReasonForExport.
var reasons = map[string]string{
	"merchandise": "SALE", "gift": "GIFT", "sample": "SAMPLE", "return_of_goods": "RETURN",
	"documents": "SALE", "other": "SALE",
}

// international adds what UPS requires across a border: a description of the
// goods, InvoiceLineTotal, duties billed to the shipper for DDP, the
// exporter's tax id, and a commercial invoice when there are customs items.
func (c *Client) international(sh *shipShipment, s *shipgate.Shipment) error {
	if sh.Shipper.Phone == nil || len(sh.Shipper.Phone.Number) < 10 {
		return shipgate.FieldErrorf("shipment.from.phone", "UPS needs the shipper's phone number (at least 10 digits) for international shipments")
	}
	desc := firstNonEmpty(description(s), s.Reference, "Merchandise")
	sh.Description = clip(desc, maxDescription)
	v, ok, err := customsValue(s)
	if err != nil {
		return err
	}
	if ok {
		sh.InvoiceLineTotal = &moneyWire{CurrencyCode: v.Currency, MonetaryValue: wholeUnits(v)}
	}
	cu := s.Customs
	if cu == nil {
		return nil
	}
	if cu.Incoterm == "DDP" {
		sh.PaymentInformation.ShipmentCharge = append(sh.PaymentInformation.ShipmentCharge,
			shipmentChargeWire{Type: "02", BillShipper: &billShipperWire{AccountNumber: c.account}})
	}
	if cu.Exporter != nil {
		sh.Shipper.TaxIdentificationNumber = clip(cu.Exporter.Number, maxTaxID)
	}
	if len(cu.Items) == 0 {
		return nil
	}
	u := unitsFor(s.From.Country)
	name, attn := names(s.To)
	forms := &internationalFormsWire{
		FormType:        []string{"01"},
		InvoiceNumber:   clip(firstNonEmpty(cu.Invoice, s.Reference), 35),
		InvoiceDate:     pickupDate(s, c.now()),
		ReasonForExport: reasons[cu.Contents],
		CurrencyCode:    v.Currency,
		Contacts: &formContactsWire{SoldTo: &soldToWire{
			Name: name, AttentionName: attn, Address: upsAddress(s.To, 5), EMailAddress: clip(s.To.Email, maxEmail),
		}},
	}
	if ph := upsPhone(s.To.Phone); ph != "" {
		forms.Contacts.SoldTo.Phone = &phoneWire{Number: ph}
	}
	if len(cu.Incoterm) == 3 {
		forms.TermsOfShipment = cu.Incoterm
	}
	for i, it := range cu.Items {
		if it.Quantity < 1 {
			return shipgate.FieldErrorf(fmt.Sprintf("shipment.customs.items[%d].quantity", i), "must be at least 1")
		}
		unit := shipgate.Money{Amount: it.Value.Amount / int64(it.Quantity), Currency: it.Value.Currency}
		pr := productWire{
			Description:       []string{clip(it.Description, 35)},
			Unit:              productUnitWire{Number: fmt.Sprint(it.Quantity), UnitOfMeasurement: codeDesc{Code: "PCS"}, Value: unit.Decimal()},
			CommodityCode:     clip(it.HSCode, 15),
			PartNumber:        clip(it.SKU, 35),
			OriginCountryCode: strings.ToUpper(it.OriginCountry),
		}
		if len(pr.CommodityCode) < 6 {
			pr.CommodityCode = ""
		}
		if w, ok := upsWeight(it.Weight, u.weight); ok {
			pr.ProductWeight = &weightWire{UnitOfMeasurement: u.weightCode, Weight: w}
		}
		forms.Product = append(forms.Product, pr)
	}
	if sh.ShipmentServiceOptions == nil {
		sh.ShipmentServiceOptions = &shipmentServiceOptionsWire{}
	}
	sh.ShipmentServiceOptions.InternationalForms = forms
	return nil
}

// purchase converts Shipping's answer.
func (c *Client) purchase(out *shipResponseEnvelope, svc shipgate.Service, parcels int) (*shipgate.Purchase, error) {
	res := &out.ShipmentResponse.ShipmentResults
	unreadable := func(why string) error {
		return &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "UPS sold a label but its answer cannot be read: " + why}
	}
	p := &shipgate.Purchase{
		ShipmentID: strings.TrimSpace(res.ShipmentIdentificationNumber.String()),
		Service:    svc.Code, CarrierServiceCode: svc.CarrierCode,
	}
	for i, pr := range res.PackageResults {
		tn := strings.TrimSpace(pr.TrackingNumber.String())
		if tn == "" || pr.ShippingLabel == nil {
			return nil, unreadable(fmt.Sprintf("package %d has no tracking number or label", i+1))
		}
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(pr.ShippingLabel.GraphicImage.String()))
		if err != nil || len(data) == 0 {
			return nil, unreadable(fmt.Sprintf("package %d's label is not base64", i+1))
		}
		var f shipgate.LabelFormat
		switch strings.ToUpper(strings.TrimSpace(pr.ShippingLabel.ImageFormat.Code.String())) {
		case "ZPL":
			f = shipgate.FormatZPL
		case "GIF":
			f = shipgate.FormatGIF
		case "PNG":
			f = shipgate.FormatPNG
		case "PDF":
			f = shipgate.FormatPDF
		default:
			return nil, unreadable(fmt.Sprintf("package %d's label is in format %q", i+1, pr.ShippingLabel.ImageFormat.Code))
		}
		p.Parcels = append(p.Parcels, shipgate.ParcelLabel{TrackingNumber: tn, Document: shipgate.Document{Format: f, Size: "4x6", Data: data}})
	}
	if len(p.Parcels) != parcels {
		return nil, unreadable(fmt.Sprintf("%d labels for %d parcels", len(p.Parcels), parcels))
	}
	p.TrackingNumber = p.Parcels[0].TrackingNumber
	if p.ShipmentID == "" {
		p.ShipmentID = p.TrackingNumber
	}
	if ch := res.ShipmentCharges; ch != nil {
		total, lines, ok := c.charges(ch.TotalCharges, ch.TransportationCharges, ch.BaseServiceCharge, ch.ItemizedCharges, ch.ServiceOptionsCharges, res.NegotiatedRateCharges)
		if ok {
			p.Total, p.Charges = total, lines
		}
	}
	if p.Total.Currency == "" {
		return nil, unreadable("no charges")
	}
	return p, nil
}
