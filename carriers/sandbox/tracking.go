package sandbox

import (
	"context"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
)

var _ carriers.Tracker = (*Client)(nil)

// Sandbox tracking event codes.
const (
	codeLabelCreated   = "LC"
	codePickedUp       = "PU"
	codeDeparted       = "DP"
	codeArrived        = "AR"
	codeOutForDelivery = "OD"
	codeDelivered      = "DL"
	codeAtPickupPoint  = "PA"
	codeDelayed        = "DX"
	codeOnHold         = "OH"
	codeFailedAttempt  = "DF"
	codeReturning      = "RS"
	codeCancelled      = "CA"
	// codeUnmapped is a code the sandbox sends but shipgate does not know, to
	// show how an unmapped carrier code is handled (status unknown).
	codeUnmapped = "ZZ"
)

// statusOf maps the sandbox's event codes onto the normalized statuses.
var statusOf = map[string]shipgate.Status{
	codeLabelCreated:   shipgate.StatusPreTransit,
	codePickedUp:       shipgate.StatusInTransit,
	codeDeparted:       shipgate.StatusInTransit,
	codeArrived:        shipgate.StatusInTransit,
	codeOutForDelivery: shipgate.StatusOutForDelivery,
	codeDelivered:      shipgate.StatusDelivered,
	codeAtPickupPoint:  shipgate.StatusAvailableForPickup,
	codeDelayed:        shipgate.StatusDelayed,
	codeOnHold:         shipgate.StatusOnHold,
	codeFailedAttempt:  shipgate.StatusDeliveryFailed,
	codeReturning:      shipgate.StatusReturnToSender,
	codeCancelled:      shipgate.StatusCancelled,
}

// StatusFor returns the normalized status of a sandbox event code
// (StatusUnknown for a code it does not know).
func StatusFor(code string) shipgate.Status {
	if s, ok := statusOf[code]; ok {
		return s
	}
	return shipgate.StatusUnknown
}

var descriptions = map[string]string{
	codeLabelCreated:   "Shipping label created, awaiting pickup",
	codePickedUp:       "Picked up",
	codeDeparted:       "Departed facility",
	codeArrived:        "Arrived at facility",
	codeOutForDelivery: "Out for delivery",
	codeDelivered:      "Delivered, left at front door",
	codeAtPickupPoint:  "Held at a pickup point: collect it with an ID",
	codeDelayed:        "Delayed by weather; a new delivery date will follow",
	codeOnHold:         "On hold at customs: documents requested",
	codeFailedAttempt:  "Delivery attempted: recipient not available",
	codeReturning:      "Returning to sender",
	codeCancelled:      "Label voided: shipment cancelled",
	codeUnmapped:       "Processing exception (code ZZ)",
}

// leg is one step of a journey, at an offset of simulated time.
type leg struct {
	after time.Duration
	code  string
	where string // origin, hub or destination
}

// journey is how every sandbox parcel travels: about three simulated days
// from label to doorstep.
var journey = []leg{
	{0, codeLabelCreated, "origin"},
	{6 * time.Hour, codePickedUp, "origin"},
	{10 * time.Hour, codeDeparted, "origin"},
	{24 * time.Hour, codeArrived, "hub"},
	{30 * time.Hour, codeDeparted, "hub"},
	{50 * time.Hour, codeArrived, "destination"},
	{64 * time.Hour, codeOutForDelivery, "destination"},
	{70 * time.Hour, codeDelivered, "destination"},
}

// Magic tracking numbers: each tracks as a parcel that ends in one
// exception status, its last event two hours ago.
var magic = map[string][]string{
	"SGDELIVERYFAILED":     {codeLabelCreated, codePickedUp, codeArrived, codeOutForDelivery, codeFailedAttempt},
	"SGRETURNTOSENDER":     {codeLabelCreated, codePickedUp, codeArrived, codeOutForDelivery, codeFailedAttempt, codeReturning},
	"SGONHOLD":             {codeLabelCreated, codePickedUp, codeArrived, codeOnHold},
	"SGDELAYED":            {codeLabelCreated, codePickedUp, codeDeparted, codeDelayed},
	"SGAVAILABLEFORPICKUP": {codeLabelCreated, codePickedUp, codeArrived, codeOutForDelivery, codeAtPickupPoint},
	"SGUNMAPPED":           {codeLabelCreated, codePickedUp, codeUnmapped},
}

// MagicTrackingNumbers lists the sandbox's magic tracking numbers (docs, tests).
func MagicTrackingNumbers() []string {
	return []string{"SGDELIVERYFAILED", "SGRETURNTOSENDER", "SGONHOLD", "SGDELAYED", "SGAVAILABLEFORPICKUP", "SGUNMAPPED"}
}

