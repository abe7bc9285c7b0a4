package dhlsim

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// maxTrack is the spec's limit of numbers in one GET /tracking call.
const maxTrack = 200

var (
	trackingViews  = []string{"all-checkpoints", "all-checkpoints-with-remarks", "last-checkpoint", "shipment-details-only", "advance-shipment", "bbx-children"}
	levelsOfDetail = []string{"shipment", "piece", "all"}
)

// trackingAnswer is supermodelIoLogisticsExpressTrackingResponse.
type trackingAnswer struct {
	Shipments []trackedShipment `json:"shipments"`
}

type trackedShipment struct {
	ShipmentTrackingNumber string         `json:"shipmentTrackingNumber"`
	Status                 string         `json:"status"`
	ShipmentTimestamp      string         `json:"shipmentTimestamp"`
	ProductCode            string         `json:"productCode"`
	Description            string         `json:"description"`
	ShipperDetails         trackedParty   `json:"shipperDetails"`
	ReceiverDetails        trackedParty   `json:"receiverDetails"`
	TotalWeight            float64        `json:"totalWeight"`
	UnitOfMeasurements     string         `json:"unitOfMeasurements"`
	Events                 []trackedEvent `json:"events"`
	NumberOfPieces         float64        `json:"numberOfPieces"`
	Pieces                 []trackedPiece `json:"pieces,omitempty"`
	EstimatedDeliveryDate  string         `json:"estimatedDeliveryDate,omitempty"`
}

type trackedParty struct {
	Name          string `json:"name"`
	PostalAddress struct {
		CityName    string `json:"cityName"`
		PostalCode  string `json:"postalCode"`
		CountryCode string `json:"countryCode"`
	} `json:"postalAddress"`
	ServiceArea []serviceArea `json:"serviceArea"`
}

type serviceArea struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

type trackedEvent struct {
	Date        string        `json:"date"`
	Time        string        `json:"time"`
	GMTOffset   string        `json:"GMTOffset,omitempty"`
	TypeCode    string        `json:"typeCode"`
	Description string        `json:"description"`
	ServiceArea []serviceArea `json:"serviceArea,omitempty"`
	SignedBy    string        `json:"signedBy,omitempty"`
}

type trackedPiece struct {
	Number                 float64        `json:"number"`
	TypeCode               string         `json:"typeCode"`
	ShipmentTrackingNumber string         `json:"shipmentTrackingNumber"`
	TrackingNumber         string         `json:"trackingNumber"`
	Events                 []trackedEvent `json:"events"`
}

// step is one checkpoint of a simulated journey, at offset after creation.
type step struct {
	after       time.Duration
	code        string
	description string
	atOrigin    bool // the origin service area, else the destination's
}

// journey is the checkpoint plan of a shipment; clearance steps are added
// for shipments that cross a border.
func journey(l lane) []step {
	s := []step{
		{0, "DUMMY_PU", "Shipment information received", true},
		{1 * time.Hour, "PU", "Shipment picked up", true},
		{3 * time.Hour, "PL", "Processed at %s", true},
		{4 * time.Hour, "DF", "Shipment has departed from a DHL facility %s", true},
		{10 * time.Hour, "AF", "Arrived at DHL Sort Facility %s", false},
	}
	if !l.domestic {
		s = append(s,
			step{11 * time.Hour, "RR", "Customs clearance status updated. Note - The Customs clearance process may start while the shipment is in transit to the destination.", false},
			step{12 * time.Hour, "CR", "Clearance processing complete at %s", false})
	}
	return append(s,
		step{14 * time.Hour, "AR", "Arrived at DHL Delivery Facility %s", false},
		step{16 * time.Hour, "WC", "Shipment is out with courier for delivery", false},
		step{20 * time.Hour, "OK", "Delivered", false},
	)
}

// events returns the checkpoints reached by now, oldest first (DHL's order).
func (s *Server) events(sh *shipment, withOffset bool) []trackedEvent {
	elapsed := time.Duration(float64(s.now().Sub(sh.created)) * s.speed)
	var out []trackedEvent
	for _, st := range journey(sh.lane) {
		if st.after > elapsed {
			break
		}
		area := serviceArea{Code: areaCode(sh.to.city()), Description: areaName(sh.to.city(), sh.to.country())}
		if st.atOrigin {
			area = serviceArea{Code: areaCode(sh.from.city()), Description: areaName(sh.from.city(), sh.from.country())}
		}
		desc := st.description
		if strings.Contains(desc, "%s") {
			desc = fmt.Sprintf(desc, area.Description)
		}
		at := sh.created.Add(time.Duration(float64(st.after) / s.speed)).UTC()
		ev := trackedEvent{Date: at.Format("2006-01-02"), Time: at.Format("15:04:05"), TypeCode: st.code, Description: desc, ServiceArea: []serviceArea{area}}
		if withOffset {
			ev.GMTOffset = "+00:00"
		}
		if st.code == "OK" {
			ev.SignedBy = "RECEIVER"
		}
		out = append(out, ev)
	}
	return out
}

