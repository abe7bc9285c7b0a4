package dhl_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
	"github.com/shipgate/shipgate/carriers/carriertest/carriersim"
	"github.com/shipgate/shipgate/carriers/dhl"
	"github.com/shipgate/shipgate/carriers/dhl/dhlsim"
	"github.com/shipgate/shipgate/internal/barcodescan"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestConformance(t *testing.T) {
	e := newEnv(t)
	carriertest.Run(t, carriertest.Harness{
		Carrier:   dhl.Carrier,
		AccountID: "dhl-test",
		New:       func(t *testing.T) any { return e.client(t) },
	})
}

// TestDoneWhen is the acceptance: the simulator plus a dhl account
// give a domestic US quote and a US to Germany quote with customs, a ZPL
// label with a 10-digit waybill, tracking, and a clear unsupported void.
func TestDoneWhen(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	ctx := context.Background()

	dom, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()})
	mustNo(t, err)
	if len(dom) == 0 || dom[0].Total.Currency != "USD" || dom[0].Total.Amount <= 0 {
		t.Fatalf("domestic US quote: %+v", dom)
	}
	de := carriertest.USToGermany()
	intl, err := c.Rates(ctx, &carriers.RateRequest{Shipment: de})
	mustNo(t, err)
	if len(intl) == 0 || intl[0].TransitDays == 0 || intl[0].EstimatedDelivery == "" {
		t.Fatalf("US to Germany quote: %+v", intl)
	}
	rateBody := lastBody(t, e, "/rates")
	if !strings.Contains(rateBody, `"isCustomsDeclarable":true`) || !strings.Contains(rateBody, `"declaredValue"`) {
		t.Errorf("the US to Germany quote was not asked as a dutiable shipment with its declared value: %s", rateBody)
	}

	p, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: de, Service: "dhl_express_worldwide", Format: shipgate.FormatZPL, IdempotencyKey: "k1"})
	mustNo(t, err)
	if !regexp.MustCompile(`^\d{10}$`).MatchString(p.TrackingNumber) || p.ShipmentID != p.TrackingNumber {
		t.Fatalf("waybill %q (shipment id %q) is not a 10-digit DHL waybill", p.TrackingNumber, p.ShipmentID)
	}
	if n, _ := strconv.Atoi(p.TrackingNumber[:9]); n%7 != int(p.TrackingNumber[9]-'0') {
		t.Errorf("waybill %s fails DHL's mod-7 check digit", p.TrackingNumber)
	}
	doc := p.Parcels[0].Document
	if doc.Format != shipgate.FormatZPL || !bytes.HasPrefix(bytes.TrimSpace(doc.Data), []byte("^XA")) {
		t.Errorf("label is not a ZPL label: format %s, %.60q", doc.Format, doc.Data)
	}
	if code, err := barcodescan.DecodeZPL(doc.Data); err != nil || code != p.TrackingNumber {
		t.Errorf("the label's barcode reads %q (%v), want the waybill %s", code, err, p.TrackingNumber)
	}
	shipBody := lastBody(t, e, "/shipments")
	for _, want := range []string{`"exportDeclaration"`, `"lineItems"`, `"invoice"`, `"incoterm":"DAP"`, `"encodingFormat":"zpl"`, `"productCode":"P"`} {
		if !strings.Contains(shipBody, want) {
			t.Errorf("shipment request lacks %s: %s", want, shipBody)
		}
	}

	e.clock.Advance(5 * time.Hour)
	tr, err := c.Track(ctx, p.TrackingNumber)
	mustNo(t, err)
	if tr.Status != shipgate.StatusInTransit || len(tr.Events) < 3 {
		t.Errorf("tracking after 5 hours: status %s, %d events", tr.Status, len(tr.Events))
	}

	err = c.Void(ctx, &carriers.VoidRequest{ShipmentID: p.ShipmentID, TrackingNumber: p.TrackingNumber})
	if shipgate.ErrorCode(err) != shipgate.CodeUnsupported || !strings.Contains(shipgate.ErrorMessage(err), "no shipment cancellation") {
		t.Errorf("void: %v, want unsupported explaining that DHL has no cancellation", err)
	}
	if got := e.sim.Stats(); got["void"] != 0 || got["oauth"] != 0 || got["labels"] != 1 {
		t.Errorf("simulator stats %v: want one labels call, no oauth and no void", got)
	}
}

