package shipgate

import "time"

// Rate is one price quote for one service of one carrier account.
type Rate struct {
	// ID names the quote so that it can be bought later (POST /v1/labels {"rate_id"}).
	ID                 string   `json:"id"`
	Carrier            string   `json:"carrier"`
	Account            string   `json:"account"`
	Service            string   `json:"service"`
	ServiceName        string   `json:"service_name"`
	CarrierServiceCode string   `json:"carrier_service_code"`
	Total              Money    `json:"total"`
	Charges            []Charge `json:"charges,omitempty"`
	BillableWeight     *Weight  `json:"billable_weight,omitempty"`
	// TransitDays is the number of business days in transit; 0 when unknown.
	TransitDays int `json:"transit_days,omitempty"`
	// EstimatedDelivery is a date (YYYY-MM-DD), empty when the carrier gave none.
	EstimatedDelivery string    `json:"estimated_delivery,omitempty"`
	Guaranteed        bool      `json:"guaranteed"`
	QuotedAt          time.Time `json:"quoted_at"`
	ExpiresAt         time.Time `json:"expires_at,omitzero"`
	// Cached is true when the quote came from the cache, not from the carrier now.
	Cached bool `json:"cached"`
	// Stale is true when the carrier failed and an older cached quote stands in.
	Stale bool `json:"stale"`
}

// Charge is one line of a rate's price: base, fuel, residential, international...
type Charge struct {
	Type   string `json:"type"`
	Name   string `json:"name,omitempty"`
	Amount Money  `json:"amount"`
}

// Service describes one service a carrier account offers.
type Service struct {
	// Code is the stable shipgate name ("ups_ground", "sandbox_express").
	Code string `json:"code"`
	// Name is the human name ("UPS Ground").
	Name string `json:"name"`
	// CarrierCode is the carrier's own code ("03").
	CarrierCode   string `json:"carrier_code"`
	Domestic      bool   `json:"domestic"`
	International bool   `json:"international"`
}
