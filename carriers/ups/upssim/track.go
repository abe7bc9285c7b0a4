package upssim

import (
	"net/http"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
)

type trackAddressOut struct {
	City          string `json:"city,omitempty"`
	StateProvince string `json:"stateProvince,omitempty"`
	PostalCode    string `json:"postalCode,omitempty"`
	CountryCode   string `json:"countryCode,omitempty"`
	Country       string `json:"country,omitempty"`
}

type trackStatusOut struct {
	Type                      string `json:"type,omitempty"`
	Description               string `json:"description"`
	Code                      string `json:"code"`
	StatusCode                string `json:"statusCode,omitempty"`
	SimplifiedTextDescription string `json:"simplifiedTextDescription,omitempty"`
}

type activityOut struct {
	Location struct {
		Address trackAddressOut `json:"address"`
		Slic    string          `json:"slic,omitempty"`
	} `json:"location"`
	Status    trackStatusOut `json:"status"`
	Date      string         `json:"date"`
	Time      string         `json:"time"`
	GmtDate   string         `json:"gmtDate"`
	GmtOffset string         `json:"gmtOffset"`
	GmtTime   string         `json:"gmtTime"`
}

type packageOut struct {
	TrackingNumber string `json:"trackingNumber"`
	DeliveryDate   []struct {
		Type string `json:"type"`
		Date string `json:"date"`
	} `json:"deliveryDate,omitempty"`
	DeliveryTime *struct {
		Type    string `json:"type"`
		EndTime string `json:"endTime,omitempty"`
	} `json:"deliveryTime,omitempty"`
	Activity       []activityOut   `json:"activity"`
	CurrentStatus  *trackStatusOut `json:"currentStatus,omitempty"`
	PackageAddress []struct {
		Type    string          `json:"type"`
		Name    string          `json:"name,omitempty"`
		Address trackAddressOut `json:"address"`
	} `json:"packageAddress,omitempty"`
	Weight *struct {
		UnitOfMeasurement string `json:"unitOfMeasurement"`
		Weight            string `json:"weight"`
	} `json:"weight,omitempty"`
	Service *struct {
		Code        string `json:"code,omitempty"`
		LevelCode   string `json:"levelCode,omitempty"`
		Description string `json:"description"`
	} `json:"service,omitempty"`
	PackageCount int `json:"packageCount"`
}

type trackResponseOut struct {
	TrackResponse struct {
		Shipment []struct {
			InquiryNumber string       `json:"inquiryNumber"`
			Package       []packageOut `json:"package"`
		} `json:"shipment"`
	} `json:"trackResponse"`
}

// step is one scan of the simulated journey.
type step struct {
	at                          time.Time
	typ, code, statusCode, text string
	simplified                  string
	where                       shipgate.Address
	originOnly, delivered       bool
}

// hub is where packages change trucks or planes.
var hub = shipgate.Address{City: "Louisville", State: "KY", PostalCode: "40209", Country: "US"}