func lastBody(t *testing.T, e *env, path string) string {
	t.Helper()
	reqs := e.rec.all()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Path == path {
			return string(reqs[i].Body)
		}
	}
	t.Fatalf("no request to %s", path)
	return ""
}

func mustNo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func TestRequestHeaders(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	ctx := context.Background()
	for range 2 {
		_, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()})
		mustNo(t, err)
	}
	reqs := e.rec.all()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	refs := map[string]bool{}
	for _, r := range reqs {
		if v := r.Header.Get("x-version"); v != "3.3.1" {
			t.Errorf("x-version = %q, want 3.3.1", v)
		}
		user, pass, ok := basicAuth(r.Header.Get("Authorization"))
		if !ok || user != dhlsim.DefaultUsername || pass != dhlsim.DefaultPassword {
			t.Errorf("Authorization is not HTTP Basic with the account's credentials: %q", r.Header.Get("Authorization"))
		}
		ref := r.Header.Get("Message-Reference")
		if len(ref) == 0 || len(ref) > 36 || refs[ref] {
			t.Errorf("Message-Reference %q: want a fresh id of at most 36 characters per call", ref)
		}
		refs[ref] = true
	}
}

func basicAuth(h string) (user, pass string, ok bool) {
	v, found := strings.CutPrefix(h, "Basic ")
	if !found {
		return "", "", false
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return "", "", false
	}
	user, pass, ok = strings.Cut(string(b), ":")
	return
}

// TestWireUnits checks the units and rounding the adapter sends: kg to the
// gram, rounded up, whole centimetres rounded up, metric, and the planned
// shipping time in DHL's format.
func TestWireUnits(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	_, err := c.Rates(context.Background(), &carriers.RateRequest{Shipment: carriertest.DomesticUS()})
	mustNo(t, err)
	var body struct {
		Planned  string `json:"plannedShippingDateAndTime"`
		Unit     string `json:"unitOfMeasurement"`
		Packages []struct {
			Weight     float64            `json:"weight"`
			Dimensions map[string]float64 `json:"dimensions"`
		} `json:"packages"`
	}
	mustNo(t, json.Unmarshal([]byte(lastBody(t, e, "/rates")), &body))
	if body.Unit != "metric" {
		t.Errorf("unitOfMeasurement = %q", body.Unit)
	}
	// now is 15:00 UTC; the plan is an hour later, in the clock's zone.
	if body.Planned != "2026-03-02T16:00:00GMT+00:00" {
		t.Errorf("plannedShippingDateAndTime = %q", body.Planned)
	}
	// 2.5 lb = 1.13398 kg -> 1.134; 12x9x4 in = 30.48x22.86x10.16 cm -> 31x23x11.
	// 800 g -> 0.8 kg; 20x15x10 cm stays.
	want := []struct {
		kg      float64
		l, w, h float64
	}{{1.134, 31, 23, 11}, {0.8, 20, 15, 10}}
	for i, w := range want {
		p := body.Packages[i]
		if p.Weight != w.kg || p.Dimensions["length"] != w.l || p.Dimensions["width"] != w.w || p.Dimensions["height"] != w.h {
			t.Errorf("package %d = %v kg %v cm, want %v kg %vx%vx%v", i, p.Weight, p.Dimensions, w.kg, w.l, w.w, w.h)
		}
	}
}

