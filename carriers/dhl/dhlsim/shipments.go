package dhlsim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/document"
)

// shipmentRequest is the part of supermodelIoLogisticsExpressCreateShipmentRequest
// the simulator reads.
type shipmentRequest struct {
	PlannedShippingDateAndTime *string `json:"plannedShippingDateAndTime"`
	Pickup                     *struct {
		IsRequested *bool `json:"isRequested"`
	} `json:"pickup"`
	ProductCode           *string      `json:"productCode"`
	GetRateEstimates      bool         `json:"getRateEstimates"`
	Accounts              []accountRef `json:"accounts"`
	ValueAddedServices    []vasRequest `json:"valueAddedServices"`
	OutputImageProperties *struct {
		PrinterDPI     float64 `json:"printerDPI"`
		EncodingFormat string  `json:"encodingFormat"`
		ImageOptions   []struct {
			TypeCode    string `json:"typeCode"`
			IsRequested *bool  `json:"isRequested"`
		} `json:"imageOptions"`
	} `json:"outputImageProperties"`
	CustomerReferences []struct {
		Value string `json:"value"`
	} `json:"customerReferences"`
	CustomerDetails *struct {
		ShipperDetails  *partyRequest `json:"shipperDetails"`
		ReceiverDetails *partyRequest `json:"receiverDetails"`
	} `json:"customerDetails"`
	Content               *contentRequest `json:"content"`
	EstimatedDeliveryDate *struct {
		IsRequested *bool  `json:"isRequested"`
		TypeCode    string `json:"typeCode"`
	} `json:"estimatedDeliveryDate"`
	GetAdditionalInformation []struct {
		TypeCode    string `json:"typeCode"`
		IsRequested bool   `json:"isRequested"`
	} `json:"getAdditionalInformation"`
}

type partyRequest struct {
	PostalAddress      *address `json:"postalAddress"`
	ContactInformation *struct {
		Phone       *string `json:"phone"`
		CompanyName *string `json:"companyName"`
		FullName    *string `json:"fullName"`
	} `json:"contactInformation"`
}

type contentRequest struct {
	Packages              []packageReq `json:"packages"`
	IsCustomsDeclarable   *bool        `json:"isCustomsDeclarable"`
	DeclaredValue         *float64     `json:"declaredValue"`
	DeclaredValueCurrency string       `json:"declaredValueCurrency"`
	ExportDeclaration     *struct {
		LineItems []struct {
			Number      *float64 `json:"number"`
			Description *string  `json:"description"`
			Price       *float64 `json:"price"`
			Quantity    *struct {
				Value             *float64 `json:"value"`
				UnitOfMeasurement *string  `json:"unitOfMeasurement"`
			} `json:"quantity"`
			ManufacturerCountry *string         `json:"manufacturerCountry"`
			Weight              *map[string]any `json:"weight"`
		} `json:"lineItems"`
		Invoice *struct {
			Number *string `json:"number"`
			Date   *string `json:"date"`
		} `json:"invoice"`
	} `json:"exportDeclaration"`
	Description       *string `json:"description"`
	Incoterm          *string `json:"incoterm"`
	UnitOfMeasurement *string `json:"unitOfMeasurement"`
}

// shipment is what the simulator remembers of a created shipment.
type shipment struct {
	awb      string
	created  time.Time
	product  simProduct
	lane     lane
	from, to *address
	pieces   []string
	kg       float64
	delivery time.Time
}