func (s *Server) tracked(sh *shipment, withOffset bool, level string) trackedShipment {
	t := trackedShipment{
		ShipmentTrackingNumber: sh.awb, Status: "Success",
		ShipmentTimestamp: sh.created.UTC().Format("2006-01-02T15:04:05"),
		ProductCode:       sh.product.code, Description: "DHL " + sh.product.name,
		TotalWeight: sh.kg, UnitOfMeasurements: "metric",
		Events:                s.events(sh, withOffset),
		NumberOfPieces:        float64(len(sh.pieces)),
		EstimatedDeliveryDate: sh.delivery.Format("2006-01-02T15:04:05"),
	}
	for _, pt := range []struct {
		p *trackedParty
		a *address
	}{{&t.ShipperDetails, sh.from}, {&t.ReceiverDetails, sh.to}} {
		pt.p.PostalAddress.CityName, pt.p.PostalAddress.PostalCode, pt.p.PostalAddress.CountryCode = pt.a.city(), pt.a.postal(), pt.a.country()
		pt.p.ServiceArea = []serviceArea{{Code: areaCode(pt.a.city()), Description: areaName(pt.a.city(), pt.a.country())}}
	}
	if level == "piece" || level == "all" {
		for i, id := range sh.pieces {
			t.Pieces = append(t.Pieces, trackedPiece{Number: float64(i + 1), TypeCode: "PIECE", ShipmentTrackingNumber: sh.awb, TrackingNumber: id, Events: t.Events})
		}
	}
	return t
}

// checkViews answers 400 for a trackingView or levelOfDetail outside the spec's enums.
func checkViews(w http.ResponseWriter, r *http.Request) (level string, ok bool) {
	q := r.URL.Query()
	if v := q.Get("trackingView"); v != "" && !slices.Contains(trackingViews, v) {
		writeProblem(w, r, http.StatusBadRequest, problem{Title: "Wrong format", Message: "Bad request",
			Detail: "Parameters not having correct format: trackingView (valid parameters for trackingView are [" + strings.Join(trackingViews, ", ") + "]"})
		return "", false
	}
	level = q.Get("levelOfDetail")
	if level != "" && !slices.Contains(levelsOfDetail, level) {
		writeProblem(w, r, http.StatusBadRequest, problem{Title: "Wrong format", Message: "Bad request",
			Detail: "Parameters not having correct format: levelOfDetail (valid parameters for levelOfDetail are [" + strings.Join(levelsOfDetail, ", ") + "]"})
		return "", false
	}
	return level, true
}

// noData answers the spec's 404 shape.
func noData(w http.ResponseWriter, r *http.Request) {
	writeProblem(w, r, http.StatusNotFound, problem{Title: "Not data found", Message: "Not data found", Detail: "No data found"})
}

// lookup finds a shipment by waybill or piece ID; the spec's test waybills
// answer a fixed history.
func (s *Server) lookup(n string, withOffset bool, level string) (trackedShipment, bool) {
	s.mu.Lock()
	sh, ok := s.shipments[n]
	if !ok {
		if awb, isPiece := s.pieces[n]; isPiece {
			sh, ok = s.shipments[awb]
		}
	}
	s.mu.Unlock()
	if ok {
		return s.tracked(sh, withOffset, level), true
	}
	if slices.Contains(specTestWaybills, n) {
		return specHistory(n, withOffset, level), true
	}
	return trackedShipment{}, false
}

// trackOne answers GET /shipments/{number}/tracking.
func (s *Server) trackOne(w http.ResponseWriter, r *http.Request) {
	level, ok := checkViews(w, r)
	if !ok {
		return
	}
	withOffset := r.URL.Query().Get("requestGMTOffsetPerEvent") == "true"
	t, found := s.lookup(r.PathValue("number"), withOffset, level)
	if !found {
		noData(w, r)
		return
	}
	writeJSON(w, http.StatusOK, trackingAnswer{Shipments: []trackedShipment{t}})
}

