package dhlsim_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shipgate/shipgate/carriers/dhl/dhlsim"
	"github.com/shipgate/shipgate/internal/openapitest"
)

const specFile = "dhl-express/dpdhl-express-api-3.3.1.yaml"

var (
	specOnce sync.Once
	spec     *openapitest.Spec
	specErr  error
)

func dhlSpec(t testing.TB) *openapitest.Spec {
	t.Helper()
	dir, ok := openapitest.CarrierSpecsDir()
	if !ok {
		t.Skipf("carrier specs not found: skipping validation against %s", specFile)
	}
	specOnce.Do(func() {
		b, err := os.ReadFile(filepath.Join(dir, specFile))
		if err != nil {
			specErr = err
			return
		}
		spec, specErr = openapitest.Parse(b)
	})
	if specErr != nil {
		t.Fatalf("load %s: %v", specFile, specErr)
	}
	return spec
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

type fixture struct {
	clock *clock
	sim   *dhlsim.Server
	srv   *httptest.Server
}

func newFixture(t *testing.T, opts ...dhlsim.Option) *fixture {
	t.Helper()
	f := &fixture{clock: &clock{t: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)}}
	f.sim = dhlsim.New(append([]dhlsim.Option{dhlsim.WithClock(f.clock.Now)}, opts...)...)
	f.srv = httptest.NewServer(f.sim)
	t.Cleanup(f.srv.Close)
	return f
}

// answer is one simulator response.
type answer struct {
	method, path, query string
	status              int
	header              http.Header
	body                []byte
}

// call sends a request with the default credentials and x-version unless
// header overrides them (an empty value removes a header).
func (f *fixture) call(t *testing.T, method, target string, body any, header map[string]string) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, ok := body.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(body); err != nil {
				t.Fatal(err)
			}
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, f.srv.URL+target, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(dhlsim.DefaultUsername, dhlsim.DefaultPassword)
	req.Header.Set("x-version", "3.3.1")
	req.Header.Set("Message-Reference", "test-ref-1")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	u, _ := url.Parse(target)
	return answer{method: method, path: u.Path, query: u.RawQuery, status: res.StatusCode, header: res.Header, body: b}
}

// validate checks an answer against the response schema of its operation.
// Error answers carry the Content-Type application/problem+json that the
// spec's header documents, while the spec keys their body schema under
// application/json: the body is validated under that key.
func validate(t *testing.T, a answer) {
	t.Helper()
	s := dhlSpec(t)
	req := openapitest.RequestFromRecord(a.method, a.path, http.Header{}, nil)
	req.URL.RawQuery = a.query
	h := a.header.Clone()
	if h.Get("Content-Type") == "application/problem+json" {
		h.Set("Content-Type", "application/json")
	}
	if err := s.ValidateResponse(req, a.status, h, a.body); err != nil {
		t.Errorf("%s %s answered %d, which does not follow the DHL spec: %v\n%.600s", a.method, a.path, a.status, err, a.body)
	}
}

func wantStatus(t *testing.T, a answer, status int) {
	t.Helper()
	if a.status != status {
		t.Fatalf("%s %s: status %d, want %d: %.800s", a.method, a.path, a.status, status, a.body)
	}
}

// specExample returns a named request example of an operation, as JSON.
func specRequestExamples(t *testing.T, path string) map[string]map[string]any {
	t.Helper()
	s := dhlSpec(t)
	op := s.Doc.Paths.Value(path).Post
	out := map[string]map[string]any{}
	for name, ex := range op.RequestBody.Value.Content["application/json"].Examples {
		b, err := json.Marshal(ex.Value.Value)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		out[name] = m
	}
	return out
}

// dayOf sets the clock to the morning of the example's planned shipping day.
func (f *fixture) dayOf(t *testing.T, planned any) {
	t.Helper()
	s, _ := planned.(string)
	d, err := time.Parse("2006-01-02", s[:10])
	if err != nil {
		t.Fatalf("planned shipping date %q: %v", s, err)
	}
	f.clock.Set(d.Add(2 * time.Hour))
}

