package shipgate

import (
	"strings"
	"time"
)

// DateLayout is the layout of dates on the wire (ship dates, estimated delivery).
const DateLayout = "2006-01-02"

// Shipment is what a caller wants to send: from where, to where, which parcels.
type Shipment struct {
	From      Address         `json:"from"`
	To        Address         `json:"to"`
	Parcels   []Parcel        `json:"parcels" validate:"required,min=1,max=50,dive"`
	ShipDate  string          `json:"ship_date,omitempty" validate:"omitempty,datetime=2006-01-02"`
	Options   ShipmentOptions `json:"options,omitzero"`
	Customs   *Customs        `json:"customs,omitempty"`
	Reference string          `json:"reference,omitempty" validate:"max=100"`
}

// ShipmentOptions are the extra services a caller may ask for.
type ShipmentOptions struct {
	// Signature is "", "standard" or "adult".
	Signature        string `json:"signature,omitempty" validate:"omitempty,oneof=standard adult"`
	SaturdayDelivery bool   `json:"saturday_delivery,omitempty"`
	// Insurance is the declared value to insure, if any.
	Insurance *Money `json:"insurance,omitempty"`
}

// Customs is the customs declaration of an international shipment.
type Customs struct {
	// Contents is one of merchandise, documents, gift, sample, return_of_goods, other.
	Contents string `json:"contents" validate:"required,oneof=merchandise documents gift sample return_of_goods other"`
	// Incoterm is DAP (the receiver pays duties) or DDP (the sender pays).
	Incoterm    string           `json:"incoterm,omitempty" validate:"omitempty,oneof=DAP DDP EXW FCA CPT CIP DPU"`
	Description string           `json:"description,omitempty" validate:"max=200"`
	Items       []CustomsItem    `json:"items,omitempty" validate:"max=200,dive"`
	ExportType  string           `json:"export_type,omitempty" validate:"omitempty,oneof=permanent temporary return"`
	Invoice     string           `json:"invoice_number,omitempty" validate:"max=35"`
	Signer      string           `json:"signer,omitempty" validate:"max=100"`
	EEI         string           `json:"eei,omitempty" validate:"max=50"`
	NonDelivery string           `json:"non_delivery,omitempty" validate:"omitempty,oneof=return abandon"`
	Exporter    *CustomsIdentity `json:"exporter,omitempty"`
}

// CustomsIdentity is a tax or customs registration (EORI, VAT, EIN).
type CustomsIdentity struct {
	Type   string `json:"type" validate:"required,max=10"`
	Number string `json:"number" validate:"required,max=35"`
}

// CustomsItem is one line of a customs declaration.
type CustomsItem struct {
	Description   string `json:"description" validate:"required,max=200"`
	Quantity      int    `json:"quantity" validate:"gte=1,lte=1000000"`
	Value         Money  `json:"value"`
	Weight        Weight `json:"weight"`
	HSCode        string `json:"hs_code,omitempty" validate:"omitempty,max=14"`
	OriginCountry string `json:"origin_country" validate:"required,iso3166_1_alpha2"`
	SKU           string `json:"sku,omitempty" validate:"max=50"`
}

// International reports whether the shipment crosses a border.
func (s *Shipment) International() bool {
	return !strings.EqualFold(strings.TrimSpace(s.From.Country), strings.TrimSpace(s.To.Country))
}

// ShipDay returns the ship date, or today (in loc) when it is empty or unreadable.
func (s *Shipment) ShipDay(now time.Time) time.Time {
	if d, err := time.ParseInLocation(DateLayout, s.ShipDate, now.Location()); err == nil {
		return d
	}
	y, m, d := now.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, now.Location())
}

// Normalized returns a copy of the shipment with normalized addresses, so that
// equal shipments produce equal cache keys.
func (s Shipment) Normalized() Shipment {
	s.From = s.From.Normalized()
	s.To = s.To.Normalized()
	s.Reference = strings.TrimSpace(s.Reference)
	return s
}
