package ups

import "github.com/shipgate/shipgate/carriers/ups/internal/wire"

// Wire types of the UPS JSON APIs, named after the spec's schemas. Requests
// are written exactly (every key the spec knows, nothing else); answers are
// read leniently (wire.Str, wire.Many), since UPS sends one object where a
// list has a single element in older versions and numbers where strings
// are expected in some answers. Field names without tags are UPS's PascalCase.

// --- OAuth (OAuthClientCredentials.yaml, tokenSuccessResponse) ---

type tokenResponse struct {
	TokenType    wire.Str `json:"token_type"`
	IssuedAt     wire.Str `json:"issued_at"`
	ClientID     wire.Str `json:"client_id"`
	AccessToken  wire.Str `json:"access_token"`
	Scope        wire.Str `json:"scope"`
	ExpiresIn    wire.Str `json:"expires_in"`
	RefreshCount wire.Str `json:"refresh_count"`
	Status       wire.Str `json:"status"`
}

// --- shared request parts ---

type transactionReference struct {
	CustomerContext string
}

type codeDesc struct {
	Code        string
	Description string `json:",omitempty"`
}

type moneyWire struct {
	CurrencyCode  string
	MonetaryValue string
}

type phoneWire struct {
	Number string
}

type addressWire struct {
	AddressLine                 []string
	City                        string `json:",omitempty"`
	StateProvinceCode           string `json:",omitempty"`
	PostalCode                  string `json:",omitempty"`
	CountryCode                 string
	ResidentialAddressIndicator string `json:",omitempty"`
}

type dimensionsWire struct {
	UnitOfMeasurement codeDesc
	Length            string
	Width             string
	Height            string
}

type weightWire struct {
	UnitOfMeasurement codeDesc
	Weight            string
}

type shipmentChargeWire struct {
	Type        string
	BillShipper *billShipperWire `json:",omitempty"`
}

type billShipperWire struct {
	AccountNumber string
}

type deliveryConfirmationWire struct {
	DCISType string
}

// --- Rating (Rating.yaml, RATERequestWrapper) ---

type rateEnvelope struct {
	RateRequest rateRequest
}

type rateRequest struct {
	Request  rateRequestHeader
	Shipment rateShipment
}

type rateRequestHeader struct {
	// RequestOption repeats the path's request option: Rating.yaml requires
	// it (without declaring it).
	RequestOption        string
	TransactionReference *transactionReference `json:",omitempty"`
}

type ratePartyWire struct {
	Name          string `json:",omitempty"`
	AttentionName string `json:",omitempty"`
	ShipperNumber string `json:",omitempty"`
	Address       addressWire
}

type ratePaymentDetails struct {
	ShipmentCharge []shipmentChargeWire
}

type ratePackage struct {
	PackagingType         codeDesc
	Dimensions            *dimensionsWire `json:",omitempty"`
	PackageWeight         weightWire
	PackageServiceOptions *packageServiceOptionsWire `json:",omitempty"`
}

type packageServiceOptionsWire struct {
	DeliveryConfirmation *deliveryConfirmationWire `json:",omitempty"`
	DeclaredValue        *moneyWire                `json:",omitempty"`
}

type shipmentServiceOptionsWire struct {
	SaturdayDeliveryIndicator string                    `json:",omitempty"`
	DeliveryConfirmation      *deliveryConfirmationWire `json:",omitempty"`
	InternationalForms        *internationalFormsWire   `json:",omitempty"`
}

type ratingOptionsWire struct {
	NegotiatedRatesIndicator string `json:",omitempty"`
}

type deliveryTimeInformationWire struct {
	PackageBillType string
	Pickup          *pickupWire `json:",omitempty"`
}

type pickupWire struct {
	Date string
}

type rateShipment struct {
	Shipper                 ratePartyWire
	ShipTo                  ratePartyWire
	PaymentDetails          *ratePaymentDetails          `json:",omitempty"`
	Service                 *codeDesc                    `json:",omitempty"`
	Package                 []ratePackage                `json:",omitempty"`
	ShipmentServiceOptions  *shipmentServiceOptionsWire  `json:",omitempty"`
	ShipmentRatingOptions   *ratingOptionsWire           `json:",omitempty"`
	InvoiceLineTotal        *moneyWire                   `json:",omitempty"`
	DeliveryTimeInformation *deliveryTimeInformationWire `json:",omitempty"`
}

