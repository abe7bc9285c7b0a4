package main

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/carriers/dhl/dhlsim"
	"github.com/shipgate/shipgate/carriers/ups/upssim"
)

const intlQuote = `{"shipment":{
  "from":{"name":"Warehouse","company":"Acme","street1":"1000 Peachtree St NE","city":"Atlanta","state":"GA","postal_code":"30309","country":"US","phone":"4045550100"},
  "to":{"name":"Max Mustermann","street1":"Unter den Linden 77","city":"Berlin","postal_code":"10117","country":"DE","phone":"+49305550100"},
  "parcels":[{"weight":{"value":1.2,"unit":"kg"},"dimensions":{"length":30,"width":20,"height":10,"unit":"cm"}}],
  "customs":{"contents":"merchandise","incoterm":"DAP","items":[{"description":"Cotton T-shirt","quantity":4,"value":{"amount":"80.00","currency":"USD"},"weight":{"value":1,"unit":"kg"},"hs_code":"610910","origin_country":"US"}]}}}`

const namedQuote = `{"shipment":{
  "from":{"name":"Warehouse","company":"Acme","street1":"1000 Peachtree St NE","city":"Atlanta","state":"GA","postal_code":"30309","country":"US","phone":"4045550100"},
  "to":{"name":"Jane Doe","street1":"500 Market St","city":"San Francisco","state":"CA","postal_code":"94105","country":"US","phone":"4155550100"},
  "parcels":[{"weight":{"value":2,"unit":"lb"},"dimensions":{"length":12,"width":9,"height":4,"unit":"in"}}]}}`

// TestUPSEndToEnd is issue 5's "done when": the gateway against upssim.
func TestUPSEndToEnd(t *testing.T) {
	sim := upssim.New()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	base := startApp(t, fmt.Sprintf(`accounts:
  - id: ups-main
    carrier: ups
    base_url: %s
    credentials: { client_id: %s, client_secret: %s, account_number: %s }
`, srv.URL, upssim.DefaultClientID, upssim.DefaultClientSecret, upssim.DefaultAccountNumber))

	for name, q := range map[string]string{"domestic": namedQuote, "international": intlQuote} {
		code, body := post(t, base+"/v1/rates", q)
		if code != 200 || len(body["rates"].([]any)) == 0 {
			t.Fatalf("%s quote: %d %v", name, code, body)
		}
		for _, r := range body["rates"].([]any) {
			if s := r.(map[string]any)["service"].(string); !strings.HasPrefix(s, "ups_") {
				t.Errorf("%s: service %q", name, s)
			}
		}
	}
	sh := namedQuote[len(`{"shipment":`) : len(namedQuote)-1]
	res, b := request(t, "POST", base+"/v1/labels", `{"shipment":`+sh+`,"account":"ups-main","service":"ups_ground","label_format":"zpl"}`, "Idempotency-Key", "ups-1")
	if res.StatusCode != 201 {
		t.Fatalf("buy: %d %s", res.StatusCode, b)
	}
	var l labelJSON
	_ = json.Unmarshal(b, &l)
	if !regexp.MustCompile(`^1Z[0-9A-Z]{16}$`).MatchString(l.TrackingNumber) || l.Label == nil || !strings.Contains(string(l.Label.Data), "^XA") {
		t.Fatalf("UPS label: %s", b)
	}
	for _, f := range []string{"pdf", "png"} {
		if res, b := request(t, "GET", base+"/v1/labels/"+l.ID+"/document?format="+f, ""); res.StatusCode != 200 && res.StatusCode != 422 {
			t.Errorf("%s reprint: %d %s", f, res.StatusCode, b)
		}
	}
	res, b = request(t, "GET", base+"/v1/tracking/ups-main/"+l.TrackingNumber, "")
	if res.StatusCode != 200 || !strings.Contains(string(b), `"carrier":"ups"`) || !strings.Contains(string(b), `"carrier_code"`) {
		t.Fatalf("tracking: %d %s", res.StatusCode, b)
	}
	res, b = request(t, "POST", base+"/v1/labels/"+l.ID+"/void", "")
	if res.StatusCode != 200 {
		t.Fatalf("void: %d %s", res.StatusCode, b)
	}
	if n := sim.Stats()["oauth"]; n != 1 {
		t.Fatalf("the simulator saw %d token requests, want 1", n)
	}
}

// TestDHLEndToEnd is issue 6's "done when": the gateway against dhlsim.
func TestDHLEndToEnd(t *testing.T) {
	sim := dhlsim.New()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	base := startApp(t, fmt.Sprintf(`accounts:
  - id: dhl-main
    carrier: dhl
    base_url: %s
    credentials: { username: %s, password: %s, account_number: "%s" }
`, srv.URL, dhlsim.DefaultUsername, dhlsim.DefaultPassword, dhlsim.DefaultAccountNumber))
	for name, q := range map[string]string{"domestic": namedQuote, "international": intlQuote} {
		code, body := post(t, base+"/v1/rates", q)
		if code != 200 || len(body["rates"].([]any)) == 0 {
			t.Fatalf("%s quote: %d %v", name, code, body)
		}
	}
	sh := intlQuote[len(`{"shipment":`) : len(intlQuote)-1]
	res, b := request(t, "POST", base+"/v1/labels", `{"shipment":`+sh+`,"carrier":"dhl","service":"dhl_express_worldwide","label_format":"zpl"}`, "Idempotency-Key", "dhl-1")
	if res.StatusCode != 201 {
		t.Fatalf("buy: %d %s", res.StatusCode, b)
	}
	var l labelJSON
	_ = json.Unmarshal(b, &l)
	if !regexp.MustCompile(`^\d{10}$`).MatchString(l.TrackingNumber) || l.Label == nil || !strings.Contains(string(l.Label.Data), "^XA") {
		t.Fatalf("DHL label: %s", b)
	}
	res, b = request(t, "POST", base+"/v1/tracking", `{"items":[{"carrier":"dhl","tracking_number":"`+l.TrackingNumber+`"},{"carrier":"dhl-main","tracking_number":"`+l.Parcels[0].TrackingNumber+`"}]}`)
	if res.StatusCode != 200 || strings.Count(string(b), `"carrier":"dhl"`) != 2 || strings.Contains(string(b), `"error"`) {
		t.Fatalf("tracking: %d %s", res.StatusCode, b)
	}
	res, b = request(t, "POST", base+"/v1/labels/"+l.ID+"/void", "")
	if res.StatusCode != 422 || !strings.Contains(string(b), "unsupported") {
		t.Fatalf("DHL void: %d %s, want 422 unsupported", res.StatusCode, b)
	}
}
