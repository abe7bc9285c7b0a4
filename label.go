package shipgate

import "time"

// LabelFormat is the file format of a label document.
type LabelFormat string

// Label formats. PDF, ZPL and PNG are what callers may ask for; GIF is what
// some carriers (UPS) return and is converted before it reaches a caller.
const (
	FormatPDF LabelFormat = "pdf"
	FormatZPL LabelFormat = "zpl"
	FormatPNG LabelFormat = "png"
	FormatGIF LabelFormat = "gif"
)

// Requestable reports whether callers may ask for f (pdf, zpl or png).
func (f LabelFormat) Requestable() bool {
	return f == FormatPDF || f == FormatZPL || f == FormatPNG
}

// ContentType returns the media type of documents in format f.
func (f LabelFormat) ContentType() string {
	switch f {
	case FormatPDF:
		return "application/pdf"
	case FormatPNG:
		return "image/png"
	case FormatGIF:
		return "image/gif"
	case FormatZPL:
		return "application/zpl"
	}
	return "application/octet-stream"
}

// Document is one label file as bytes.
type Document struct {
	Format LabelFormat `json:"format"`
	// Size is the stock size, "4x6" (inches) for every shipping label here.
	Size string `json:"size"`
	Data []byte `json:"data,omitempty"`
}

// LabelStatus is the life-cycle state of a purchased label.
type LabelStatus string

// Label statuses.
const (
	// LabelPending: the purchase is recorded and the carrier is being asked.
	LabelPending LabelStatus = "pending"
	// LabelPurchased: the carrier sold the label.
	LabelPurchased LabelStatus = "purchased"
	// LabelInDoubt: the outcome of the carrier call is unknown; never re-bought automatically.
	LabelInDoubt LabelStatus = "in_doubt"
	// LabelFailed: the carrier refused the purchase; nothing was bought.
	LabelFailed LabelStatus = "failed"
	// LabelVoided: the label was voided (refunded) at the carrier.
	LabelVoided LabelStatus = "voided"
)

// Purchase is what a carrier answers when it sells a label.
type Purchase struct {
	// ShipmentID is the carrier's identifier of the shipment (UPS 1Z shipment
	// number, DHL waybill), needed to void; often equal to TrackingNumber.
	ShipmentID string
	// TrackingNumber is the shipment's (master) tracking number.
	TrackingNumber string
	// Parcels holds one tracking number and one label per parcel, in order.
	Parcels []ParcelLabel
	Total   Money
	Charges []Charge
	// Service is the shipgate service name that was bought.
	Service            string
	CarrierServiceCode string
	// EstimatedDelivery is a date (YYYY-MM-DD) when the carrier gave one.
	EstimatedDelivery string
}

// ParcelLabel is one parcel's tracking number and label document.
type ParcelLabel struct {
	TrackingNumber string
	// Document is the label in the format asked for, or the closest one the
	// carrier offers (the labels service converts).
	Document Document
	// Extra holds the same label in other formats the carrier returned at no
	// cost (the sandbox renders all three), kept for reprints.
	Extra []Document
}

// Label is a purchased shipping label as shipgate keeps it.
type Label struct {
	ID                 string        `json:"id"`
	Status             LabelStatus   `json:"status"`
	Carrier            string        `json:"carrier"`
	Account            string        `json:"account"`
	Service            string        `json:"service"`
	CarrierServiceCode string        `json:"carrier_service_code,omitempty"`
	ShipmentID         string        `json:"shipment_id,omitempty"`
	TrackingNumber     string        `json:"tracking_number,omitempty"`
	Parcels            []LabelParcel `json:"parcels"`
	Total              *Money        `json:"total,omitempty"`
	Charges            []Charge      `json:"charges,omitempty"`
	Label              *Document     `json:"label,omitempty"`
	RateID             string        `json:"rate_id,omitempty"`
	Reference          string        `json:"reference,omitempty"`
	IsReturn           bool          `json:"is_return"`
	EstimatedDelivery  string        `json:"estimated_delivery,omitempty"`
	// Error is why a purchase failed or is in doubt.
	Error     *ErrorBody `json:"error,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	VoidedAt  *time.Time `json:"voided_at,omitempty"`
}

// LabelParcel is one parcel of a Label.
type LabelParcel struct {
	TrackingNumber string `json:"tracking_number"`
}