func TestShipDates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	berlin, err := time.LoadLocation("Europe/Berlin")
	mustNo(t, err)
	tests := []struct {
		name, shipDate, timezone string
		wantPlanned              string
		wantCode                 shipgate.Code
	}{
		{"today", "", "", "2026-03-02T16:00:00GMT+00:00", ""},
		{"today named", "2026-03-02", "", "2026-03-02T16:00:00GMT+00:00", ""},
		{"later day at noon", "2026-03-05", "", "2026-03-05T12:00:00GMT+00:00", ""},
		{"shipper zone", "", "Europe/Berlin", start.In(berlin).Add(time.Hour).Format("2006-01-02T15:04:05") + "GMT+01:00", ""},
		{"ten days ahead", "2026-03-12", "", "2026-03-12T12:00:00GMT+00:00", ""},
		{"past", "2026-03-01", "", "", shipgate.CodeInvalidRequest},
		{"too far", "2026-03-13", "", "", shipgate.CodeInvalidRequest},
		{"not a date", "03/05/2026", "", "", shipgate.CodeInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := e.config()
			if tt.timezone != "" {
				cfg.Options = map[string]any{"timezone": tt.timezone}
			}
			c := mustClient(t, cfg, carriers.Env{Now: e.clock.Now})
			s := carriertest.DomesticUS()
			s.ShipDate = tt.shipDate
			_, err := c.Rates(ctx, &carriers.RateRequest{Shipment: s})
			if tt.wantCode != "" {
				if shipgate.ErrorCode(err) != tt.wantCode {
					t.Fatalf("error %v, want %s", err, tt.wantCode)
				}
				return
			}
			mustNo(t, err)
			var body struct {
				Planned string `json:"plannedShippingDateAndTime"`
			}
			mustNo(t, json.Unmarshal([]byte(lastBody(t, e, "/rates")), &body))
			if body.Planned != tt.wantPlanned {
				t.Errorf("plannedShippingDateAndTime = %q, want %q", body.Planned, tt.wantPlanned)
			}
		})
	}
}

// TestDutiable checks which shipments DHL is told are customs declarable,
// and the product code each buys.
func TestDutiable(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	ctx := context.Background()
	docs := carriertest.USToGermany()
	docs.Customs = &shipgate.Customs{Contents: "documents", Description: "Contracts"}
	eu := carriertest.USToGermany()
	eu.From = shipgate.Address{Name: "Lager", Company: "Acme BV", Street1: "Damrak 1", City: "Amsterdam", PostalCode: "1012 LG", Country: "NL", Phone: "+31205550100"}
	tests := []struct {
		name       string
		s          shipgate.Shipment
		service    string
		declarable bool
		product    string
	}{
		{"domestic", carriertest.DomesticUS(), "dhl_express_domestic", false, "N"},
		{"goods abroad", carriertest.USToGermany(), "dhl_express_worldwide", true, "P"},
		{"documents abroad", docs, "dhl_express_worldwide", false, "D"},
		{"documents 12:00", docs, "dhl_express_1200", false, "T"},
		{"goods 9:00", carriertest.USToGermany(), "dhl_express_900", true, "E"},
		{"inside the EU", eu, "dhl_express_worldwide", false, "U"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: tt.s, Service: tt.service, Format: shipgate.FormatPDF})
			mustNo(t, err)
			var body struct {
				ProductCode string `json:"productCode"`
				Content     struct {
					IsCustomsDeclarable bool            `json:"isCustomsDeclarable"`
					ExportDeclaration   json.RawMessage `json:"exportDeclaration"`
				} `json:"content"`
			}
			mustNo(t, json.Unmarshal([]byte(lastBody(t, e, "/shipments")), &body))
			if body.ProductCode != tt.product || body.Content.IsCustomsDeclarable != tt.declarable || (len(body.Content.ExportDeclaration) > 0) != tt.declarable {
				t.Errorf("product %s declarable %v export declaration %s; want %s, %v", body.ProductCode, body.Content.IsCustomsDeclarable, body.Content.ExportDeclaration, tt.product, tt.declarable)
			}
		})
	}
}

