package tracking

import (
	"slices"
	"time"

	"github.com/shipgate/shipgate"
)

// Normalize puts a carrier's tracking into shipgate's shape: events sorted
// newest first and de-duplicated, each event's status one of the normalized
// set (anything else is unknown), the current status derived from the newest
// event whose status is known, the carrier's own status kept beside it.
// It returns the events whose carrier code was not mapped (status unknown).
func Normalize(t *shipgate.Tracking) (unmapped []shipgate.TrackingEvent) {
	seen := make(map[eventKey]bool, len(t.Events))
	evs := t.Events[:0:0]
	for _, e := range t.Events {
		if !e.Status.Valid() {
			e.Status = shipgate.StatusUnknown
		}
		k := keyOf(e)
		if seen[k] {
			continue
		}
		seen[k] = true
		evs = append(evs, e)
		if e.Status == shipgate.StatusUnknown && e.CarrierCode != "" {
			unmapped = append(unmapped, e)
		}
	}
	slices.SortStableFunc(evs, func(a, b shipgate.TrackingEvent) int { return b.Time.Compare(a.Time) })
	t.Events = evs
	if t.Events == nil {
		t.Events = []shipgate.TrackingEvent{}
	}
	if !t.Status.Valid() {
		t.Status = shipgate.StatusUnknown
	}
	for _, e := range evs {
		if e.Status != shipgate.StatusUnknown {
			t.Status = e.Status
			if t.StatusDetail == "" {
				t.StatusDetail = e.Description
			}
			break
		}
	}
	if t.CarrierStatus.Code == "" && len(evs) > 0 {
		t.CarrierStatus = shipgate.CarrierStatus{Code: evs[0].CarrierCode, Description: evs[0].Description}
	}
	return unmapped
}

// eventKey identifies an event for de-duplication: carriers repeat scans
// across pages and answers.
type eventKey struct {
	at   time.Time
	code string
	desc string
	loc  shipgate.Location
}

func keyOf(e shipgate.TrackingEvent) eventKey {
	k := eventKey{at: e.Time.UTC(), code: e.CarrierCode, desc: e.Description}
	if e.Location != nil {
		k.loc = *e.Location
	}
	return k
}

// Changed reports whether b says something a did not: another status or
// another set of events.
func Changed(a, b *shipgate.Tracking) bool {
	if a == nil || b == nil {
		return a != b
	}
	if a.Status != b.Status || len(a.Events) != len(b.Events) || a.EstimatedDelivery != b.EstimatedDelivery {
		return true
	}
	ka := make([]eventKey, len(a.Events))
	for i, e := range a.Events {
		ka[i] = keyOf(e)
	}
	for i, e := range b.Events {
		if ka[i] != keyOf(e) {
			return true
		}
	}
	return false
}

// pollFactor scales the poll interval by status: parcels about to arrive
// are polled twice as often, those waiting for something half as often.
func pollInterval(base time.Duration, s shipgate.Status) time.Duration {
	switch s {
	case shipgate.StatusOutForDelivery:
		return base / 2
	case shipgate.StatusPreTransit, shipgate.StatusOnHold, shipgate.StatusAvailableForPickup:
		return base * 2
	}
	return base
}
