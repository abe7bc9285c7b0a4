package upssim

import (
	"github.com/shipgate/shipgate/carriers/ups/internal/wire"
)

// The simulator reads requests leniently, as UPS's JSON gateway does: any
// scalar where a string is expected, one object where a list is expected,
// unknown keys ignored. Only what it needs is declared.

type rateEnvelope struct {
	RateRequest *rateRequest
}

type rateRequest struct {
	Request  requestHeader
	Shipment *shipmentIn
}

type shipEnvelope struct {
	ShipmentRequest *shipRequest
}

type shipRequest struct {
	Request            requestHeader
	Shipment           *shipmentIn
	LabelSpecification *labelSpec
}

type requestHeader struct {
	RequestOption        wire.Str
	TransactionReference struct {
		CustomerContext wire.Str
	}
}

type shipmentIn struct {
	Description           wire.Str
	Shipper               *party
	ShipTo                *party
	ShipFrom              *party
	Service               *codeIn
	ReturnService         *codeIn
	Package               wire.Many[packageIn]
	PaymentInformation    *payment
	PaymentDetails        *payment
	ShipmentRatingOptions *struct {
		NegotiatedRatesIndicator wire.Present
	}
	InvoiceLineTotal        *moneyIn
	DeliveryTimeInformation *struct {
		PackageBillType wire.Str
		Pickup          *struct{ Date, Time wire.Str }
	}
	ShipmentServiceOptions wire.Object[shipmentOptionsIn]
}

type shipmentOptionsIn struct {
	SaturdayDeliveryIndicator wire.Present
	InternationalForms        *intlForms
}

type party struct {
	Name          wire.Str
	AttentionName wire.Str
	ShipperNumber wire.Str
	Phone         *struct{ Number wire.Str }
	Address       *addressIn
}

type addressIn struct {
	AddressLine                 wire.Many[wire.Str]
	City                        wire.Str
	StateProvinceCode           wire.Str
	PostalCode                  wire.Str
	CountryCode                 wire.Str
	ResidentialAddressIndicator wire.Present
}

type codeIn struct {
	Code        wire.Str
	Description wire.Str
}

type payment struct {
	ShipmentCharge wire.Many[struct {
		Type wire.Str
	}]
}

type moneyIn struct {
	CurrencyCode  wire.Str
	MonetaryValue wire.Str
}

type packageIn struct {
	Description   wire.Str
	PackagingType *codeIn // Rating
	Packaging     *codeIn // Shipping
	Dimensions    *struct {
		UnitOfMeasurement     codeIn
		Length, Width, Height wire.Str
	}
	PackageWeight *struct {
		UnitOfMeasurement codeIn
		Weight            wire.Str
	}
	PackageServiceOptions *struct {
		DeclaredValue *moneyIn
	}
}

type labelSpec struct {
	LabelImageFormat *codeIn
	LabelStockSize   *struct{ Height, Width wire.Str }
}

type intlForms struct {
	FormType      wire.Many[wire.Str]
	InvoiceNumber wire.Str
	InvoiceDate   wire.Str
	CurrencyCode  wire.Str
	Product       wire.Many[struct {
		Description       wire.Many[wire.Str]
		OriginCountryCode wire.Str
		Unit              *struct {
			Number            wire.Str
			Value             wire.Str
			UnitOfMeasurement *codeIn
		}
	}]
}