func TestPurchaseRefusedBeforeCalling(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	noPhone := carriertest.DomesticUS()
	noPhone.To.Phone = ""
	noCustoms := carriertest.USToGermany()
	noCustoms.Customs = nil
	adult := carriertest.DomesticUS()
	adult.Options.Signature = "adult"
	longStreet := carriertest.DomesticUS()
	longStreet.From.Street1 = strings.Repeat("x", 46)
	tests := []struct {
		name    string
		req     carriers.PurchaseRequest
		code    shipgate.Code
		field   string
		message string
	}{
		{"receiver phone", carriers.PurchaseRequest{Shipment: noPhone, Service: "dhl_express_domestic"}, shipgate.CodeInvalidRequest, "shipment.to.phone", "phone"},
		{"no customs abroad", carriers.PurchaseRequest{Shipment: noCustoms, Service: "dhl_express_worldwide"}, shipgate.CodeInvalidRequest, "shipment.customs", "customs"},
		{"domestic service abroad", carriers.PurchaseRequest{Shipment: carriertest.USToGermany(), Service: "dhl_express_domestic"}, shipgate.CodeInvalidRequest, "service", "domestic"},
		{"international service at home", carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "dhl_express_worldwide"}, shipgate.CodeInvalidRequest, "service", "international"},
		{"unknown service", carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "ups_ground"}, shipgate.CodeInvalidRequest, "service", "not a DHL Express service"},
		{"return label", carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "dhl_express_domestic", IsReturn: true}, shipgate.CodeUnsupported, "", "import account"},
		{"adult signature", carriers.PurchaseRequest{Shipment: adult, Service: "dhl_express_domestic"}, shipgate.CodeUnsupported, "", "adult"},
		{"street too long", carriers.PurchaseRequest{Shipment: longStreet, Service: "dhl_express_domestic"}, shipgate.CodeInvalidRequest, "shipment.from.street1", "45"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Purchase(context.Background(), &tt.req)
			var se *shipgate.Error
			if !errors.As(err, &se) || se.Code != tt.code || !strings.Contains(se.Message, tt.message) {
				t.Fatalf("error %v, want %s mentioning %q", err, tt.code, tt.message)
			}
			if tt.field != "" && (len(se.Fields) != 1 || se.Fields[0].Field != tt.field) {
				t.Errorf("fields %+v, want %s", se.Fields, tt.field)
			}
		})
	}
	if n := e.sim.Count(carriers.OpLabels); n != 0 {
		t.Errorf("%d shipments were sent to DHL", n)
	}
}

func TestPurchaseLabelsPerPiece(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	s := carriertest.DomesticUS()
	s.Parcels = append(s.Parcels, shipgate.Parcel{Weight: shipgate.Weight{Value: 3, Unit: shipgate.Kilogram}, Reference: "box-3"})
	for _, f := range []shipgate.LabelFormat{shipgate.FormatPDF, shipgate.FormatZPL, shipgate.FormatPNG} {
		t.Run(string(f), func(t *testing.T) {
			p, err := c.Purchase(context.Background(), &carriers.PurchaseRequest{Shipment: s, Service: "dhl_express_domestic", Format: f, Reference: "order-77"})
			mustNo(t, err)
			if len(p.Parcels) != 3 {
				t.Fatalf("%d parcels", len(p.Parcels))
			}
			want := f
			if f == shipgate.FormatPNG {
				want = shipgate.FormatPDF // DHL has no PNG labels
			}
			for i, pl := range p.Parcels {
				if !strings.HasPrefix(pl.TrackingNumber, "JD01") || pl.TrackingNumber == p.TrackingNumber {
					t.Errorf("parcel %d tracking number %q is not a DHL piece ID", i, pl.TrackingNumber)
				}
				if pl.Document.Format != want || pl.Document.Size != "4x8" || len(pl.Document.Data) == 0 {
					t.Errorf("parcel %d document %s %s (%d bytes), want %s", i, pl.Document.Format, pl.Document.Size, len(pl.Document.Data), want)
				}
				if want == shipgate.FormatPDF && !bytes.HasPrefix(pl.Document.Data, []byte("%PDF")) {
					t.Errorf("parcel %d is not a PDF", i)
				}
				if want == shipgate.FormatZPL && bytes.Count(pl.Document.Data, []byte("^XA")) != 1 {
					t.Errorf("parcel %d holds %d ZPL labels, want its own one", i, bytes.Count(pl.Document.Data, []byte("^XA")))
				}
			}
			var body struct {
				OutputImageProperties struct {
					PrinterDPI     int    `json:"printerDPI"`
					EncodingFormat string `json:"encodingFormat"`
				} `json:"outputImageProperties"`
			}
			mustNo(t, json.Unmarshal([]byte(lastBody(t, e, "/shipments")), &body))
			wantDPI := 0
			if f == shipgate.FormatZPL {
				wantDPI = 200
			}
			if body.OutputImageProperties.EncodingFormat != string(want) || body.OutputImageProperties.PrinterDPI != wantDPI {
				t.Errorf("outputImageProperties %+v, want %s at %d dpi", body.OutputImageProperties, want, wantDPI)
			}
		})
	}
}

