package upssim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/shipgate/shipgate/carriers/ups/internal/upsspec"
	"github.com/shipgate/shipgate/carriers/ups/upssim"
	"github.com/shipgate/shipgate/internal/openapitest"
)

// token fetches a bearer token from the simulator.
func token(t *testing.T, base string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/security/v1/oauth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.SetBasicAuth(upssim.DefaultClientID, upssim.DefaultClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 || out.AccessToken == "" {
		t.Fatalf("token: %d %v", res.StatusCode, err)
	}
	return out.AccessToken
}

// call sends one API request with a bearer token and UPS's headers.
func call(t *testing.T, method, u, tok string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("transId", "test-0001")
	req.Header.Set("transactionSrc", "upssim-test")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// TestSpecExamplesAccepted feeds the request examples of UPS's Rating and
// Shipping documents to the simulator: it must accept the requests UPS
// publishes, except those listed with the reason UPS would refuse them too.
func TestSpecExamplesAccepted(t *testing.T) {
	specs := upsspec.Load(t)
	rating, shipping := specs.Rating, specs.Shipping
	sim := upssim.New()
	srv := httptest.NewServer(sim)
	defer srv.Close()
	tok := token(t, srv.URL)

	cases := []struct {
		spec   *openapitest.Spec
		path   string
		url    func(body []byte) string
		refuse map[string]string // example -> why UPS refuses it as well, or why the simulator cannot take it
	}{
		{
			spec: rating, path: "/rating/{version}/{requestoption}",
			url: func(body []byte) string {
				var ex struct {
					RateRequest struct {
						Request struct{ RequestOption string }
					}
				}
				_ = json.Unmarshal(body, &ex)
				opt := ex.RateRequest.Request.RequestOption
				if opt == "" {
					opt = "Rate"
				}
				return srv.URL + "/api/rating/v2409/" + opt
			},
			refuse: map[string]string{
				"6": "its Shipper holds another Shipper and ShipTo: the Shipper has no Address",
			},
		},
		{
			spec: shipping, path: "/shipments/{version}/ship",
			url: func([]byte) string { return srv.URL + "/api/shipments/v2409/ship" },
			refuse: map[string]string{
				"13": "it has no Request (with RequestOption), which ShipmentRequest requires",
				"15": "it asks for a PNG label; Shipping's valid label formats are GIF, ZPL, EPL and SPL",
				"17": "it is not wrapped in ShipmentRequest and writes AddressLine1 for AddressLine",
				// Not refused by UPS, but beyond the simulator: it answers them
				// with a UPS error rather than a made-up shipment.
				"14": "Trade Direct master shipments (no Package, a TradeDirect block) are not simulated",
				"16": "Trade Direct LTL shipments are not simulated",
			},
		},
	}
	for _, c := range cases {
		examples, err := c.spec.RequestExamples("POST", c.path)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range openapitest.ExampleNames(examples) {
			body := examples[name]
			t.Run(strings.Trim(c.path, "/{}")+"/"+name, func(t *testing.T) {
				status, answer := call(t, http.MethodPost, c.url(body), tok, body)
				why, refused := c.refuse[name]
				switch {
				case refused && status == http.StatusOK:
					t.Errorf("accepted, though listed as refused (%s)", why)
				case !refused && status != http.StatusOK:
					t.Errorf("refused with %d: %s", status, answer)
				}
			})
		}
	}
	// Whatever the simulator answered (rates, labels, UPS errors) has the
	// shapes UPS's documents give its answers.
	specs.CheckExchanges(t, sim.Exchanges(), false)
}
