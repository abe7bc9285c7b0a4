package dhl

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/internal/carrierhttp"
)

// maxBatch is the spec's limit on shipmentTrackingNumber values in one
// GET /tracking call ("Supports up to 200 tracking numbers").
const maxBatch = 200

// trackingResponse is the part of supermodelIoLogisticsExpressTrackingResponse the adapter reads.
type trackingResponse struct {
	Shipments []trackedShipment `json:"shipments"`
}

type trackedShipment struct {
	ShipmentTrackingNumber string       `json:"shipmentTrackingNumber"`
	Status                 string       `json:"status"`
	ProductCode            string       `json:"productCode"`
	Events                 []trackEvent `json:"events"`
	Pieces                 []struct {
		TrackingNumber string `json:"trackingNumber"`
	} `json:"pieces"`
	EstimatedDeliveryDate string `json:"estimatedDeliveryDate"`
}

type trackEvent struct {
	Date        string `json:"date"`
	Time        string `json:"time"`
	GMTOffset   string `json:"GMTOffset"`
	TypeCode    string `json:"typeCode"`
	Description string `json:"description"`
	ServiceArea []struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	} `json:"serviceArea"`
	SignedBy string `json:"signedBy"`
}

// eventStatus maps DHL Express checkpoint codes (events[].typeCode) onto the
// normalized statuses. The codes and their meanings are the spec's own
// reference-data example for the trackingEventCode dataset; a code not here,
// or one that says nothing about where the shipment is (CS closed shipment,
// DI duty invoice, DM damaged, IA image available, PY payment, TI/TT trace
// initiated/terminated), is StatusUnknown.
var eventStatus = map[string]shipgate.Status{
	"DUMMY_PU": shipgate.StatusPreTransit, // shipment information received

	"PU": shipgate.StatusInTransit, // shipment pick up
	"SA": shipgate.StatusInTransit, // shipment acceptance
	"AF": shipgate.StatusInTransit, // arrived facility
	"AR": shipgate.StatusInTransit, // arrival in delivery facility
	"DF": shipgate.StatusInTransit, // depart facility
	"PL": shipgate.StatusInTransit, // processed at location
	"TR": shipgate.StatusInTransit, // record of transfer
	"CI": shipgate.StatusInTransit, // facility check-in
	"CU": shipgate.StatusInTransit, // confirm uplift
	"LV": shipgate.StatusInTransit, // load vehicle
	"UV": shipgate.StatusInTransit, // unload vehicle
	"SM": shipgate.StatusInTransit, // scheduled movement
	"HN": shipgate.StatusInTransit, // handover
	"RW": shipgate.StatusInTransit, // weigh & dimension
	"SC": shipgate.StatusInTransit, // service changed
	"SI": shipgate.StatusInTransit, // shipment inspection
	"AD": shipgate.StatusInTransit, // agreed delivery (a delivery date agreed with the receiver)
	"FD": shipgate.StatusInTransit, // forward destination (delivery details expected)
	"TP": shipgate.StatusInTransit, // forwarded to a third party (no delivery details)
	"PD": shipgate.StatusInTransit, // partial delivery: the other pieces are still on their way
	"IC": shipgate.StatusInTransit, // in clearance processing
	"ES": shipgate.StatusInTransit, // customs entry submitted
	"RR": shipgate.StatusInTransit, // customs status updated (response received)
	"CR": shipgate.StatusInTransit, // clearance release
	"BR": shipgate.StatusInTransit, // broker release
	"BN": shipgate.StatusInTransit, // customer broker notified
	"HO": shipgate.StatusInTransit, // lodged out of held inventory control

	"WC": shipgate.StatusOutForDelivery,     // with delivering courier
	"CC": shipgate.StatusAvailableForPickup, // awaiting consignee collection
	"OK": shipgate.StatusDelivered,          // delivery
	"DD": shipgate.StatusDelivered,          // delivered damaged

	"TD": shipgate.StatusDelayed, // transport delay
	"UD": shipgate.StatusDelayed, // uncontrollable clearance delay
	"MD": shipgate.StatusDelayed, // missed delivery cycle
	"MS": shipgate.StatusDelayed, // mis-sort
	"MC": shipgate.StatusDelayed, // miscode
	"IR": shipgate.StatusDelayed, // incorrect route
	"NA": shipgate.StatusDelayed, // not arrived

	"OH": shipgate.StatusOnHold, // on hold
	"HP": shipgate.StatusOnHold, // held for payment
	"CD": shipgate.StatusOnHold, // controllable clearance delay (waits for the shipper or receiver)
	"SS": shipgate.StatusOnHold, // shipment stopped
	"ST": shipgate.StatusOnHold, // shipment intercept
	"BL": shipgate.StatusOnHold, // bond location
	"HI": shipgate.StatusOnHold, // lodged into held inventory control
	"DP": shipgate.StatusOnHold, // denied parties screening

	"NH": shipgate.StatusDeliveryFailed, // not home
	"BA": shipgate.StatusDeliveryFailed, // bad address
	"CA": shipgate.StatusDeliveryFailed, // closed on arrival
	"CM": shipgate.StatusDeliveryFailed, // customer moved
	"RD": shipgate.StatusDeliveryFailed, // refused delivery
	"ND": shipgate.StatusDeliveryFailed, // not delivered

	"RT": shipgate.StatusReturnToSender, // returned to consignor
	"DS": shipgate.StatusCancelled,      // destroyed / disposal: the shipment will never arrive
}