// check validates a create-shipment request the way DHL's schema does, for
// the keys DHL requires.
func (req *shipmentRequest) check() problems {
	var p problems
	p.required("", "plannedShippingDateAndTime", req.PlannedShippingDateAndTime == nil)
	p.required("", "pickup", req.Pickup == nil)
	if req.Pickup != nil {
		p.required("/pickup", "isRequested", req.Pickup.IsRequested == nil)
	}
	p.required("", "productCode", req.ProductCode == nil)
	if req.ProductCode != nil && (len(*req.ProductCode) < 1 || len(*req.ProductCode) > 6) {
		p.add("#/productCode: expected minLength: 1, actual: %d", len(*req.ProductCode))
	}
	if len(req.Accounts) == 0 {
		p.add("#/accounts: expected minimum item count: 1, found: 0")
	}
	p.required("", "customerDetails", req.CustomerDetails == nil)
	if cd := req.CustomerDetails; cd != nil {
		for _, pt := range []struct {
			name string
			v    *partyRequest
		}{{"shipperDetails", cd.ShipperDetails}, {"receiverDetails", cd.ReceiverDetails}} {
			path := "/customerDetails/" + pt.name
			p.required("/customerDetails", pt.name, pt.v == nil)
			if pt.v == nil {
				continue
			}
			p.required(path, "postalAddress", pt.v.PostalAddress == nil)
			if pt.v.PostalAddress != nil {
				p.checkAddress(path+"/postalAddress", pt.v.PostalAddress, true)
			}
			p.required(path, "contactInformation", pt.v.ContactInformation == nil)
			if ci := pt.v.ContactInformation; ci != nil {
				p.required(path+"/contactInformation", "phone", ci.Phone == nil || *ci.Phone == "")
				p.required(path+"/contactInformation", "companyName", ci.CompanyName == nil || *ci.CompanyName == "")
				p.required(path+"/contactInformation", "fullName", ci.FullName == nil || *ci.FullName == "")
			}
		}
	}
	p.required("", "content", req.Content == nil)
	c := req.Content
	if c == nil {
		return p
	}
	p.checkPackages("/content/packages", c.Packages)
	p.required("/content", "isCustomsDeclarable", c.IsCustomsDeclarable == nil)
	p.required("/content", "description", c.Description == nil || strings.TrimSpace(*c.Description) == "")
	p.required("/content", "incoterm", c.Incoterm == nil)
	p.required("/content", "unitOfMeasurement", c.UnitOfMeasurement == nil)
	if u := c.UnitOfMeasurement; u != nil && *u != "metric" && *u != "imperial" {
		p.add("#/content/unitOfMeasurement: %s is not a valid enum value", *u)
	}
	if c.IsCustomsDeclarable != nil && *c.IsCustomsDeclarable {
		p.required("/content", "declaredValue", c.DeclaredValue == nil)
		p.required("/content", "declaredValueCurrency", c.DeclaredValueCurrency == "")
		p.required("/content", "exportDeclaration", c.ExportDeclaration == nil)
		if ed := c.ExportDeclaration; ed != nil {
			if len(ed.LineItems) == 0 {
				p.add("#/content/exportDeclaration/lineItems: expected minimum item count: 1, found: 0")
			}
			for i, li := range ed.LineItems {
				path := fmt.Sprintf("/content/exportDeclaration/lineItems/%d", i)
				p.required(path, "number", li.Number == nil)
				p.required(path, "description", li.Description == nil || *li.Description == "")
				p.required(path, "price", li.Price == nil)
				p.required(path, "quantity", li.Quantity == nil)
				if li.Quantity != nil {
					p.required(path+"/quantity", "value", li.Quantity.Value == nil)
					p.required(path+"/quantity", "unitOfMeasurement", li.Quantity.UnitOfMeasurement == nil)
				}
				p.required(path, "manufacturerCountry", li.ManufacturerCountry == nil)
				p.required(path, "weight", li.Weight == nil)
			}
			p.required("/content/exportDeclaration", "invoice", ed.Invoice == nil)
			if inv := ed.Invoice; inv != nil {
				p.required("/content/exportDeclaration/invoice", "number", inv.Number == nil || *inv.Number == "")
				p.required("/content/exportDeclaration/invoice", "date", inv.Date == nil || *inv.Date == "")
			}
		}
	}
	return p
}