// TestSpecShipmentExamples feeds the spec's own create-shipment request
// examples to the simulator and validates its answers against the spec.
func TestSpecShipmentExamples(t *testing.T) {
	exs := specRequestExamples(t, "/shipments")
	want := map[string]int{
		"sampleRequest1": http.StatusCreated,    // dutiable CN -> US, product P, PDF with waybill doc and invoice
		"sampleRequest2": http.StatusCreated,    // domestic GB documents, product I
		"sampleRequest3": http.StatusCreated,    // paperless trade SG -> FR
		"sampleRequest4": http.StatusCreated,    // label free SG -> AU
		"sampleRequest5": http.StatusBadRequest, // account "XXXXXXXXX"
	}
	if len(exs) != len(want) {
		t.Errorf("the spec has %d shipment request examples, the test knows %d", len(exs), len(want))
	}
	for name, ex := range exs {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.dayOf(t, ex["plannedShippingDateAndTime"])
			a := f.call(t, http.MethodPost, "/shipments", ex, nil)
			wantStatus(t, a, want[name])
			validate(t, a)
			if a.status != http.StatusCreated {
				return
			}
			var out struct {
				ShipmentTrackingNumber string `json:"shipmentTrackingNumber"`
				Packages               []struct {
					TrackingNumber string `json:"trackingNumber"`
				} `json:"packages"`
				Documents []struct {
					TypeCode, ImageFormat, Content string
				} `json:"documents"`
			}
			if err := json.Unmarshal(a.body, &out); err != nil {
				t.Fatal(err)
			}
			if !regexp.MustCompile(`^\d{10}$`).MatchString(out.ShipmentTrackingNumber) || a.header.Get("Location") != "/shipments/"+out.ShipmentTrackingNumber {
				t.Errorf("waybill %q, Location %q", out.ShipmentTrackingNumber, a.header.Get("Location"))
			}
			pkgs := ex["content"].(map[string]any)["packages"].([]any)
			if len(out.Packages) != len(pkgs) {
				t.Errorf("%d pieces for %d packages", len(out.Packages), len(pkgs))
			}
			labels := 0
			for _, d := range out.Documents {
				b, err := base64.StdEncoding.DecodeString(d.Content)
				if err != nil || !bytes.HasPrefix(b, []byte("%PDF")) {
					t.Errorf("document %s is not a base64 PDF", d.TypeCode)
				}
				if d.TypeCode == "label" {
					labels++
				}
			}
			if labels == 0 {
				t.Error("no label document")
			}
		})
	}
}

func TestSpecRateExample(t *testing.T) {
	exs := specRequestExamples(t, "/rates")
	if len(exs) == 0 {
		t.Fatal("no rate request example")
	}
	for name, ex := range exs {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.dayOf(t, ex["plannedShippingDateAndTime"])
			a := f.call(t, http.MethodPost, "/rates", ex, nil)
			wantStatus(t, a, http.StatusOK)
			validate(t, a)
			var out struct {
				Products []struct {
					ProductCode string
					TotalPrice  []struct {
						CurrencyType, PriceCurrency string
						Price                       float64
					}
				}
			}
			if err := json.Unmarshal(a.body, &out); err != nil {
				t.Fatal(err)
			}
			// The example filters on product P; the shipper is in Singapore.
			if len(out.Products) != 1 || out.Products[0].ProductCode != "P" || out.Products[0].TotalPrice[0].PriceCurrency != "SGD" || out.Products[0].TotalPrice[0].Price <= 0 {
				t.Errorf("%s", a.body)
			}
			again := f.call(t, http.MethodPost, "/rates", ex, nil)
			if !bytes.Equal(again.body, a.body) {
				t.Error("the same request was priced differently")
			}
		})
	}
}