// StatusFor returns the normalized status of a DHL Express checkpoint code,
// StatusUnknown when the code is not mapped.
func StatusFor(typeCode string) shipgate.Status {
	if s, ok := eventStatus[strings.ToUpper(strings.TrimSpace(typeCode))]; ok {
		return s
	}
	return shipgate.StatusUnknown
}

// Track returns the checkpoints of one DHL Express shipment, newest first:
// GET /shipments/{waybill}/tracking for a waybill, GET /tracking?pieceTrackingNumber=
// for a piece ID (JD01...). Errors: not_found when DHL knows no such
// shipment, carrier_rejected for a number DHL refuses, carrier_unavailable,
// carrier_timeout or rate_limited when DHL fails.
func (c *Client) Track(ctx context.Context, trackingNumber string) (*shipgate.Tracking, error) {
	n := strings.TrimSpace(trackingNumber)
	if n == "" {
		return nil, shipgate.FieldErrorf("tracking_number", "is required")
	}
	req := &carrierhttp.Request{Op: carriers.OpTracking, Method: http.MethodGet, Idempotent: true}
	if isPieceID(n) {
		req.Path = "/tracking"
		req.Query = url.Values{"pieceTrackingNumber": {n}, "trackingView": {"all-checkpoints"}, "levelOfDetail": {"shipment"}}
	} else {
		req.Path = "/shipments/" + url.PathEscape(n) + "/tracking"
		req.Query = url.Values{"trackingView": {"all-checkpoints"}, "levelOfDetail": {"shipment"}, "requestGMTOffsetPerEvent": {"true"}}
	}
	var out trackingResponse
	if _, err := c.do(ctx, req, &out); err != nil {
		return nil, notFound(err, n)
	}
	for i := range out.Shipments {
		sh := &out.Shipments[i]
		if sh.ShipmentTrackingNumber == n || isPieceID(n) || len(out.Shipments) == 1 {
			return c.trackingFrom(sh, n), nil
		}
	}
	return nil, shipgate.Errorf(shipgate.CodeNotFound, "DHL Express has no shipment %s", n)
}

// MaxBatch is how many waybills one TrackBatch call may carry (200, the spec's limit).
func (c *Client) MaxBatch() int { return maxBatch }

// TrackBatch tracks up to MaxBatch waybills or piece IDs in one GET
// /tracking call and returns one result per number, in order: a number DHL
// does not return is not_found. Errors for the whole call: invalid_request for too many numbers,
// carrier_unavailable, carrier_timeout or rate_limited when DHL fails.
func (c *Client) TrackBatch(ctx context.Context, numbers []string) ([]carriers.TrackResult, error) {
	if len(numbers) > maxBatch {
		return nil, shipgate.FieldErrorf("tracking_numbers", "DHL Express tracks at most %d numbers per call, got %d", maxBatch, len(numbers))
	}
	results := make([]carriers.TrackResult, len(numbers))
	q := url.Values{"trackingView": {"all-checkpoints"}, "levelOfDetail": {"shipment"}}
	for _, n := range numbers {
		key := "shipmentTrackingNumber"
		if n = strings.TrimSpace(n); isPieceID(n) {
			// Piece IDs go in their own parameter; the pieces in the answer
			// tell which shipment each belongs to.
			key = "pieceTrackingNumber"
			q.Set("levelOfDetail", "all")
		}
		if n != "" && !slices.Contains(q[key], n) {
			q.Add(key, n)
		}
	}
	var out trackingResponse
	if len(q["shipmentTrackingNumber"])+len(q["pieceTrackingNumber"]) > 0 {
		if _, err := c.do(ctx, &carrierhttp.Request{
			Op: carriers.OpTracking, Method: http.MethodGet, Path: "/tracking", Query: q, Idempotent: true,
		}, &out); err != nil && !rejectedWith(err, http.StatusNotFound) {
			return nil, err
		}
	}
	found := map[string]*trackedShipment{}
	for i := range out.Shipments {
		sh := &out.Shipments[i]
		found[strings.TrimSpace(sh.ShipmentTrackingNumber)] = sh
		for _, p := range sh.Pieces {
			if id := strings.TrimSpace(p.TrackingNumber); id != "" {
				found[id] = sh
			}
		}
	}
	for i, n := range numbers {
		n = strings.TrimSpace(n)
		if sh, ok := found[n]; ok && n != "" {
			results[i].Tracking = c.trackingFrom(sh, n)
			continue
		}
		results[i].Err = shipgate.Errorf(shipgate.CodeNotFound, "DHL Express has no shipment %s", n)
	}
	return results, nil
}