func TestTrackingProgresses(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	ctx := context.Background()
	p, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: carriertest.USToGermany(), Service: "dhl_express_worldwide", Format: shipgate.FormatPDF})
	mustNo(t, err)
	steps := []struct {
		after  time.Duration
		status shipgate.Status
		code   string
	}{
		{0, shipgate.StatusPreTransit, "DUMMY_PU"},
		{90 * time.Minute, shipgate.StatusInTransit, "PU"},
		{10 * time.Hour, shipgate.StatusInTransit, "AF"},
		{12 * time.Hour, shipgate.StatusInTransit, "CR"},
		{16 * time.Hour, shipgate.StatusOutForDelivery, "WC"},
		{21 * time.Hour, shipgate.StatusDelivered, "OK"},
	}
	var elapsed time.Duration
	for _, st := range steps {
		e.clock.Advance(st.after - elapsed)
		elapsed = st.after
		for _, number := range []string{p.TrackingNumber, p.Parcels[0].TrackingNumber} {
			tr, err := c.Track(ctx, number)
			mustNo(t, err)
			if tr.Status != st.status || tr.CarrierStatus.Code != st.code || tr.TrackingNumber != number {
				t.Errorf("%s after %s: %s (%s), want %s (%s)", number, st.after, tr.Status, tr.CarrierStatus.Code, st.status, st.code)
			}
			if tr.EstimatedDelivery == "" || tr.Service != "dhl_express_worldwide" {
				t.Errorf("tracking lacks the estimated delivery or service: %+v", tr)
			}
		}
	}
}

func TestTrackBatch(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	ctx := context.Background()
	var numbers []string
	for range 2 {
		p, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "dhl_express_domestic", Format: shipgate.FormatZPL})
		mustNo(t, err)
		numbers = append(numbers, p.TrackingNumber)
	}
	p, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "dhl_express_domestic", Format: shipgate.FormatZPL})
	mustNo(t, err)
	numbers = append(numbers, "1234567890", "9356579890", p.Parcels[1].TrackingNumber)
	e.clock.Advance(2 * time.Hour)
	res, err := c.TrackBatch(ctx, numbers)
	mustNo(t, err)
	if len(res) != 5 || c.MaxBatch() != 200 {
		t.Fatalf("%d results, max batch %d", len(res), c.MaxBatch())
	}
	if res[4].Err != nil || res[4].Tracking.TrackingNumber != numbers[4] || res[4].Tracking.Status != shipgate.StatusInTransit {
		t.Errorf("a piece ID in the batch: %+v %v", res[4].Tracking, res[4].Err)
	}
	for i := range 2 {
		if res[i].Err != nil || res[i].Tracking.TrackingNumber != numbers[i] || res[i].Tracking.Status != shipgate.StatusInTransit {
			t.Errorf("result %d: %+v %v", i, res[i].Tracking, res[i].Err)
		}
	}
	if shipgate.ErrorCode(res[2].Err) != shipgate.CodeNotFound {
		t.Errorf("unknown waybill: %v, want not_found", res[2].Err)
	}
	if res[3].Err != nil || res[3].Tracking.Status != shipgate.StatusDelivered {
		t.Errorf("the spec's test waybill: %+v %v", res[3].Tracking, res[3].Err)
	}
	if n := e.sim.Count(carriers.OpTracking); n != 1 {
		t.Errorf("%d tracking calls for one batch", n)
	}
	all, err := c.TrackBatch(ctx, []string{"1111111111"})
	mustNo(t, err)
	if shipgate.ErrorCode(all[0].Err) != shipgate.CodeNotFound {
		t.Errorf("a batch DHL answers 404: %v, want not_found per item", all[0].Err)
	}
	if _, err := c.TrackBatch(ctx, make([]string, 201)); shipgate.ErrorCode(err) != shipgate.CodeInvalidRequest {
		t.Errorf("201 numbers: %v, want invalid_request", err)
	}
}

