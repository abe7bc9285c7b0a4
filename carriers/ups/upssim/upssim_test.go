package upssim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shipgate/shipgate/carriers/ups/internal/upsspec"
	"github.com/shipgate/shipgate/carriers/ups/upssim"
)

func TestCheckDigit(t *testing.T) {
	valid := []string{
		"1Z999AA10123456784", // UPS's published sample number
		upssim.TrackingNumber("S1M8U5", "03", 1, 1),
		upssim.TrackingNumber("A1B2C3", "65", 99999, 12),
		upssim.TrackingNumber("abc", "1", 7, 3), // padded and upper-cased
	}
	for _, tn := range valid {
		if !upssim.ValidTrackingNumber(tn) {
			t.Errorf("%s: check digit refused", tn)
		}
		if len(tn) != 18 || !strings.HasPrefix(tn, "1Z") {
			t.Errorf("%s: not 1Z + 16", tn)
		}
	}
	for _, tn := range []string{"1Z999AA10123456785", "1Z999AA1012345678", "2Z999AA10123456784", "1Z999AA1012345678?", ""} {
		if upssim.ValidTrackingNumber(tn) {
			t.Errorf("%s: accepted", tn)
		}
	}
	if d, ok := upssim.CheckDigit("999AA1012345678"); !ok || d != '4' {
		t.Errorf("CheckDigit = %c, %v; want 4", d, ok)
	}
	if got := upssim.TrackingNumber("S1M8U5", "03", 123, 2); got[:17] != "1ZS1M8U5030012302" {
		t.Errorf("layout %s: want 1Z + shipper + service + 5-digit shipment + 2-digit package", got)
	}
}

type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *simClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Response struct {
			Errors []struct{ Code, Message string }
		}
	}
	if err := json.Unmarshal(body, &e); err != nil || len(e.Response.Errors) != 1 {
		t.Fatalf("not UPS's error shape: %s", body)
	}
	return e.Response.Errors[0].Code
}

const domesticRate = `{"RateRequest":{"Request":{"RequestOption":"Shop"},"Shipment":{
 "Shipper":{"Name":"A","ShipperNumber":"S1M8U5","Address":{"AddressLine":["1 Main"],"City":"Atlanta","StateProvinceCode":"GA","PostalCode":"30309","CountryCode":"US"}},
 "ShipTo":{"Name":"B","Address":{"AddressLine":["2 Main"],"City":"SF","StateProvinceCode":"CA","PostalCode":"%s","CountryCode":"US"}},
 "Package":[{"PackagingType":{"Code":"02"},"PackageWeight":{"UnitOfMeasurement":{"Code":"LBS","Description":"Pounds"},"Weight":"2"}}]}}}`