// journey returns every scan of a package, oldest first, whether or not it
// has happened yet.
func journey(sh *shipment) []step {
	t0 := sh.created.UTC()
	deliver := addBusinessDays(day(t0), max(sh.days, 1))
	at := func(d time.Time, h, m int) time.Time {
		return d.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	steps := []step{
		{at: t0, typ: "M", code: "MP", statusCode: "003", text: "Shipper created a label, UPS has not received the package yet.", simplified: "Label Created", where: sh.from, originOnly: true},
		{at: t0.Add(4 * time.Hour), typ: "P", code: "PU", statusCode: "038", text: "Pickup Scan", simplified: "On the Way", where: sh.from},
		{at: t0.Add(6 * time.Hour), typ: "I", code: "OR", statusCode: "005", text: "Origin Scan", simplified: "On the Way", where: sh.from},
		{at: t0.Add(8 * time.Hour), typ: "I", code: "DP", statusCode: "005", text: "Departed from Facility", simplified: "On the Way", where: sh.from},
	}
	if sh.days >= 2 || sh.intl {
		steps = append(steps,
			step{at: t0.Add(20 * time.Hour), typ: "I", code: "AR", statusCode: "005", text: "Arrived at Facility", simplified: "On the Way", where: hub},
			step{at: t0.Add(24 * time.Hour), typ: "I", code: "DP", statusCode: "005", text: "Departed from Facility", simplified: "On the Way", where: hub},
		)
	}
	if sh.intl {
		prev := at(deliver.AddDate(0, 0, -1), 9, 0)
		steps = append(steps,
			step{at: prev, typ: "I", code: "YO", statusCode: "012", text: "Clearance in Progress", simplified: "On the Way", where: sh.to},
			step{at: prev.Add(3 * time.Hour), typ: "I", code: "SR", statusCode: "005", text: "Your package was released by the customs agency.", simplified: "On the Way", where: sh.to},
		)
	}
	steps = append(steps,
		step{at: at(deliver, 3, 10), typ: "I", code: "AR", statusCode: "005", text: "Arrived at Facility", simplified: "On the Way", where: sh.to},
		step{at: at(deliver, 6, 25), typ: "I", code: "YP", statusCode: "071", text: "Processing at UPS Facility", simplified: "On the Way", where: sh.to},
		step{at: at(deliver, 7, 15), typ: "I", code: "OF", statusCode: "072", text: "Loaded on Delivery Vehicle", simplified: "On the Way", where: sh.to},
		step{at: at(deliver, 8, 45), typ: "I", code: "OT", statusCode: "021", text: "Out For Delivery Today", simplified: "Out for Delivery", where: sh.to},
		step{at: at(deliver, 12, 5), typ: "D", code: "FS", statusCode: "011", text: "DELIVERED", simplified: "Delivered", where: sh.to, delivered: true},
	)
	// Scans never go back in time, whatever the day the label was bought.
	for i := 1; i < len(steps); i++ {
		if !steps[i].at.After(steps[i-1].at) {
			steps[i].at = steps[i-1].at.Add(30 * time.Minute)
		}
	}
	return steps
}

// track serves GET /api/track/v1/details/{inquiryNumber}.
func (s *Server) track(w http.ResponseWriter, r *http.Request) {
	for _, h := range []string{"transId", "transactionSrc"} {
		if strings.TrimSpace(r.Header.Get(h)) == "" {
			missing(h).write(w)
			return
		}
	}
	n := strings.ToUpper(strings.TrimSpace(r.PathValue("inquiryNumber")))
	if len(n) < 7 || len(n) > 34 {
		invalid("inquiryNumber", n).write(w)
		return
	}
	s.mu.Lock()
	sh, ok := s.packages[n]
	var voided bool
	var voidedAt time.Time
	if ok {
		voidedAt, voided = sh.voided[n]
	}
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "TW0001", "Tracking Information Not Found")
		return
	}
	now := s.cfg.now()
	all := journey(sh)
	var seen []step
	for _, st := range all {
		if !st.at.After(now) {
			seen = append(seen, st)
		}
	}
	if voided {
		seen = []step{all[0], {at: voidedAt, typ: "M", code: "VP", statusCode: "007", text: "Shipment Information Voided", simplified: "Shipment Information Voided", where: sh.from, originOnly: true}}
	}
	if len(seen) == 0 {
		seen = all[:1]
	}
	pkg := packageOut{TrackingNumber: n, PackageCount: len(sh.packages)}
	for i := len(seen) - 1; i >= 0; i-- {
		st := seen[i]
		var a activityOut
		a.Location.Address = trackAddress(st.where, st.originOnly)
		a.Status = trackStatusOut{Type: st.typ, Description: st.text, Code: st.code, StatusCode: st.statusCode}
		t := st.at.UTC()
		a.Date, a.Time = t.Format("20060102"), t.Format("150405")
		a.GmtDate, a.GmtTime, a.GmtOffset = t.Format("20060102"), t.Format("15:04:05"), "+00:00"
		pkg.Activity = append(pkg.Activity, a)
	}
	last := seen[len(seen)-1]
	pkg.CurrentStatus = &trackStatusOut{Description: last.simplified, Code: last.statusCode, SimplifiedTextDescription: last.simplified}
	final := all[len(all)-1]
	type dd = struct {
		Type string `json:"type"`
		Date string `json:"date"`
	}
	switch {
	case last.delivered:
		pkg.DeliveryDate = []dd{{"DEL", last.at.Format("20060102")}}
		pkg.DeliveryTime = &struct {
			Type    string `json:"type"`
			EndTime string `json:"endTime,omitempty"`
		}{"DEL", last.at.Format("150405")}
	case !voided:
		pkg.DeliveryDate = []dd{{"SDD", final.at.Format("20060102")}}
		pkg.DeliveryTime = &struct {
			Type    string `json:"type"`
			EndTime string `json:"endTime,omitempty"`
		}{"EOD", commitTime(sh.svc.commit)}
	}
	for _, pa := range []struct {
		typ string
		a   shipgate.Address
	}{{"ORIGIN", sh.from}, {"DESTINATION", sh.to}} {
		pkg.PackageAddress = append(pkg.PackageAddress, struct {
			Type    string          `json:"type"`
			Name    string          `json:"name,omitempty"`
			Address trackAddressOut `json:"address"`
		}{pa.typ, "", trackAddress(pa.a, false)})
	}
	for i, tn := range sh.packages {
		if tn == n {
			pkg.Weight = &struct {
				UnitOfMeasurement string `json:"unitOfMeasurement"`
				Weight            string `json:"weight"`
			}{sh.weightUOM, sh.weights[i]}
		}
	}
	pkg.Service = &struct {
		Code        string `json:"code,omitempty"`
		LevelCode   string `json:"levelCode,omitempty"`
		Description string `json:"description"`
	}{LevelCode: "0" + sh.svc.code, Description: sh.svc.name}

	var out trackResponseOut
	out.TrackResponse.Shipment = append(out.TrackResponse.Shipment, struct {
		InquiryNumber string       `json:"inquiryNumber"`
		Package       []packageOut `json:"package"`
	}{n, []packageOut{pkg}})
	writeJSON(w, http.StatusOK, out)
}

func trackAddress(a shipgate.Address, countryOnly bool) trackAddressOut {
	if countryOnly {
		return trackAddressOut{CountryCode: a.Country, Country: a.Country}
	}
	return trackAddressOut{City: a.City, StateProvince: a.State, PostalCode: a.PostalCode, CountryCode: a.Country, Country: a.Country}
}