// TestSpecTestWaybill tracks one of the waybills the spec lists for testing:
// its history (modelled on the spec's example) crosses time zones, and
// events come newest first by instant.
func TestSpecTestWaybill(t *testing.T) {
	e := newEnv(t)
	tr, err := e.client(t).Track(context.Background(), "9356579890")
	mustNo(t, err)
	if tr.Status != shipgate.StatusDelivered || tr.StatusDetail != "Delivered : ALBY H" || len(tr.Events) != 12 {
		t.Fatalf("status %s %q, %d events", tr.Status, tr.StatusDetail, len(tr.Events))
	}
	last := tr.Events[len(tr.Events)-1]
	if last.CarrierCode != "PU" || !last.Time.Equal(time.Date(2023, 8, 9, 3, 56, 21, 0, time.UTC)) || last.Location.City != "SYDNEY" || last.Location.Country != "AU" {
		t.Errorf("oldest event %+v (%+v)", last, last.Location)
	}
}

func TestErrorsOverHTTP(t *testing.T) {
	ctx := context.Background()
	t.Run("bad postal code is carrier_rejected with DHL's words", func(t *testing.T) {
		e := newEnv(t)
		s := carriertest.DomesticUS()
		s.To.PostalCode = "ABCDE"
		_, err := e.client(t).Rates(ctx, &carriers.RateRequest{Shipment: s})
		var se *shipgate.Error
		if !errors.As(err, &se) || se.Code != shipgate.CodeCarrierRejected || se.Carrier == nil || se.Carrier.HTTPStatus != 400 || !strings.Contains(se.Carrier.Message, "ABCDE") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("refused credentials", func(t *testing.T) {
		e := newEnv(t)
		cfg := e.config()
		cfg.Credentials["password"] = shipgate.NewSecret("not-the-password")
		_, err := mustClient(t, cfg, carriers.Env{Now: e.clock.Now}).Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()})
		var se *shipgate.Error
		if !errors.As(err, &se) || se.Code != shipgate.CodeCarrierUnavailable || !strings.Contains(se.Message, "refused the credentials") || se.Carrier.HTTPStatus != 401 {
			t.Fatalf("%v", err)
		}
	})
	t.Run("wrong account number", func(t *testing.T) {
		e := newEnv(t)
		cfg := e.config()
		cfg.Credentials["account_number"] = shipgate.NewSecret("999999999")
		_, err := mustClient(t, cfg, carriers.Env{Now: e.clock.Now}).Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()})
		if shipgate.ErrorCode(err) != shipgate.CodeCarrierRejected || !strings.Contains(err.Error(), "account number is not found") {
			t.Fatalf("%v", err)
		}
	})
	faults := []struct {
		mode string
		code shipgate.Code
	}{
		{carriersim.ModeError, shipgate.CodeCarrierUnavailable},
		{carriersim.Mode429, shipgate.CodeRateLimited},
		{carriersim.ModeMalformed, shipgate.CodeCarrierUnavailable},
	}
	for _, f := range faults {
		t.Run("fault "+f.mode, func(t *testing.T) {
			e := newEnv(t, dhlsim.WithFaults(carriersim.Faults{Mode: f.mode}))
			c := e.client(t)
			// The simulator's 429 says Retry-After: 1; a deadline shorter than
			// that makes the adapter give up instead of waiting.
			ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
			defer cancel()
			if _, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()}); shipgate.ErrorCode(err) != f.code {
				t.Errorf("rates: %v, want %s", err, f.code)
			}
			before := e.sim.Count(carriers.OpLabels)
			_, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "dhl_express_domestic"})
			if shipgate.ErrorCode(err) != f.code {
				t.Errorf("purchase: %v, want %s", err, f.code)
			}
			if n := e.sim.Count(carriers.OpLabels) - before; n != 1 {
				t.Errorf("the purchase was sent %d times; it must never be retried", n)
			}
		})
	}
	t.Run("timeout", func(t *testing.T) {
		e := newEnv(t, dhlsim.WithFaults(carriersim.Faults{Mode: carriersim.ModeTimeout}))
		cfg := e.config()
		cfg.Timeout = 50 * time.Millisecond
		_, err := mustClient(t, cfg, carriers.Env{Now: e.clock.Now}).Track(ctx, "9356579890")
		if shipgate.ErrorCode(err) != shipgate.CodeCarrierTimeout {
			t.Errorf("%v, want carrier_timeout", err)
		}
	})
}