// createShipment answers POST /shipments with 201, a waybill, piece IDs and labels.
func (s *Server) createShipment(w http.ResponseWriter, r *http.Request) {
	var req shipmentRequest
	if !decode(w, r, &req) {
		return
	}
	if p := req.check(); len(p) > 0 {
		invalid(w, r, p)
		return
	}
	if !s.checkAccount(w, r, req.Accounts, true) {
		return
	}
	ship, ok := s.checkPlanned(w, r, *req.PlannedShippingDateAndTime)
	if !ok {
		return
	}
	from, to := req.CustomerDetails.ShipperDetails.PostalAddress, req.CustomerDetails.ReceiverDetails.PostalAddress
	if !checkPostal(w, r, "shipperDetails", from) || !checkPostal(w, r, "receiverDetails", to) {
		return
	}
	c := req.Content
	l := newLane(from.country(), to.country(), from.city(), to.city(), *c.IsCustomsDeclarable)
	code := *req.ProductCode
	if !l.allows(code) {
		badRequest(w, r, fmt.Sprintf("The requested product code '%s' is not available between this origin and destination for this content. Please validate the products and services combination (via the /rates or /products service)", code))
		return
	}
	format := shipgate.FormatPDF
	if o := req.OutputImageProperties; o != nil {
		switch o.EncodingFormat {
		case "", "pdf":
		case "zpl":
			format = shipgate.FormatZPL
		default:
			badRequest(w, r, fmt.Sprintf("Parameters not having correct format: encodingFormat '%s' (the simulator renders pdf and zpl)", o.EncodingFormat))
			return
		}
	}
	imperial := *c.UnitOfMeasurement == "imperial"
	pcs := piecesOf(c.Packages, imperial)
	q := price(code, l, pcs, ship, req.ValueAddedServices)

	sh := s.newShipment(q, l, from, to, len(pcs), ship)
	docs, err := labels(&req, sh, q, ship, format, pcs)
	if err != nil {
		writeProblem(w, r, http.StatusInternalServerError, problem{Title: "Internal Server Error", Message: "Internal Server Error", Detail: "999: Process failure occurred. " + err.Error()})
		return
	}
	s.mu.Lock()
	s.shipments[sh.awb] = sh
	for _, id := range sh.pieces {
		s.pieces[id] = sh.awb
	}
	s.mu.Unlock()

	out := shipmentAnswer{
		ShipmentTrackingNumber: sh.awb,
		TrackingURL:            trackingURL(sh.awb),
		Documents:              docs,
	}
	for i, id := range sh.pieces {
		ref := float64(i + 1)
		if rn := c.Packages[i].ReferenceNumber; rn != nil {
			ref = *rn
		}
		out.Packages = append(out.Packages, packageAnswer{ReferenceNumber: ref, TrackingNumber: id, TrackingURL: trackingURL(sh.awb) + "?pieceTrackingNumber=" + id})
	}
	if req.GetRateEstimates {
		ch := shipmentCharge{CurrencyType: "BILLC", PriceCurrency: q.currency, Price: amount(q.total, q.currency)}
		for _, b := range breakdownOf(q) {
			ch.ServiceBreakdown = append(ch.ServiceBreakdown, serviceLine{Name: b.Name, Price: b.Price, TypeCode: b.ServiceCode})
		}
		out.ShipmentCharges = []shipmentCharge{ch}
	}
	if e := req.EstimatedDeliveryDate; e != nil && e.IsRequested != nil && *e.IsRequested {
		typ := e.TypeCode
		if typ == "" {
			typ = "QDDF"
		}
		out.EstimatedDeliveryDate = &eddAnswer{EstimatedDeliveryDate: q.delivery.UTC().Format("2006-01-02T15:04:05Z"), EstimatedDeliveryType: typ}
	}
	w.Header().Set("Location", "/shipments/"+sh.awb)
	writeJSON(w, http.StatusCreated, out)
}

// newShipment assigns the next waybill (nine digits and a mod-7 check digit,
// as DHL Express waybills have) and one JD01 piece ID per package.
func (s *Server) newShipment(q quote, l lane, from, to *address, n int, ship time.Time) *shipment {
	s.mu.Lock()
	s.seq++
	seq := s.seq
	s.mu.Unlock()
	base := 537453400 + seq
	sh := &shipment{
		awb: fmt.Sprintf("%09d%d", base, base%7), created: s.now(), product: q.product, lane: l,
		from: from, to: to, kg: q.kg, delivery: q.delivery,
	}
	for i := range n {
		sh.pieces = append(sh.pieces, fmt.Sprintf("JD0146%014d", base*1000+int64(i)+1))
	}
	return sh
}

func trackingURL(awb string) string {
	return "https://expressapi.dhl.com/mydhlapi/shipments/" + awb + "/tracking"
}