var hub = &shipgate.Location{City: "Memphis", State: "TN", Country: "US"}

var cities = []shipgate.Location{
	{City: "Atlanta", State: "GA", Country: "US"}, {City: "Chicago", State: "IL", Country: "US"},
	{City: "Denver", State: "CO", Country: "US"}, {City: "Seattle", State: "WA", Country: "US"},
	{City: "Boston", State: "MA", Country: "US"}, {City: "Austin", State: "TX", Country: "US"},
}

// Track follows a sandbox tracking number: a label's parcel moves along the
// journey from its purchase time (time_scale simulated seconds per real
// second), a voided label is cancelled, and the magic numbers end in an
// exception. Errors: not_found for any other number, and the injected faults.
func (c *Client) Track(ctx context.Context, number string) (*shipgate.Tracking, error) {
	var out *shipgate.Tracking
	err := c.call(ctx, carriers.OpTracking, func() error {
		number = strings.ToUpper(strings.TrimSpace(number))
		now := c.env.Now()
		t := &shipgate.Tracking{Carrier: Name, Account: c.account, TrackingNumber: number, UpdatedAt: now}
		if codes, ok := magic[number]; ok {
			base := now.Truncate(time.Hour).Add(-2 * time.Hour)
			for i := len(codes) - 1; i >= 0; i-- {
				at := base.Add(-time.Duration(len(codes)-1-i) * 8 * time.Hour)
				t.Events = append(t.Events, event(codes[i], at, cities[i%len(cities)]))
			}
			out = finish(t)
			return nil
		}
		bought, ok := parseTrackingNumber(number)
		if !ok {
			return shipgate.Errorf(shipgate.CodeNotFound, "Sandbox knows no tracking number %q", number)
		}
		origin, dest := c.places(number)
		for _, l := range journey {
			at := bought.Add(time.Duration(float64(l.after) / c.timeScale))
			if at.After(now) {
				if t.EstimatedDelivery == "" {
					last := journey[len(journey)-1]
					t.EstimatedDelivery = bought.Add(time.Duration(float64(last.after) / c.timeScale)).Format(shipgate.DateLayout)
				}
				break
			}
			where := map[string]shipgate.Location{"origin": origin, "hub": *hub, "destination": dest}[l.where]
			t.Events = append([]shipgate.TrackingEvent{event(l.code, at, where)}, t.Events...)
		}
		if voidedAt, ok := c.voidedAt(number); ok && !hasCode(t.Events, codeDelivered) {
			t.Events = append([]shipgate.TrackingEvent{event(codeCancelled, voidedAt, origin)}, t.Events...)
			t.EstimatedDelivery = ""
		}
		out = finish(t)
		return nil
	})
	return out, err
}

func event(code string, at time.Time, where shipgate.Location) shipgate.TrackingEvent {
	loc := where
	return shipgate.TrackingEvent{Time: at.UTC(), Status: StatusFor(code), Description: descriptions[code], Location: &loc, CarrierCode: code}
}

func hasCode(evs []shipgate.TrackingEvent, code string) bool {
	for _, e := range evs {
		if e.CarrierCode == code {
			return true
		}
	}
	return false
}

// finish sets the current status from the newest event.
func finish(t *shipgate.Tracking) *shipgate.Tracking {
	t.Status = shipgate.StatusUnknown
	if len(t.Events) > 0 {
		e := t.Events[0]
		t.Status, t.StatusDetail = e.Status, e.Description
		t.CarrierStatus = shipgate.CarrierStatus{Code: e.CarrierCode, Description: e.Description}
	}
	return t
}

// places returns the origin and destination of a sandbox parcel: from the
// sale when this process sold it, else cities chosen by its number.
func (c *Client) places(number string) (shipgate.Location, shipgate.Location) {
	c.ledger.mu.Lock()
	s := c.ledger.byTracking[number]
	c.ledger.mu.Unlock()
	if s != nil {
		f, t := s.req.Shipment.From, s.req.Shipment.To
		return shipgate.Location{City: f.City, State: f.State, PostalCode: f.PostalCode, Country: f.Country},
			shipgate.Location{City: t.City, State: t.State, PostalCode: t.PostalCode, Country: t.Country}
	}
	d := int(number[len(number)-2]-'0') + int(number[len(number)-3]-'0')
	return cities[d%len(cities)], cities[(d+3)%len(cities)]
}

func (c *Client) voidedAt(number string) (time.Time, bool) {
	c.ledger.mu.Lock()
	defer c.ledger.mu.Unlock()
	at, ok := c.ledger.voided[number]
	return at, ok
}