// TestSecretsNotLogged makes failing calls and searches the adapter's log
// output and errors for the password and the Basic credentials.
func TestSecretsNotLogged(t *testing.T) {
	const password = "s3cret-Passw0rd-that-must-not-leak"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, mode := range []string{"", carriersim.ModeError} {
		e := newEnv(t, dhlsim.WithCredentials(dhlsim.DefaultUsername, password, dhlsim.DefaultAccountNumber), dhlsim.WithFaults(carriersim.Faults{Mode: mode}))
		for _, pw := range []string{password, password + "-wrong"} {
			cfg := e.config()
			cfg.Credentials["password"] = shipgate.NewSecret(pw)
			c := mustClient(t, cfg, carriers.Env{Now: e.clock.Now, Logger: logger})
			_, err1 := c.Rates(context.Background(), &carriers.RateRequest{Shipment: func() shipgate.Shipment {
				s := carriertest.DomesticUS()
				s.To.PostalCode = "ABCDE"
				return s
			}()})
			_, err2 := c.Track(context.Background(), "0000000000")
			for _, err := range []error{err1, err2} {
				if err == nil {
					t.Fatal("the call did not fail")
				}
				logs.WriteString(err.Error() + "\n" + shipgate.ErrorMessage(err) + "\n")
				b, _ := json.Marshal(shipgate.Body(err))
				logs.Write(b)
			}
		}
	}
	basic := base64.StdEncoding.EncodeToString([]byte(dhlsim.DefaultUsername + ":" + password))
	if logs.Len() == 0 || !strings.Contains(logs.String(), "carrier error") {
		t.Fatalf("nothing was logged:\n%s", logs.String())
	}
	for _, secret := range []string{password, basic} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("a secret leaked into the logs or errors:\n%s", logs.String())
		}
	}
}

func TestNewNeedsCredentials(t *testing.T) {
	for _, field := range []string{"username", "password", "account_number"} {
		cfg := (&env{}).configWith("http://127.0.0.1:1")
		delete(cfg.Credentials, field)
		_, err := dhl.New(cfg, carriers.Env{})
		if err == nil || !strings.Contains(err.Error(), "credentials."+field) || !strings.Contains(err.Error(), `"dhl-test"`) {
			t.Errorf("without %s: %v", field, err)
		}
	}
	cfg := (&env{}).configWith("")
	c, err := dhl.New(cfg, carriers.Env{})
	mustNo(t, err)
	if len(c.Services()) == 0 {
		t.Error("no services")
	}
	cfg.Options = map[string]any{"timezone": "Mars/Olympus"}
	if _, err := dhl.New(cfg, carriers.Env{}); err == nil || !strings.Contains(err.Error(), "options.timezone") {
		t.Errorf("bad timezone: %v", err)
	}
	cfg = (&env{}).configWith("ftp://example.com")
	if _, err := dhl.New(cfg, carriers.Env{}); err == nil || !strings.Contains(err.Error(), "base_url") {
		t.Errorf("bad base_url: %v", err)
	}
}