// trackMany answers GET /tracking?shipmentTrackingNumber=...&pieceTrackingNumber=...
// with the shipments found; 404 when none is.
func (s *Server) trackMany(w http.ResponseWriter, r *http.Request) {
	level, ok := checkViews(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	numbers := append(splitList(q["shipmentTrackingNumber"]), splitList(q["pieceTrackingNumber"])...)
	switch {
	case len(numbers) == 0:
		writeProblem(w, r, http.StatusBadRequest, problem{Title: "Missing parameters", Message: "Bad request", Detail: "Missing mandatory parameters: shipmentTrackingNumber"})
		return
	case len(splitList(q["shipmentTrackingNumber"])) > maxTrack || len(splitList(q["pieceTrackingNumber"])) > maxTrack:
		badRequest(w, r, fmt.Sprintf("Too many tracking numbers: at most %d per request", maxTrack))
		return
	}
	out := trackingAnswer{}
	seen := map[string]bool{}
	for _, n := range numbers {
		t, found := s.lookup(n, false, level)
		if !found || seen[t.ShipmentTrackingNumber] {
			continue
		}
		seen[t.ShipmentTrackingNumber] = true
		out.Shipments = append(out.Shipments, t)
	}
	if len(out.Shipments) == 0 {
		noData(w, r)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// splitList accepts both repeated parameters and comma-separated values.
func splitList(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// specTestWaybills are the waybills the spec lists for testing tracking.
var specTestWaybills = []string{
	"9356579890", "4818240420", "5584773180", "5786694550", "2449648740",
	"5980622760", "5980622970", "5980623180", "5980770460", "6781059250",
	"9077880070", "5786694760", "7957673080", "5786696720", "8066924740",
}

// specHistory is the delivered Sydney to Auckland journey of the spec's
// tracking example, told for one of the test waybills.
func specHistory(awb string, withOffset bool, level string) trackedShipment {
	syd := []serviceArea{{Code: "SYD", Description: "SYDNEY-AU"}}
	akl := []serviceArea{{Code: "AKL", Description: "AUCKLAND-NZ"}}
	ev := func(date, tm, off, code, desc string, area []serviceArea) trackedEvent {
		e := trackedEvent{Date: date, Time: tm, TypeCode: code, Description: desc, ServiceArea: area}
		if withOffset {
			e.GMTOffset = off
		}
		return e
	}
	events := []trackedEvent{
		ev("2023-08-09", "13:56:21", "+10:00", "PU", "Shipment picked up", syd),
		ev("2023-08-09", "18:47:01", "+10:00", "AF", "Arrived at DHL Sort Facility - SYDNEY-AU", syd),
		ev("2023-08-09", "19:40:02", "+10:00", "PL", "Processed at- SYDNEY-AU", syd),
		ev("2023-08-09", "21:28:58", "+10:00", "DF", "Shipment has departed from a DHL facility- SYDNEY-AU", syd),
		ev("2023-08-09", "21:49:12", "+12:00", "RR", "Customs clearance status updated. Note - The Customs clearance process may start while the shipment is in transit to the destination. ", akl),
		ev("2023-08-10", "04:09:01", "+12:00", "AF", "Arrived at DHL Sort Facility - AUCKLAND-NZ", akl),
		ev("2023-08-10", "04:18:00", "+12:00", "CR", "Clearance processing complete at- AUCKLAND-NZ", akl),
		ev("2023-08-10", "05:58:15", "+12:00", "PL", "Processed at- AUCKLAND-NZ", akl),
		ev("2023-08-10", "05:58:58", "+12:00", "DF", "Shipment has departed from a DHL facility- AUCKLAND-NZ", akl),
		ev("2023-08-10", "09:50:00", "+12:00", "AR", "Arrived at DHL Delivery Facility - AUCKLAND-NZ", akl),
		ev("2023-08-10", "10:50:14", "+12:00", "WC", "Shipment is out with courier for delivery", akl),
		ev("2023-08-10", "11:59:23", "+12:00", "OK", "Delivered : ALBY H", akl),
	}
	t := trackedShipment{
		ShipmentTrackingNumber: awb, Status: "Success", ShipmentTimestamp: "2023-08-09T13:42:48",
		ProductCode: "P", Description: "BUSHING", TotalWeight: 0.99, UnitOfMeasurements: "metric",
		Events: events, NumberOfPieces: 1, EstimatedDeliveryDate: "2023-08-11T23:59:00",
	}
	t.ShipperDetails.PostalAddress.CountryCode, t.ShipperDetails.ServiceArea = "AU", syd
	t.ReceiverDetails.PostalAddress.CountryCode, t.ReceiverDetails.ServiceArea = "NZ", akl
	if level == "piece" || level == "all" {
		t.Pieces = []trackedPiece{{Number: 1, TypeCode: "SMF", ShipmentTrackingNumber: awb, TrackingNumber: "JD01" + awb + "000001", Events: events}}
	}
	return t
}