// notFound turns DHL's 404 ("No data found") into not_found.
func notFound(err error, n string) error {
	if rejectedWith(err, http.StatusNotFound) {
		e := shipgate.AsError(err)
		e.Code = shipgate.CodeNotFound
		e.Message = "DHL Express has no shipment " + n
		return e
	}
	return err
}

// isPieceID reports whether n looks like a DHL piece ID (license plate
// "JD01..." or "JJD...") rather than a 10-digit waybill.
func isPieceID(n string) bool {
	u := strings.ToUpper(n)
	return strings.HasPrefix(u, "JD") || strings.HasPrefix(u, "JJD")
}

func (c *Client) trackingFrom(sh *trackedShipment, number string) *shipgate.Tracking {
	t := &shipgate.Tracking{
		Carrier: Carrier, Account: c.account, TrackingNumber: number,
		Status: shipgate.StatusUnknown, EstimatedDelivery: dateOf(sh.EstimatedDeliveryDate),
		Events: eventsFrom(sh.Events), UpdatedAt: c.now(),
	}
	if code := strings.TrimSpace(sh.ProductCode); code != "" {
		t.Service, _ = serviceForCode(code, "")
	}
	if len(t.Events) == 0 {
		t.CarrierStatus = shipgate.CarrierStatus{Code: sh.Status}
		return t
	}
	// The shipment's status is its newest event's. A newest event whose code
	// is unmapped (an informational checkpoint such as IA, image available)
	// does not hide what is known: the newest mapped event stands, and only
	// when none is mapped is the shipment unknown.
	e := t.Events[0]
	for _, ev := range t.Events {
		if ev.Status != shipgate.StatusUnknown {
			e = ev
			break
		}
	}
	t.Status = e.Status
	t.StatusDetail = e.Description
	t.CarrierStatus = shipgate.CarrierStatus{Code: e.CarrierCode, Description: e.Description}
	return t
}

// eventsFrom maps DHL's checkpoints (oldest first) onto events, newest first.
// With every event's GMTOffset known they are ordered by instant; without,
// DHL's times are local to each facility and DHL's own order is kept.
func eventsFrom(in []trackEvent) []shipgate.TrackingEvent {
	out := make([]shipgate.TrackingEvent, 0, len(in))
	allOffsets := true
	for _, ev := range in {
		t, hasOffset, ok := eventTime(ev)
		if !ok {
			continue
		}
		allOffsets = allOffsets && hasOffset
		e := shipgate.TrackingEvent{
			Time: t, Status: StatusFor(ev.TypeCode), Description: strings.TrimSpace(ev.Description),
			CarrierCode: strings.TrimSpace(ev.TypeCode), Location: locationOf(ev),
		}
		out = append(out, e)
	}
	slices.Reverse(out)
	if allOffsets {
		slices.SortStableFunc(out, func(a, b shipgate.TrackingEvent) int { return b.Time.Compare(a.Time) })
	}
	return out
}

// eventTime reads date "2023-08-09", time "13:56:21" and GMTOffset "+10:00";
// without an offset the time is read as UTC.
func eventTime(ev trackEvent) (time.Time, bool, bool) {
	d, tm := strings.TrimSpace(ev.Date), strings.TrimSpace(ev.Time)
	if tm == "" {
		tm = "00:00:00"
	}
	if off := strings.TrimSpace(ev.GMTOffset); off != "" {
		if t, err := time.Parse("2006-01-02T15:04:05-07:00", d+"T"+tm+off); err == nil {
			return t, true, true
		}
	}
	t, err := time.Parse("2006-01-02T15:04:05", d+"T"+tm)
	if err != nil {
		return time.Time{}, false, false
	}
	return t, false, true
}

// locationOf reads the first service area: "SYDNEY-AU" is city SYDNEY, country AU.
func locationOf(ev trackEvent) *shipgate.Location {
	if len(ev.ServiceArea) == 0 {
		return nil
	}
	desc := strings.TrimSpace(ev.ServiceArea[0].Description)
	if desc == "" {
		return nil
	}
	loc := &shipgate.Location{City: desc}
	if i := strings.LastIndex(desc, "-"); i > 0 && len(desc)-i-1 == 2 {
		loc.City, loc.Country = strings.TrimSpace(desc[:i]), desc[i+1:]
	}
	return loc
}