// --- Rating answer (RATEResponseWrapper) ---

type rateResponseEnvelope struct {
	RateResponse struct {
		Response      responseHeaderWire
		RatedShipment wire.Many[ratedShipmentWire]
	}
}

type responseHeaderWire struct {
	ResponseStatus struct {
		Code        wire.Str
		Description wire.Str
	}
	Alert wire.Many[struct {
		Code        wire.Str
		Description wire.Str
	}]
}

type moneyIn struct {
	CurrencyCode  wire.Str
	MonetaryValue wire.Str
}

type itemizedIn struct {
	Code          wire.Str
	Description   wire.Str
	CurrencyCode  wire.Str
	MonetaryValue wire.Str
}

type weightIn struct {
	UnitOfMeasurement struct {
		Code wire.Str
	}
	Weight wire.Str
}

type ratedShipmentWire struct {
	Service struct {
		Code        wire.Str
		Description wire.Str
	}
	BillingWeight         *weightIn
	TransportationCharges *moneyIn
	BaseServiceCharge     *moneyIn
	ItemizedCharges       wire.Many[itemizedIn]
	ServiceOptionsCharges *moneyIn
	TotalCharges          *moneyIn
	NegotiatedRateCharges *struct {
		TotalCharge *moneyIn
	}
	GuaranteedDelivery *struct {
		BusinessDaysInTransit wire.Str
		DeliveryByTime        wire.Str
	}
	TimeInTransit *struct {
		ServiceSummary struct {
			GuaranteedIndicator *wire.Present
			EstimatedArrival    struct {
				Arrival struct {
					Date wire.Str
				}
				BusinessDaysInTransit wire.Str
			}
		}
	}
}

// --- Shipping (Shipping.yaml, SHIPRequestWrapper) ---

type shipEnvelope struct {
	ShipmentRequest shipRequest
}

type shipRequest struct {
	Request            shipRequestHeader
	Shipment           shipShipment
	LabelSpecification labelSpecificationWire
}

type shipRequestHeader struct {
	RequestOption        string
	TransactionReference *transactionReference `json:",omitempty"`
}

type shipPartyWire struct {
	Name                    string
	AttentionName           string     `json:",omitempty"`
	TaxIdentificationNumber string     `json:",omitempty"`
	Phone                   *phoneWire `json:",omitempty"`
	ShipperNumber           string     `json:",omitempty"`
	EMailAddress            string     `json:",omitempty"`
	Address                 addressWire
}

type shipPaymentInformation struct {
	ShipmentCharge []shipmentChargeWire
}

type referenceNumberWire struct {
	Value string
}

type shipPackage struct {
	Description           string `json:",omitempty"`
	Packaging             codeDesc
	Dimensions            *dimensionsWire `json:",omitempty"`
	PackageWeight         weightWire
	ReferenceNumber       []referenceNumberWire      `json:",omitempty"`
	PackageServiceOptions *packageServiceOptionsWire `json:",omitempty"`
}

type shipShipment struct {
	Description            string    `json:",omitempty"`
	ReturnService          *codeDesc `json:",omitempty"`
	Shipper                shipPartyWire
	ShipTo                 shipPartyWire
	ShipFrom               *shipPartyWire `json:",omitempty"`
	PaymentInformation     shipPaymentInformation
	ShipmentRatingOptions  *ratingOptionsWire `json:",omitempty"`
	Service                codeDesc
	InvoiceLineTotal       *moneyWire                  `json:",omitempty"`
	ShipmentServiceOptions *shipmentServiceOptionsWire `json:",omitempty"`
	Package                []shipPackage               `json:",omitempty"`
}

type labelSpecificationWire struct {
	LabelImageFormat codeDesc
	HTTPUserAgent    string `json:",omitempty"`
	LabelStockSize   labelStockSizeWire
}

type labelStockSizeWire struct {
	Height string
	Width  string
}

type internationalFormsWire struct {
	FormType        []string
	Contacts        *formContactsWire `json:",omitempty"`
	Product         []productWire
	InvoiceNumber   string `json:",omitempty"`
	InvoiceDate     string `json:",omitempty"`
	TermsOfShipment string `json:",omitempty"`
	ReasonForExport string `json:",omitempty"`
	CurrencyCode    string `json:",omitempty"`
}