func TestSimulatorChecksRequests(t *testing.T) {
	clk := &simClock{t: time.Date(2025, 3, 11, 9, 0, 0, 0, time.UTC)}
	sim := upssim.New(upssim.WithClock(clk.now), upssim.WithTokenLifetime(time.Hour))
	srv := httptest.NewServer(sim)
	defer srv.Close()

	form := func(grant string) io.Reader { return strings.NewReader(url.Values{"grant_type": {grant}}.Encode()) }
	tokenReq := func(id, secret, grant, ct string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/security/v1/oauth/token", form(grant))
		req.SetBasicAuth(id, secret)
		req.Header.Set("Content-Type", ct)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	const formCT = "application/x-www-form-urlencoded"

	t.Run("oauth", func(t *testing.T) {
		status, body := tokenReq(upssim.DefaultClientID, upssim.DefaultClientSecret, "client_credentials", formCT)
		var tok map[string]any
		if err := json.Unmarshal(body, &tok); err != nil || status != 200 {
			t.Fatalf("%d %s", status, body)
		}
		for _, k := range []string{"token_type", "issued_at", "client_id", "access_token", "scope", "expires_in", "refresh_count", "status"} {
			if _, ok := tok[k].(string); !ok {
				t.Errorf("%s is %T, want a string as UPS sends", k, tok[k])
			}
		}
		if tok["expires_in"] != "3600" {
			t.Errorf("expires_in %v", tok["expires_in"])
		}
		for _, c := range []struct {
			id, secret, grant, ct string
			status                int
			code                  string
		}{
			{upssim.DefaultClientID, "wrong", "client_credentials", formCT, 401, "10401"},
			{"someone", upssim.DefaultClientSecret, "client_credentials", formCT, 401, "10401"},
			{upssim.DefaultClientID, upssim.DefaultClientSecret, "password", formCT, 400, "10400"},
			{upssim.DefaultClientID, upssim.DefaultClientSecret, "client_credentials", "application/json", 400, "10400"},
		} {
			status, body := tokenReq(c.id, c.secret, c.grant, c.ct)
			if status != c.status || errorCode(t, body) != c.code {
				t.Errorf("%+v: %d %s", c, status, body)
			}
		}
	})

	tok := token(t, srv.URL)
	t.Run("bearer token", func(t *testing.T) {
		status, body := call(t, http.MethodPost, srv.URL+"/api/rating/v2409/Shop", "not-a-token", []byte(strings.Replace(domesticRate, "%s", "94105", 1)))
		if status != 401 || errorCode(t, body) != "250002" {
			t.Errorf("unknown token: %d %s", status, body)
		}
		if status, _ := call(t, http.MethodPost, srv.URL+"/api/rating/v2409/Shop", tok, []byte(strings.Replace(domesticRate, "%s", "94105", 1))); status != 200 {
			t.Errorf("valid token: %d", status)
		}
		clk.add(61 * time.Minute)
		status, body = call(t, http.MethodPost, srv.URL+"/api/rating/v2409/Shop", tok, []byte(strings.Replace(domesticRate, "%s", "94105", 1)))
		if status != 401 || errorCode(t, body) != "250002" {
			t.Errorf("expired token: %d %s", status, body)
		}
	})

	tok = token(t, srv.URL)
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		code                     string
	}{
		{"invalid US postal code", "POST", "/api/rating/v2409/Shop", strings.Replace(domesticRate, "%s", "ABCDE", 1), nil, 400, "111285"},
		{"ZIP+4 accepted", "POST", "/api/rating/v2409/Shop", strings.Replace(domesticRate, "%s", "94105-1234", 1), nil, 200, ""},
		{"unknown request option", "POST", "/api/rating/v2409/Cheapest", strings.Replace(domesticRate, "%s", "94105", 1), nil, 400, "20006"},
		{"Rate without a service", "POST", "/api/rating/v2409/Rate", strings.Replace(domesticRate, "%s", "94105", 1), nil, 400, "20007"},
		{"not JSON", "POST", "/api/rating/v2409/Shop", `{"RateRequest":`, nil, 400, "10001"},
		{"no package", "POST", "/api/rating/v2409/Shop", strings.Replace(strings.Replace(domesticRate, "%s", "94105", 1), `"Package"`, `"Pkg"`, 1), nil, 400, "20007"},
		{"KGS from the US", "POST", "/api/rating/v2409/Shop", strings.Replace(strings.Replace(domesticRate, "%s", "94105", 1), `"LBS"`, `"KGS"`, 1), nil, 400, "120546"},
		{"tracking without transId", "GET", "/api/track/v1/details/1Z999AA10123456784", "", map[string]string{"transId": ""}, 400, "20007"},
		{"tracking an unknown number", "GET", "/api/track/v1/details/1Z999AA10123456784", "", nil, 404, "TW0001"},
		{"tracking a number too short", "GET", "/api/track/v1/details/1Z12", "", nil, 400, "20008"},
		{"void of a malformed number", "DELETE", "/api/shipments/v2409/void/cancel/1Z999AA10123456785", "", nil, 400, "190100"},
		{"void of an unknown shipment", "DELETE", "/api/shipments/v2409/void/cancel/1Z999AA10123456784", "", nil, 400, "190102"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("transId", "t1")
			req.Header.Set("transactionSrc", "test")
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tt.status {
				t.Fatalf("%d %s, want %d", res.StatusCode, body, tt.status)
			}
			if tt.code != "" && errorCode(t, body) != tt.code {
				t.Fatalf("%s, want code %s", body, tt.code)
			}
		})
	}
	upsspec.Load(t).CheckExchanges(t, sim.Exchanges(), false)
}

