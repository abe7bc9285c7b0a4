package ups

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/internal/carrierhttp"
)

// Track returns the history of one package through UPS Tracking
// (GET /track/v1/details/{inquiryNumber}): events newest first, each mapped
// onto shipgate's statuses from UPS's status type, activity code and status
// code (see statusFor), UPS's activity code kept in CarrierCode and its
// current status in CarrierStatus; the scheduled or rescheduled delivery
// date as EstimatedDelivery.
//
// Errors: invalid_request for a number UPS cannot track (7 to 34
// characters); not_found when UPS knows no such number; carrier_unavailable,
// carrier_timeout or rate_limited when UPS fails.
func (c *Client) Track(ctx context.Context, trackingNumber string) (*shipgate.Tracking, error) {
	n := strings.ToUpper(strings.TrimSpace(trackingNumber))
	if len(n) < 7 || len(n) > 34 {
		return nil, shipgate.FieldErrorf("tracking_number", "a UPS inquiry number has 7 to 34 characters")
	}
	var out trackResponseEnvelope
	if _, err := c.call(ctx, &carrierhttp.Request{
		Op: carriers.OpTracking, Method: http.MethodGet, Path: "/track/" + TrackingVersion + "/details/" + url.PathEscape(n),
		Query:      url.Values{"locale": {"en_US"}, "returnSignature": {"false"}, "returnMilestones": {"false"}, "returnPOD": {"false"}},
		Idempotent: true,
	}, &out); err != nil {
		return nil, err
	}
	return c.tracking(&out, n)
}

// tracking converts Tracking's answer for number n.
func (c *Client) tracking(out *trackResponseEnvelope, n string) (*shipgate.Tracking, error) {
	var pkg *trackPackage
	for i := range out.TrackResponse.Shipment {
		sh := &out.TrackResponse.Shipment[i]
		for j := range sh.Package {
			p := &sh.Package[j]
			if pkg == nil || strings.EqualFold(strings.TrimSpace(p.TrackingNumber.String()), n) {
				pkg = p
			}
		}
	}
	if pkg == nil {
		msg := "UPS has no tracking information for this number"
		for _, sh := range out.TrackResponse.Shipment {
			for _, w := range sh.Warnings {
				if m := strings.TrimSpace(w.Message.String()); m != "" {
					msg = "UPS: " + m
				}
			}
		}
		return nil, shipgate.Errorf(shipgate.CodeNotFound, "%s", msg)
	}
	t := &shipgate.Tracking{
		Carrier: Name, Account: c.id, TrackingNumber: n, Status: shipgate.StatusUnknown,
		Events: []shipgate.TrackingEvent{}, UpdatedAt: c.now(),
	}
	for _, a := range pkg.Activity {
		ev := shipgate.TrackingEvent{
			Time:        activityTime(a.Date.String(), a.Time.String(), a.GmtOffset.String(), a.GmtDate.String(), a.GmtTime.String()),
			Status:      statusFor(a.Status.Type.String(), a.Status.Code.String(), a.Status.StatusCode.String()),
			Description: strings.TrimSpace(a.Status.Description.String()),
			CarrierCode: carrierCode(a.Status),
		}
		if l := a.Location; l != nil && l.Address != nil {
			ad := l.Address
			loc := &shipgate.Location{
				City: strings.TrimSpace(ad.City.String()), State: strings.TrimSpace(ad.StateProvince.String()),
				PostalCode: strings.TrimSpace(ad.PostalCode.String()), Country: strings.TrimSpace(firstNonEmpty(ad.CountryCode.String(), ad.Country.String())),
			}
			if *loc != (shipgate.Location{}) {
				ev.Location = loc
			}
		}
		if ev.Time.IsZero() {
			continue // an event UPS gives no readable time is of no use in a history
		}
		t.Events = append(t.Events, ev)
	}
	sort.SliceStable(t.Events, func(i, j int) bool { return t.Events[i].Time.After(t.Events[j].Time) })

	if cs := pkg.CurrentStatus; cs != nil && carrierCode(*cs) != "" {
		code := strings.TrimSpace(cs.Code.String())
		statusCode := strings.TrimSpace(cs.StatusCode.String())
		if statusCode == "" && isStatusCode(code) {
			statusCode, code = code, ""
		}
		t.Status = statusFor(cs.Type.String(), code, statusCode)
		t.CarrierStatus = shipgate.CarrierStatus{Code: carrierCode(*cs), Description: strings.TrimSpace(cs.Description.String())}
		t.StatusDetail = strings.TrimSpace(firstNonEmpty(cs.SimplifiedTextDescription.String(), cs.Description.String()))
	}
	if len(t.Events) > 0 && (t.Status == shipgate.StatusUnknown || pkg.CurrentStatus == nil) {
		newest := t.Events[0]
		t.Status = newest.Status
		if t.CarrierStatus.Code == "" {
			t.CarrierStatus = shipgate.CarrierStatus{Code: newest.CarrierCode, Description: newest.Description}
		}
		if t.StatusDetail == "" {
			t.StatusDetail = newest.Description
		}
	}
	var sched, resched string
	for _, d := range pkg.DeliveryDate {
		day, err := time.Parse("20060102", strings.TrimSpace(d.Date.String()))
		if err != nil {
			continue
		}
		switch strings.ToUpper(strings.TrimSpace(d.Type.String())) {
		case "SDD":
			sched = day.Format(shipgate.DateLayout)
		case "RDD":
			resched = day.Format(shipgate.DateLayout)
		}
	}
	t.EstimatedDelivery = firstNonEmpty(resched, sched)
	if s := pkg.Service; s != nil {
		if svc, ok := serviceByText[strings.ToLower(strings.TrimSpace(s.Description.String()))]; ok {
			t.Service = svc.Code
		}
	}
	return t, nil
}