// rateBody is a valid multi-piece rate request (US domestic).
func rateBody(toPostal string) map[string]any {
	return map[string]any{
		"customerDetails": map[string]any{
			"shipperDetails":  map[string]any{"postalCode": "30309", "cityName": "Atlanta", "countryCode": "US"},
			"receiverDetails": map[string]any{"postalCode": toPostal, "cityName": "San Francisco", "countryCode": "US"},
		},
		"accounts":                   []any{map[string]any{"typeCode": "shipper", "number": dhlsim.DefaultAccountNumber}},
		"plannedShippingDateAndTime": "2026-03-02T16:00:00GMT+00:00",
		"unitOfMeasurement":          "metric",
		"isCustomsDeclarable":        false,
		"packages":                   []any{map[string]any{"weight": 1.5, "dimensions": map[string]any{"length": 30, "width": 20, "height": 10}}},
	}
}

func TestRatesRefused(t *testing.T) {
	f := newFixture(t)
	missing := rateBody("94105")
	delete(missing, "unitOfMeasurement")
	delete(missing["customerDetails"].(map[string]any)["receiverDetails"].(map[string]any), "countryCode")
	wrongAccount := rateBody("94105")
	wrongAccount["accounts"] = []any{map[string]any{"typeCode": "shipper", "number": "999"}}
	past := rateBody("94105")
	past["plannedShippingDateAndTime"] = "2026-03-01T16:00:00GMT+00:00"
	malformed := rateBody("94105")
	malformed["plannedShippingDateAndTime"] = "2026-03-02 16:00"
	product := rateBody("94105")
	product["productCode"] = "P" // international goods on a domestic lane
	tests := []struct {
		name    string
		body    any
		status  int
		contain string
	}{
		{"postal code ABCDE in the US", rateBody("ABCDE"), 400, "Invalid postal code 'ABCDE' for country US"},
		{"missing keys", missing, 422, "required key [unitOfMeasurement] not found"},
		{"wrong account", wrongAccount, 400, "The account number is not found or invalid"},
		{"past date", past, 400, "is in the past"},
		{"malformed date", malformed, 400, "998: ShipTimeStamp is not well formatted"},
		{"product not on the lane", product, 400, "not available between this origin and destination"},
		{"not JSON", []byte(`{"customerDetails":`), 422, "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := f.call(t, http.MethodPost, "/rates", tt.body, nil)
			wantStatus(t, a, tt.status)
			if a.status == 400 {
				validate(t, a) // the spec documents 400 (and 500) for /rates
			}
			var p map[string]any
			if err := json.Unmarshal(a.body, &p); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(a.body), tt.contain) || p["status"] != itoa(tt.status) || a.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("%s", a.body)
			}
		})
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestAuthAndVersion(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name    string
		header  map[string]string
		status  int
		contain string
	}{
		{"no credentials", map[string]string{"Authorization": ""}, 401, "Invalid Credentials"},
		{"wrong password", map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(dhlsim.DefaultUsername+":nope"))}, 401, "Invalid Credentials"},
		{"no x-version", map[string]string{"x-version": ""}, 400, "Missing mandatory parameters: x-version"},
		{"other x-version", map[string]string{"x-version": "2.12.0"}, 400, "x-version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := f.call(t, http.MethodPost, "/rates", rateBody("94105"), tt.header)
			wantStatus(t, a, tt.status)
			if !strings.Contains(string(a.body), tt.contain) {
				t.Errorf("%s", a.body)
			}
			if tt.status == 400 {
				validate(t, a)
			}
		})
	}
	custom := newFixture(t, dhlsim.WithCredentials("me", "pw", "42"))
	a := custom.call(t, http.MethodPost, "/rates", rateBody("94105"), map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("me:pw"))})
	wantStatus(t, a, 400) // the credentials pass; the body's account is not 42
}