const ship = `{"ShipmentRequest":{"Request":{"RequestOption":"nonvalidate"},"Shipment":{"Description":"x",
 "Shipper":{"Name":"A","ShipperNumber":"A1B2C3","Phone":{"Number":"4045550100"},"Address":{"AddressLine":["1 Main"],"City":"Atlanta","StateProvinceCode":"GA","PostalCode":"30309","CountryCode":"US"}},
 "ShipTo":{"Name":"B","AttentionName":"B","Address":{"AddressLine":["2 Main"],"City":"SF","StateProvinceCode":"CA","PostalCode":"94105","CountryCode":"US"}},
 "PaymentInformation":{"ShipmentCharge":[{"Type":"01","BillShipper":{"AccountNumber":"A1B2C3"}}]},
 "Service":{"Code":"03"},
 "Package":[{"Packaging":{"Code":"02"},"PackageWeight":{"UnitOfMeasurement":{"Code":"LBS"},"Weight":"2"}},{"Packaging":{"Code":"02"},"PackageWeight":{"UnitOfMeasurement":{"Code":"LBS"},"Weight":"3"}}]},
 "LabelSpecification":{"LabelImageFormat":{"Code":"%s"},"LabelStockSize":{"Height":"6","Width":"4"}}}}`

func TestShipVoidTrack(t *testing.T) {
	sim := upssim.New()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	tok := token(t, srv.URL)
	for _, format := range []string{"GIF", "ZPL", "EPL", "SPL"} {
		status, body := call(t, http.MethodPost, srv.URL+"/api/shipments/v2409/ship", tok, []byte(strings.Replace(ship, "%s", format, 1)))
		if status != 200 {
			t.Fatalf("%s: %d %s", format, status, body)
		}
		var out struct {
			ShipmentResponse struct {
				ShipmentResults struct {
					ShipmentIdentificationNumber string
					PackageResults               []struct {
						TrackingNumber string
						ShippingLabel  struct {
							ImageFormat  struct{ Code string }
							GraphicImage []byte // base64 in JSON
						}
					}
				}
			}
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		res := out.ShipmentResponse.ShipmentResults
		if len(res.PackageResults) != 2 || res.ShipmentIdentificationNumber != res.PackageResults[0].TrackingNumber {
			t.Fatalf("%s: %+v", format, res)
		}
		for _, p := range res.PackageResults {
			if !upssim.ValidTrackingNumber(p.TrackingNumber) || !strings.HasPrefix(p.TrackingNumber, "1ZA1B2C303") {
				t.Errorf("tracking number %s: want 1Z + the request's shipper number + service 03", p.TrackingNumber)
			}
			img := p.ShippingLabel.GraphicImage
			switch format {
			case "GIF":
				if !strings.HasPrefix(string(img), "GIF8") {
					t.Errorf("GIF label starts with %q", img[:4])
				}
			case "ZPL", "SPL":
				if !strings.HasPrefix(string(img), "^XA") || !strings.Contains(string(img), "^XZ") {
					t.Errorf("%s label is not ZPL", format)
				}
			case "EPL":
				if !strings.Contains(string(img), "\nN\n") || !strings.Contains(string(img), "P1") {
					t.Errorf("EPL label is not EPL2")
				}
			}
		}
		id := res.ShipmentIdentificationNumber
		if status, body := call(t, http.MethodGet, srv.URL+"/api/track/v1/details/"+res.PackageResults[1].TrackingNumber, tok, nil); status != 200 {
			t.Fatalf("track: %d %s", status, body)
		}
		if status, body := call(t, http.MethodDelete, srv.URL+"/api/shipments/v2409/void/cancel/"+id, tok, nil); status != 200 {
			t.Fatalf("void: %d %s", status, body)
		}
		status, body = call(t, http.MethodDelete, srv.URL+"/api/shipments/v2409/void/cancel/"+id, tok, nil)
		if status != 400 || errorCode(t, body) != "190117" {
			t.Fatalf("second void: %d %s, want 400 with 190117", status, body)
		}
	}
	// PNG is not a Shipping label format.
	if status, body := call(t, http.MethodPost, srv.URL+"/api/shipments/v2409/ship", tok, []byte(strings.Replace(ship, "%s", "PNG", 1))); status != 400 || errorCode(t, body) != "20008" {
		t.Errorf("PNG label: %d %s", status, body)
	}
	// ZPL without stock size is refused.
	noStock := strings.Replace(strings.Replace(ship, "%s", "ZPL", 1), `,"LabelStockSize":{"Height":"6","Width":"4"}`, "", 1)
	if status, body := call(t, http.MethodPost, srv.URL+"/api/shipments/v2409/ship", tok, []byte(noStock)); status != 400 || errorCode(t, body) != "20007" {
		t.Errorf("ZPL without LabelStockSize: %d %s", status, body)
	}
	// Partial void of one package.
	status, body := call(t, http.MethodPost, srv.URL+"/api/shipments/v2409/ship", tok, []byte(strings.Replace(ship, "%s", "ZPL", 1)))
	if status != 200 {
		t.Fatal(string(body))
	}
	var out struct {
		ShipmentResponse struct {
			ShipmentResults struct {
				ShipmentIdentificationNumber string
				PackageResults               []struct{ TrackingNumber string }
			}
		}
	}
	_ = json.Unmarshal(body, &out)
	res := out.ShipmentResponse.ShipmentResults
	second := res.PackageResults[1].TrackingNumber
	if status, body := call(t, http.MethodDelete, srv.URL+"/api/shipments/v2409/void/cancel/"+res.ShipmentIdentificationNumber+"?trackingnumber="+second, tok, nil); status != 200 || !strings.Contains(string(body), second) {
		t.Fatalf("partial void: %d %s", status, body)
	}
	if status, body := call(t, http.MethodDelete, srv.URL+"/api/shipments/v2409/void/cancel/"+res.ShipmentIdentificationNumber, tok, nil); status != 200 {
		t.Fatalf("void of the rest: %d %s", status, body)
	}
	upsspec.Load(t).CheckExchanges(t, sim.Exchanges(), false)
}

func TestControlEndpoints(t *testing.T) {
	sim := upssim.New()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	tok := token(t, srv.URL)
	body := []byte(strings.Replace(domesticRate, "%s", "94105", 1))
	call(t, http.MethodPost, srv.URL+"/api/rating/v2409/Shop", tok, body)

	res, err := http.Get(srv.URL + "/_sim/stats")
	if err != nil {
		t.Fatal(err)
	}
	var stats struct{ Requests map[string]int64 }
	_ = json.NewDecoder(res.Body).Decode(&stats)
	res.Body.Close()
	if stats.Requests["oauth"] != 1 || stats.Requests["rates"] != 1 || len(stats.Requests) != 5 {
		t.Fatalf("stats %v", stats.Requests)
	}

	for _, m := range []struct {
		mode   string
		status int
		code   string
	}{{"error", 500, "SIM500"}, {"429", 429, "SIM429"}} {
		res, err := http.Post(srv.URL+"/_sim/faults", "application/json", strings.NewReader(`{"mode":"`+m.mode+`"}`))
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("set faults: %v %v", err, res)
		}
		res.Body.Close()
		status, b := call(t, http.MethodPost, srv.URL+"/api/rating/v2409/Shop", tok, body)
		if status != m.status || errorCode(t, b) != m.code {
			t.Errorf("mode %s: %d %s", m.mode, status, b)
		}
	}
	res, _ = http.Post(srv.URL+"/_sim/faults", "application/json", strings.NewReader(`{"mode":"malformed"}`))
	res.Body.Close()
	if status, b := call(t, http.MethodPost, srv.URL+"/api/rating/v2409/Shop", tok, body); status != 200 || json.Valid(b) {
		t.Errorf("malformed mode: %d %s", status, b)
	}
}