// carrierCode is the code kept beside a mapped status: the activity code
// ("OT"), else the status code ("021"), else the type ("I").
func carrierCode(s trackStatus) string {
	return firstNonEmpty(s.Code.String(), s.StatusCode.String(), s.Type.String())
}

func isStatusCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// activityTime reads an activity's local date (YYYYMMDD) and time (HHMMSS)
// with its GMT offset ("-05:00"); without an offset, the GMT date and time.
func activityTime(date, tm, offset, gmtDate, gmtTime string) time.Time {
	date, tm, offset = strings.TrimSpace(date), strings.TrimSpace(tm), strings.TrimSpace(offset)
	if len(tm) == 4 {
		tm += "00"
	}
	if offset != "" {
		if t, err := time.Parse("20060102150405-07:00", date+tm+offset); err == nil {
			return t.UTC()
		}
	}
	g := strings.ReplaceAll(strings.TrimSpace(gmtTime), ":", "")
	if len(g) == 5 {
		g = "0" + g
	}
	if t, err := time.Parse("20060102150405", strings.TrimSpace(gmtDate)+g); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse("20060102150405", date+tm); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse("20060102", date); err == nil {
		return t.UTC()
	}
	return time.Time{}
}

// statusByStatusCode maps UPS's 3-digit package status codes (statusCode
// in an activity, code in currentStatus) onto shipgate's statuses. UPS's
// specification gives only the example "003"; the others are UPS's status
// list as published by UPS-API/api-documentation#7 and seen in UPS's answers.
var statusByStatusCode = map[string]shipgate.Status{
	"003": shipgate.StatusPreTransit,         // Shipper created a label, UPS has not received the package yet
	"005": shipgate.StatusInTransit,          // In Transit (arrivals, departures, origin scans)
	"007": shipgate.StatusCancelled,          // Shipment Information Voided
	"011": shipgate.StatusDelivered,          // Delivered
	"012": shipgate.StatusInTransit,          // Clearance in Progress
	"013": shipgate.StatusDelayed,            // Exception: Update
	"016": shipgate.StatusOnHold,             // Held in Warehouse
	"017": shipgate.StatusAvailableForPickup, // Held for Customer Pickup
	"021": shipgate.StatusOutForDelivery,     // Out For Delivery Today
	"028": shipgate.StatusInTransit,          // Delivery Address Changed
	"038": shipgate.StatusInTransit,          // Picked Up
	"040": shipgate.StatusAvailableForPickup, // Delivered to UPS Access Point, awaiting customer pickup
	"071": shipgate.StatusInTransit,          // Processing at UPS Facility / Preparing for Delivery
	"072": shipgate.StatusOutForDelivery,     // Loaded on Delivery Vehicle
}

// statusByActivityCode maps the few 2-character activity codes whose
// meaning the status type alone does not carry.
var statusByActivityCode = map[string]shipgate.Status{
	"OT": shipgate.StatusOutForDelivery, // Out For Delivery Today (type I)
	"OF": shipgate.StatusOutForDelivery, // Loaded on Delivery Vehicle (type I)
	"MV": shipgate.StatusCancelled,      // Billing information voided (type M)
	"VP": shipgate.StatusCancelled,      // Shipment Information Voided
}

// statusByType maps UPS's activity status types (UPS Tracking appendix:
// M manifest, MV manifest voided, P pickup, I in transit, O out for delivery,
// D delivered, X exception, RS returned to shipper, DO/DD delivered to the
// origin/destination container freight station, W warehousing, NA not
// available).
var statusByType = map[string]shipgate.Status{
	"M":  shipgate.StatusPreTransit,
	"MV": shipgate.StatusCancelled,
	"P":  shipgate.StatusInTransit,
	"I":  shipgate.StatusInTransit,
	"O":  shipgate.StatusOutForDelivery,
	"D":  shipgate.StatusDelivered,
	"X":  shipgate.StatusDelayed,
	"RS": shipgate.StatusReturnToSender,
	"DO": shipgate.StatusInTransit,
	"DD": shipgate.StatusInTransit,
	"W":  shipgate.StatusOnHold,
	"NA": shipgate.StatusUnknown,
}

// statusFor maps one UPS status onto shipgate's statuses: the 3-digit status
// code first (the most precise), then the activity code, then the status
// type; anything else is StatusUnknown, never guessed.
func statusFor(typ, code, statusCode string) shipgate.Status {
	if s, ok := statusByStatusCode[strings.TrimSpace(statusCode)]; ok {
		return s
	}
	if s, ok := statusByActivityCode[strings.ToUpper(strings.TrimSpace(code))]; ok {
		return s
	}
	if s, ok := statusByType[strings.ToUpper(strings.TrimSpace(typ))]; ok {
		return s
	}
	return shipgate.StatusUnknown
}