// shipmentBody is a valid create-shipment request for a US domestic shipment.
func shipmentBody(pieces int, format string, linked bool) map[string]any {
	party := func(city, postal, name string) map[string]any {
		return map[string]any{
			"postalAddress":      map[string]any{"postalCode": postal, "cityName": city, "countryCode": "US", "addressLine1": "1 Main St"},
			"contactInformation": map[string]any{"phone": "4045550100", "companyName": name, "fullName": name},
		}
	}
	var pkgs []any
	for i := range pieces {
		pkgs = append(pkgs, map[string]any{"weight": 1.25, "referenceNumber": i + 1})
	}
	b := map[string]any{
		"plannedShippingDateAndTime": "2026-03-02T16:00:00GMT+00:00",
		"pickup":                     map[string]any{"isRequested": false},
		"productCode":                "N",
		"getRateEstimates":           true,
		"accounts":                   []any{map[string]any{"typeCode": "shipper", "number": dhlsim.DefaultAccountNumber}},
		"outputImageProperties":      map[string]any{"encodingFormat": format, "imageOptions": []any{map[string]any{"typeCode": "label", "templateName": "ECOM26_84_001"}}},
		"customerDetails":            map[string]any{"shipperDetails": party("Atlanta", "30309", "Acme"), "receiverDetails": party("San Francisco", "94105", "Jane Doe")},
		"content":                    map[string]any{"packages": pkgs, "isCustomsDeclarable": false, "description": "Goods", "incoterm": "DAP", "unitOfMeasurement": "metric"},
		"estimatedDeliveryDate":      map[string]any{"isRequested": true, "typeCode": "QDDC"},
	}
	if linked {
		b["getAdditionalInformation"] = []any{map[string]any{"typeCode": "linkLabelsByPieces", "isRequested": true}}
	}
	return b
}

type created struct {
	ShipmentTrackingNumber string `json:"shipmentTrackingNumber"`
	Packages               []struct {
		ReferenceNumber float64 `json:"referenceNumber"`
		TrackingNumber  string  `json:"trackingNumber"`
	} `json:"packages"`
	Documents []struct {
		TypeCode               string  `json:"typeCode"`
		ImageFormat            string  `json:"imageFormat"`
		Content                string  `json:"content"`
		PackageReferenceNumber float64 `json:"packageReferenceNumber"`
	} `json:"documents"`
	ShipmentCharges []struct {
		CurrencyType string  `json:"currencyType"`
		Price        float64 `json:"price"`
	} `json:"shipmentCharges"`
}

