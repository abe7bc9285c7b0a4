package dhl

import (
	"strings"

	"github.com/shipgate/shipgate"
)

// product is one DHL Express product family under one stable shipgate service
// name. DHL gives a family several global product codes: one for documents
// (non-dutiable), one for goods (dutiable, "NONDOC") and, for some, one for
// lanes inside the European Union. Rates answer with the code DHL chose; a
// purchase picks the code that fits the shipment (see productCode).
//
// Sources: the spec's reference-data example (dataset productCode: 1, 7, A,
// B, C, D, G, I, K, L, N, O, R, T, U, W, X with their names and doc/non-doc
// indicators), its rate and shipment examples (P "EXPRESS WORLDWIDE NONDOC",
// B, I), and DHL Express's published global product code list for the
// non-document twins (E, H, M, Q, Y, 8).
type product struct {
	service string
	name    string
	// doc is the code for documents, nonDoc the code for dutiable goods and
	// eu the code for shipments inside the EU customs union; "" when DHL has none.
	doc, nonDoc, eu string
	domestic        bool
}

var products = []product{
	{service: "dhl_express_worldwide", name: "DHL Express Worldwide", doc: "D", nonDoc: "P", eu: "U"},
	{service: "dhl_express_1200", name: "DHL Express 12:00", doc: "T", nonDoc: "Y"},
	{service: "dhl_express_1030", name: "DHL Express 10:30", doc: "L", nonDoc: "M"},
	{service: "dhl_express_900", name: "DHL Express 9:00", doc: "K", nonDoc: "E"},
	{service: "dhl_economy_select", name: "DHL Economy Select", doc: "W", nonDoc: "H", eu: "W"},
	{service: "dhl_express_easy", name: "DHL Express Easy", doc: "7", nonDoc: "8"},
	{service: "dhl_express_envelope", name: "DHL Express Envelope", doc: "X"},
	{service: "dhl_medical_express", name: "DHL Medical Express", doc: "C", nonDoc: "Q"},
	{service: "dhl_express_breakbulk", name: "DHL Express Breakbulk", doc: "B", nonDoc: "B"},
	{service: "dhl_economy_breakbulk", name: "DHL Economy Breakbulk", doc: "A", nonDoc: "A"},
	{service: "dhl_globalmail", name: "DHL GlobalMail", doc: "R", nonDoc: "R"},
	{service: "dhl_express_domestic", name: "DHL Express Domestic", doc: "N", nonDoc: "N", domestic: true},
	{service: "dhl_express_domestic_1200", name: "DHL Express Domestic 12:00", doc: "1", nonDoc: "1", domestic: true},
	{service: "dhl_express_domestic_1030", name: "DHL Express Domestic 10:30", doc: "O", nonDoc: "O", domestic: true},
	{service: "dhl_express_domestic_900", name: "DHL Express Domestic 9:00", doc: "I", nonDoc: "I", domestic: true},
	{service: "dhl_economy_select_domestic", name: "DHL Economy Select Domestic", doc: "G", nonDoc: "G", domestic: true},
}

// unknownPrefix names a product DHL quoted that the table does not know:
// "dhl_product_" + DHL's code. Buying such a service sends the code as it is.
const unknownPrefix = "dhl_product_"

// byService and byCode index the table by stable name and by every DHL code.
var byService, byCode = indexProducts()

func indexProducts() (map[string]*product, map[string]*product) {
	bs, bc := map[string]*product{}, map[string]*product{}
	for i := range products {
		p := &products[i]
		bs[p.service] = p
		for _, c := range []string{p.doc, p.nonDoc, p.eu} {
			if c != "" {
				bc[c] = p
			}
		}
	}
	return bs, bc
}

// primaryCode is the code shown in the service list: the goods code for
// international products, else the documents code.
func (p *product) primaryCode() string {
	if p.nonDoc != "" {
		return p.nonDoc
	}
	return p.doc
}

// serviceForCode returns the stable service name and human name of a DHL
// global product code; productName is DHL's own name, used for unknown codes.
func serviceForCode(code, productName string) (service, name string) {
	if p, ok := byCode[code]; ok {
		return p.service, p.name
	}
	name = strings.TrimSpace(productName)
	if name == "" {
		name = "DHL product " + code
	} else {
		name = "DHL " + name
	}
	return unknownPrefix + code, name
}

// productCode returns the DHL global product code to buy service for a
// shipment: the domestic product on a domestic lane, the EU code inside the
// EU when DHL has one, the documents code for a non-dutiable shipment and the
// goods code for a dutiable one. A service that does not fit the lane is an
// invalid_request naming the service.
func productCode(service string, domestic, dutiable, intraEU bool) (string, error) {
	if code, ok := strings.CutPrefix(service, unknownPrefix); ok && code != "" && len(code) <= 6 {
		return code, nil
	}
	p, ok := byService[service]
	if !ok {
		return "", shipgate.FieldErrorf("service", "%q is not a DHL Express service (see GET /v1/carriers for the list)", service)
	}
	if p.domestic != domestic {
		if domestic {
			return "", shipgate.FieldErrorf("service", "%s is an international product; DHL Express ships domestic lanes with the dhl_express_domestic* and dhl_economy_select_domestic services", service)
		}
		return "", shipgate.FieldErrorf("service", "%s is a domestic product and cannot cross a border", service)
	}
	switch {
	case domestic:
		return p.doc, nil
	case intraEU && p.eu != "":
		return p.eu, nil
	case dutiable:
		if p.nonDoc == "" {
			return "", shipgate.FieldErrorf("service", "%s carries documents only; a dutiable shipment needs another service", service)
		}
		return p.nonDoc, nil
	default:
		if p.doc != "" {
			return p.doc, nil
		}
		return p.nonDoc, nil
	}
}

// services lists every service of the table.
func services() []shipgate.Service {
	out := make([]shipgate.Service, 0, len(products))
	for _, p := range products {
		out = append(out, shipgate.Service{
			Code: p.service, Name: p.name, CarrierCode: p.primaryCode(),
			Domestic: p.domestic, International: !p.domestic,
		})
	}
	return out
}

// euCountries are the member states of the European Union customs union
// (ISO 3166-1 alpha-2). Goods moving between them are not declared to customs.
var euCountries = map[string]bool{
	"AT": true, "BE": true, "BG": true, "HR": true, "CY": true, "CZ": true, "DK": true,
	"EE": true, "FI": true, "FR": true, "DE": true, "GR": true, "HU": true, "IE": true,
	"IT": true, "LV": true, "LT": true, "LU": true, "MT": true, "NL": true, "PL": true,
	"PT": true, "RO": true, "SK": true, "SI": true, "ES": true, "SE": true,
}
