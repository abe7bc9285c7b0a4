package shipgate

import "time"

// Status is the normalized tracking status. Every carrier's codes map onto it;
// the carrier's own code is always kept beside it.
type Status string

// The normalized tracking statuses.
const (
	StatusPreTransit         Status = "pre_transit"
	StatusInTransit          Status = "in_transit"
	StatusOutForDelivery     Status = "out_for_delivery"
	StatusAvailableForPickup Status = "available_for_pickup"
	StatusDelivered          Status = "delivered"
	StatusDelayed            Status = "delayed"
	StatusOnHold             Status = "on_hold"
	StatusDeliveryFailed     Status = "delivery_failed"
	StatusReturnToSender     Status = "return_to_sender"
	StatusCancelled          Status = "cancelled"
	StatusUnknown            Status = "unknown"
)

// Statuses lists every normalized status.
var Statuses = []Status{
	StatusPreTransit, StatusInTransit, StatusOutForDelivery, StatusAvailableForPickup,
	StatusDelivered, StatusDelayed, StatusOnHold, StatusDeliveryFailed,
	StatusReturnToSender, StatusCancelled, StatusUnknown,
}

// Valid reports whether s is one of the normalized statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Final reports whether a parcel in status s will not move any more
// (delivered, returned to its sender or cancelled).
func (s Status) Final() bool {
	return s == StatusDelivered || s == StatusReturnToSender || s == StatusCancelled
}

// Tracking is the normalized tracking history of one tracking number.
type Tracking struct {
	Carrier        string `json:"carrier"`
	Account        string `json:"account"`
	TrackingNumber string `json:"tracking_number"`
	Status         Status `json:"status"`
	// StatusDetail is a human sentence about the current status.
	StatusDetail  string        `json:"status_detail,omitempty"`
	CarrierStatus CarrierStatus `json:"carrier_status"`
	// EstimatedDelivery is a date (YYYY-MM-DD) when the carrier gives one.
	EstimatedDelivery string          `json:"estimated_delivery,omitempty"`
	Service           string          `json:"service,omitempty"`
	Events            []TrackingEvent `json:"events"`
	UpdatedAt         time.Time       `json:"updated_at"`
	Cached            bool            `json:"cached"`
}

// CarrierStatus is the carrier's own status code and text.
type CarrierStatus struct {
	Code        string `json:"code"`
	Description string `json:"description,omitempty"`
}

// TrackingEvent is one scan or status change, newest first in Tracking.Events.
type TrackingEvent struct {
	Time        time.Time `json:"time"`
	Status      Status    `json:"status"`
	Description string    `json:"description"`
	Location    *Location `json:"location,omitempty"`
	CarrierCode string    `json:"carrier_code"`
}

// Location is where a tracking event happened.
type Location struct {
	City       string `json:"city,omitempty"`
	State      string `json:"state,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`
}
