package shipgate

import (
	"encoding/json"
	"time"
)

// Event is an entry of shipgate's event stream, what webhooks deliver. It is
// written in the same transaction as the change it announces, so no event is
// lost and none announces a change that did not happen.
type Event struct {
	// ID is unique per event: receivers de-duplicate deliveries by it.
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	// Data is the Label (without document bytes) for label.* events and the
	// Tracking for tracker.updated.
	Data json.RawMessage `json:"data"`
}

// Event types.
const (
	EventLabelPurchased = "label.purchased"
	EventLabelVoided    = "label.voided"
	EventTrackerUpdated = "tracker.updated"
)

// EventTypes lists every event type.
var EventTypes = []string{EventTrackerUpdated, EventLabelPurchased, EventLabelVoided}