type formContactsWire struct {
	SoldTo *soldToWire `json:",omitempty"`
}

type soldToWire struct {
	Name                    string
	AttentionName           string
	TaxIdentificationNumber string     `json:",omitempty"`
	Phone                   *phoneWire `json:",omitempty"`
	Address                 addressWire
	EMailAddress            string `json:",omitempty"`
}

type productWire struct {
	Description       []string
	Unit              productUnitWire
	CommodityCode     string      `json:",omitempty"`
	PartNumber        string      `json:",omitempty"`
	OriginCountryCode string      `json:",omitempty"`
	ProductWeight     *weightWire `json:",omitempty"`
}

type productUnitWire struct {
	Number            string
	UnitOfMeasurement codeDesc
	Value             string
}

// --- Shipping answer (SHIPResponseWrapper) ---

type shipResponseEnvelope struct {
	ShipmentResponse struct {
		Response        responseHeaderWire
		ShipmentResults struct {
			ShipmentCharges *struct {
				BaseServiceCharge     *moneyIn
				TransportationCharges *moneyIn
				ItemizedCharges       wire.Many[itemizedIn]
				ServiceOptionsCharges *moneyIn
				TotalCharges          *moneyIn
			}
			NegotiatedRateCharges *struct {
				TotalCharge *moneyIn
			}
			BillingWeight                *weightIn
			ShipmentIdentificationNumber wire.Str
			PackageResults               wire.Many[struct {
				TrackingNumber wire.Str
				ShippingLabel  *struct {
					ImageFormat struct {
						Code wire.Str
					}
					GraphicImage wire.Str
				}
			}]
		}
	}
}

// --- Void answer (VOIDSHIPMENTResponseWrapper) ---

type voidResponseEnvelope struct {
	VoidShipmentResponse struct {
		Response      responseHeaderWire
		SummaryResult struct {
			Status struct {
				Code        wire.Str
				Description wire.Str
			}
		}
		PackageLevelResults wire.Many[struct {
			TrackingNumber wire.Str
			Status         struct {
				Code wire.Str
			}
		}]
	}
}

// --- Tracking answer (Tracking.yaml, TrackApiResponse) ---

type trackResponseEnvelope struct {
	TrackResponse struct {
		Shipment wire.Many[struct {
			InquiryNumber wire.Str                `json:"inquiryNumber"`
			Package       wire.Many[trackPackage] `json:"package"`
			Warnings      wire.Many[wire.Error]   `json:"warnings"`
		}] `json:"shipment"`
	} `json:"trackResponse"`
}

type trackStatus struct {
	Type                      wire.Str `json:"type"`
	Description               wire.Str `json:"description"`
	Code                      wire.Str `json:"code"`
	StatusCode                wire.Str `json:"statusCode"`
	SimplifiedTextDescription wire.Str `json:"simplifiedTextDescription"`
}

type trackPackage struct {
	TrackingNumber wire.Str `json:"trackingNumber"`
	DeliveryDate   wire.Many[struct {
		Type wire.Str `json:"type"`
		Date wire.Str `json:"date"`
	}] `json:"deliveryDate"`
	Activity wire.Many[struct {
		Location *struct {
			Address *struct {
				City          wire.Str `json:"city"`
				StateProvince wire.Str `json:"stateProvince"`
				PostalCode    wire.Str `json:"postalCode"`
				CountryCode   wire.Str `json:"countryCode"`
				Country       wire.Str `json:"country"`
			} `json:"address"`
		} `json:"location"`
		Status    trackStatus `json:"status"`
		Date      wire.Str    `json:"date"`
		Time      wire.Str    `json:"time"`
		GmtDate   wire.Str    `json:"gmtDate"`
		GmtTime   wire.Str    `json:"gmtTime"`
		GmtOffset wire.Str    `json:"gmtOffset"`
	}] `json:"activity"`
	CurrentStatus *trackStatus `json:"currentStatus"`
	Service       *struct {
		Code        wire.Str `json:"code"`
		LevelCode   wire.Str `json:"levelCode"`
		Description wire.Str `json:"description"`
	} `json:"service"`
}