func (e *env) configWith(base string) carriers.AccountConfig {
	return carriers.AccountConfig{
		ID: "dhl-test", Carrier: dhl.Carrier, BaseURL: base,
		Credentials: map[string]shipgate.Secret{
			"username": shipgate.NewSecret("u"), "password": shipgate.NewSecret("p"), "account_number": shipgate.NewSecret("1"),
		},
	}
}

// Golden files: the normalized results of rates, a purchase (documents
// without bytes) and tracking, against the simulator at a fixed time.
func TestGolden(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	ctx := context.Background()
	dom, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.DomesticUS()})
	mustNo(t, err)
	golden(t, "rates_domestic_us.json", dom)
	intl, err := c.Rates(ctx, &carriers.RateRequest{Shipment: carriertest.USToGermany()})
	mustNo(t, err)
	golden(t, "rates_us_de.json", intl)
	p, err := c.Purchase(ctx, &carriers.PurchaseRequest{Shipment: carriertest.USToGermany(), Service: "dhl_express_worldwide", Format: shipgate.FormatZPL})
	mustNo(t, err)
	for i := range p.Parcels {
		p.Parcels[i].Document.Data = nil
	}
	golden(t, "purchase_us_de.json", p)
	e.clock.Advance(13 * time.Hour)
	tr, err := c.Track(ctx, p.TrackingNumber)
	mustNo(t, err)
	golden(t, "tracking_us_de.json", tr)
	spec, err := c.Track(ctx, "9356579890")
	mustNo(t, err)
	golden(t, "tracking_spec_waybill.json", spec)
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	mustNo(t, err)
	got = append(got, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		mustNo(t, os.MkdirAll("testdata", 0o755))
		mustNo(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

func TestServicesCoverRates(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	var names []string
	for _, s := range c.Services() {
		names = append(names, s.Code)
	}
	for _, s := range []shipgate.Shipment{carriertest.DomesticUS(), carriertest.USToGermany()} {
		rates, err := c.Rates(context.Background(), &carriers.RateRequest{Shipment: s})
		mustNo(t, err)
		for _, r := range rates {
			if !slices.Contains(names, r.Service) {
				t.Errorf("rate service %s is not listed", r.Service)
			}
		}
	}
}

// Benchmarks: one adapter call against the simulator over loopback HTTP
// (request building, JSON both ways, the simulator's work; for labels, its
// rendering).
func benchEnv(b *testing.B) (*dhl.Client, *clock) {
	c := newClock(start)
	sim := dhlsim.New(dhlsim.WithClock(c.Now))
	srv := httptest.NewServer(sim)
	b.Cleanup(srv.Close)
	e := &env{clock: c, srv: srv}
	return e.client(b), c
}

func BenchmarkRates(b *testing.B) {
	c, _ := benchEnv(b)
	req := &carriers.RateRequest{Shipment: carriertest.USToGermany()}
	for b.Loop() {
		if _, err := c.Rates(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPurchase(b *testing.B) {
	for _, f := range []shipgate.LabelFormat{shipgate.FormatZPL, shipgate.FormatPDF} {
		b.Run(string(f), func(b *testing.B) {
			c, _ := benchEnv(b)
			req := &carriers.PurchaseRequest{Shipment: carriertest.DomesticUS(), Service: "dhl_express_domestic", Format: f}
			for b.Loop() {
				if _, err := c.Purchase(context.Background(), req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTrack(b *testing.B) {
	c, clk := benchEnv(b)
	p, err := c.Purchase(context.Background(), &carriers.PurchaseRequest{Shipment: carriertest.USToGermany(), Service: "dhl_express_worldwide", Format: shipgate.FormatZPL})
	if err != nil {
		b.Fatal(err)
	}
	clk.Advance(20 * time.Hour)
	for b.Loop() {
		if _, err := c.Track(context.Background(), p.TrackingNumber); err != nil {
			b.Fatal(err)
		}
	}
}