// labels renders the documents: one label per piece tied to its package
// when linkLabelsByPieces is asked for (as in the spec's example), else one
// label document for all pieces (ZPL labels one after the other, PDF pages
// merged); a waybill document and an invoice when the image options ask.
func labels(req *shipmentRequest, sh *shipment, q quote, ship time.Time, f shipgate.LabelFormat, pcs []piece) ([]documentAnswer, error) {
	linked := false
	for _, ai := range req.GetAdditionalInformation {
		if ai.TypeCode == "linkLabelsByPieces" && ai.IsRequested {
			linked = true
		}
	}
	imageFormat := strings.ToUpper(string(f))
	ref := ""
	if len(req.CustomerReferences) > 0 {
		ref = req.CustomerReferences[0].Value
	}
	var per [][]byte
	for i, id := range sh.pieces {
		b, err := document.Render(labelData(sh, q, ship, i, pcs[i], id, ref), f)
		if err != nil {
			return nil, err
		}
		per = append(per, b)
	}
	var out []documentAnswer
	if linked {
		for i, b := range per {
			ref := float64(i + 1)
			if rn := req.Content.Packages[i].ReferenceNumber; rn != nil {
				ref = *rn
			}
			out = append(out, documentAnswer{ImageFormat: imageFormat, Content: base64.StdEncoding.EncodeToString(b), TypeCode: "label", PackageReferenceNumber: ref})
		}
	} else {
		var all []byte
		if f == shipgate.FormatPDF && len(per) > 1 {
			merged, err := document.MergePDF(per)
			if err != nil {
				return nil, err
			}
			all = merged
		} else {
			for _, b := range per {
				all = append(all, b...)
			}
		}
		out = append(out, documentAnswer{ImageFormat: imageFormat, Content: base64.StdEncoding.EncodeToString(all), TypeCode: "label"})
	}
	if o := req.OutputImageProperties; o != nil {
		for _, opt := range o.ImageOptions {
			if opt.IsRequested == nil || !*opt.IsRequested {
				continue
			}
			switch opt.TypeCode {
			case "waybillDoc":
				out = append(out, documentAnswer{ImageFormat: imageFormat, Content: base64.StdEncoding.EncodeToString(per[0]), TypeCode: "waybillDoc"})
			case "invoice":
				b := per[0]
				if f != shipgate.FormatPDF {
					var err error
					if b, err = document.Render(labelData(sh, q, ship, 0, pcs[0], sh.pieces[0], "COMMERCIAL INVOICE"), shipgate.FormatPDF); err != nil {
						return nil, err
					}
				}
				out = append(out, documentAnswer{ImageFormat: "PDF", Content: base64.StdEncoding.EncodeToString(b), TypeCode: "invoice"})
			}
		}
	}
	return out, nil
}

// labelData is what the simulator prints on piece i: the waybill as the
// barcode, the piece ID and reference at the bottom, the destination service
// area as the routing code.
func labelData(sh *shipment, q quote, ship time.Time, i int, pc piece, id, ref string) document.LabelData {
	bottom := "PIECE " + id
	if ref != "" {
		bottom += "  REF " + ref
	}
	return document.LabelData{
		Carrier: "DHL", Service: "DHL " + q.product.name,
		From:           labelAddress(sh.from),
		To:             labelAddress(sh.to),
		TrackingNumber: sh.awb,
		Weight:         shipgate.Weight{Value: round3(pc.kg), Unit: shipgate.Kilogram},
		Reference:      bottom,
		ShipDate:       ship,
		Parcel:         i + 1, Parcels: len(sh.pieces),
		Routing: sh.lane.to + "-" + q.dest + " " + q.product.code,
	}
}

func labelAddress(a *address) shipgate.Address {
	return shipgate.Address{
		Street1: deref(a.AddressLine1), Street2: a.AddressLine2, City: a.city(),
		State: a.ProvinceCode, PostalCode: a.postal(), Country: a.country(),
	}
}

// shipmentAnswer is supermodelIoLogisticsExpressCreateShipmentResponse.
type shipmentAnswer struct {
	ShipmentTrackingNumber string           `json:"shipmentTrackingNumber"`
	TrackingURL            string           `json:"trackingUrl"`
	Packages               []packageAnswer  `json:"packages"`
	Documents              []documentAnswer `json:"documents"`
	ShipmentCharges        []shipmentCharge `json:"shipmentCharges,omitempty"`
	EstimatedDeliveryDate  *eddAnswer       `json:"estimatedDeliveryDate,omitempty"`
}

type packageAnswer struct {
	ReferenceNumber float64 `json:"referenceNumber"`
	TrackingNumber  string  `json:"trackingNumber"`
	TrackingURL     string  `json:"trackingUrl"`
}

type documentAnswer struct {
	ImageFormat            string  `json:"imageFormat"`
	Content                string  `json:"content"`
	TypeCode               string  `json:"typeCode"`
	PackageReferenceNumber float64 `json:"packageReferenceNumber,omitempty"`
}

type shipmentCharge struct {
	CurrencyType     string        `json:"currencyType"`
	PriceCurrency    string        `json:"priceCurrency"`
	Price            float64       `json:"price"`
	ServiceBreakdown []serviceLine `json:"serviceBreakdown"`
}

type serviceLine struct {
	Name     string  `json:"name"`
	Price    float64 `json:"price"`
	TypeCode string  `json:"typeCode,omitempty"`
}

type eddAnswer struct {
	EstimatedDeliveryDate string `json:"estimatedDeliveryDate"`
	EstimatedDeliveryType string `json:"estimatedDeliveryType"`
}