func (f *fixture) create(t *testing.T, body map[string]any) created {
	t.Helper()
	a := f.call(t, http.MethodPost, "/shipments", body, nil)
	wantStatus(t, a, http.StatusCreated)
	validate(t, a)
	var c created
	if err := json.Unmarshal(a.body, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestShipmentLabels(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		format  string
		linked  bool
		docs    int
		perDocs int // labels (^XA or pages) per document, for ZPL
	}{
		{"zpl", true, 3, 1},
		{"zpl", false, 1, 3},
		{"pdf", true, 3, 0},
		{"pdf", false, 1, 0},
	}
	for _, tt := range tests {
		c := f.create(t, shipmentBody(3, tt.format, tt.linked))
		if len(c.Documents) != tt.docs {
			t.Fatalf("%s linked=%v: %d documents, want %d", tt.format, tt.linked, len(c.Documents), tt.docs)
		}
		for i, d := range c.Documents {
			b, err := base64.StdEncoding.DecodeString(d.Content)
			if err != nil {
				t.Fatal(err)
			}
			if tt.linked && d.PackageReferenceNumber != float64(i+1) {
				t.Errorf("document %d names package %v", i, d.PackageReferenceNumber)
			}
			switch tt.format {
			case "zpl":
				if d.ImageFormat != "ZPL" || bytes.Count(b, []byte("^XA")) != tt.perDocs || !bytes.Contains(b, []byte(c.ShipmentTrackingNumber)) {
					t.Errorf("zpl document %d: %s with %d labels", i, d.ImageFormat, bytes.Count(b, []byte("^XA")))
				}
			case "pdf":
				if d.ImageFormat != "PDF" || !bytes.HasPrefix(b, []byte("%PDF")) {
					t.Errorf("pdf document %d: %s %.8q", i, d.ImageFormat, b)
				}
			}
		}
		for i, p := range c.Packages {
			if !regexp.MustCompile(`^JD01\d{16}$`).MatchString(p.TrackingNumber) {
				t.Errorf("piece %d ID %q", i, p.TrackingNumber)
			}
		}
		if len(c.ShipmentCharges) != 1 || c.ShipmentCharges[0].CurrencyType != "BILLC" || c.ShipmentCharges[0].Price <= 0 {
			t.Errorf("charges %+v", c.ShipmentCharges)
		}
	}
}

func TestShipmentRefused(t *testing.T) {
	f := newFixture(t)
	noPhone := shipmentBody(1, "pdf", true)
	delete(noPhone["customerDetails"].(map[string]any)["receiverDetails"].(map[string]any)["contactInformation"].(map[string]any), "phone")
	dutiable := shipmentBody(1, "pdf", true)
	dutiable["content"].(map[string]any)["isCustomsDeclarable"] = true
	badPostal := shipmentBody(1, "pdf", true)
	badPostal["customerDetails"].(map[string]any)["receiverDetails"].(map[string]any)["postalAddress"].(map[string]any)["postalCode"] = "ABCDE"
	tests := []struct {
		name    string
		body    map[string]any
		status  int
		contain string
	}{
		{"receiver phone", noPhone, 422, "#/customerDetails/receiverDetails/contactInformation: required key [phone] not found"},
		{"dutiable without declaration", dutiable, 422, "required key [exportDeclaration] not found"},
		{"bad postal code", badPostal, 400, "Invalid postal code 'ABCDE'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := f.call(t, http.MethodPost, "/shipments", tt.body, nil)
			wantStatus(t, a, tt.status)
			validate(t, a)
			if !strings.Contains(string(a.body), tt.contain) {
				t.Errorf("%s", a.body)
			}
		})
	}
}

func TestTracking(t *testing.T) {
	f := newFixture(t)
	c := f.create(t, shipmentBody(2, "zpl", true))
	awb := c.ShipmentTrackingNumber
	other := f.create(t, shipmentBody(1, "pdf", true)).ShipmentTrackingNumber

	codes := func(a answer) []string {
		var out struct {
			Shipments []struct {
				ShipmentTrackingNumber string
				Events                 []struct{ TypeCode, GMTOffset string }
				Pieces                 []struct{ TrackingNumber string }
			}
		}
		if err := json.Unmarshal(a.body, &out); err != nil {
			t.Fatal(err)
		}
		var cs []string
		for _, s := range out.Shipments {
			for _, e := range s.Events {
				cs = append(cs, e.TypeCode+e.GMTOffset)
			}
		}
		return cs
	}
	a := f.call(t, http.MethodGet, "/shipments/"+awb+"/tracking?trackingView=all-checkpoints&levelOfDetail=all&requestGMTOffsetPerEvent=true", nil, nil)
	wantStatus(t, a, 200)
	validate(t, a)
	if got := strings.Join(codes(a), ","); got != "DUMMY_PU+00:00" {
		t.Errorf("just created: %s", got)
	}
	f.clock.Advance(17 * time.Hour)
	a = f.call(t, http.MethodGet, "/shipments/"+awb+"/tracking", nil, nil)
	validate(t, a)
	if got := strings.Join(codes(a), ","); got != "DUMMY_PU,PU,PL,DF,AF,AR,WC" {
		t.Errorf("after 17 hours: %s", got)
	}
	f.clock.Advance(4 * time.Hour)
	a = f.call(t, http.MethodGet, "/tracking?pieceTrackingNumber="+c.Packages[1].TrackingNumber, nil, nil)
	wantStatus(t, a, 200)
	validate(t, a)
	if got := codes(a); got[len(got)-1] != "OK" {
		t.Errorf("after 21 hours, by piece: %v", got)
	}

	a = f.call(t, http.MethodGet, "/tracking?shipmentTrackingNumber="+awb+"&shipmentTrackingNumber=1234567890&shipmentTrackingNumber="+other+"&levelOfDetail=shipment", nil, nil)
	wantStatus(t, a, 200)
	validate(t, a)
	if n := strings.Count(string(a.body), `"shipmentTrackingNumber":"`); n != 2 {
		t.Errorf("a batch of two known and one unknown waybill returned %d shipments", n)
	}

	fast := newFixture(t, dhlsim.WithSpeed(60))
	awb = fast.create(t, shipmentBody(1, "pdf", true)).ShipmentTrackingNumber
	fast.clock.Advance(21 * time.Minute)
	if got := codes(fast.call(t, http.MethodGet, "/shipments/"+awb+"/tracking", nil, nil)); got[len(got)-1] != "OK" {
		t.Errorf("at 60x, 21 minutes: %v", got)
	}
}

func TestTrackingNotFound(t *testing.T) {
	f := newFixture(t)
	for _, target := range []string{"/shipments/1251820953/tracking?trackingView=all-checkpoints&levelOfDetail=shipment", "/tracking?shipmentTrackingNumber=1251820953"} {
		a := f.call(t, http.MethodGet, target, nil, nil)
		wantStatus(t, a, http.StatusNotFound)
		validate(t, a)
		var p map[string]any
		if err := json.Unmarshal(a.body, &p); err != nil {
			t.Fatal(err)
		}
		// The spec's 404 example: instance, detail, title, message, status.
		want := map[string]any{"instance": "/expressapi" + target, "detail": "No data found", "title": "Not data found", "message": "Not data found", "status": "404"}
		if len(p) != len(want) {
			t.Errorf("%v, want %v", p, want)
		}
		for k, v := range want {
			if p[k] != v {
				t.Errorf("%s = %v, want %v", k, p[k], v)
			}
		}
	}
	a := f.call(t, http.MethodGet, "/shipments/1251820953/tracking?trackingView=shipment-details", nil, nil)
	wantStatus(t, a, http.StatusBadRequest)
	validate(t, a)
}

func TestSpecTestWaybills(t *testing.T) {
	f := newFixture(t)
	a := f.call(t, http.MethodGet, "/tracking?shipmentTrackingNumber=9356579890&shipmentTrackingNumber=4818240420&levelOfDetail=all", nil, nil)
	wantStatus(t, a, 200)
	validate(t, a)
	if strings.Count(string(a.body), `"typeCode":"OK"`) != 4 { // shipment and piece events, two waybills
		t.Errorf("%s", a.body)
	}
}

func TestStatsFaultsAndPrefixes(t *testing.T) {
	f := newFixture(t)
	f.call(t, http.MethodPost, "/mydhlapi/test/rates", rateBody("94105"), nil)
	f.call(t, http.MethodPost, "/mydhlapi/rates", rateBody("94105"), nil)
	c := f.create(t, shipmentBody(1, "pdf", true))
	f.call(t, http.MethodGet, "/shipments/"+c.ShipmentTrackingNumber+"/tracking", nil, nil)

	res, err := http.Get(f.srv.URL + "/_sim/stats")
	if err != nil {
		t.Fatal(err)
	}
	var stats struct{ Requests map[string]int64 }
	_ = json.NewDecoder(res.Body).Decode(&stats)
	res.Body.Close()
	want := map[string]int64{"oauth": 0, "rates": 2, "labels": 1, "void": 0, "tracking": 1}
	for k, v := range want {
		if stats.Requests[k] != v {
			t.Errorf("stats %v, want %v", stats.Requests, want)
			break
		}
	}

	res, err = http.Post(f.srv.URL+"/_sim/faults", "application/json", strings.NewReader(`{"mode":"error"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	a := f.call(t, http.MethodPost, "/rates", rateBody("94105"), nil)
	wantStatus(t, a, http.StatusInternalServerError)
	validate(t, a)
	if !strings.Contains(string(a.body), `"status":"500"`) {
		t.Errorf("%s", a.body)
	}
}
