package ups_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest"
	"github.com/shipgate/shipgate/carriers/carriertest/carriersim"
	"github.com/shipgate/shipgate/carriers/ups/upssim"
)

// TestSecretsNeverLogged makes calls fail in ways that put credentials in
// UPS's answers, and checks that neither logs nor errors show them.
func TestSecretsNeverLogged(t *testing.T) {
	const secret = "s3cr3t-client-secret-value"
	const token = "eyJhbGciOiJub25lIn0.secret-token-value-1234567890"
	basic := base64.StdEncoding.EncodeToString([]byte(upssim.DefaultClientID + ":" + secret))

	// A carrier that echoes what it was sent in its error messages.
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/security/v1/oauth/token" {
			if r.Header.Get("Authorization") != "Basic "+basic {
				_, sent, _ := r.BasicAuth()
				w.WriteHeader(http.StatusUnauthorized)
				_ = json.NewEncoder(w).Encode(map[string]any{"response": map[string]any{"errors": []map[string]string{
					{"code": "10401", "message": "ClientId is Invalid: " + r.Header.Get("Authorization") + " " + sent},
				}}})
				return
			}
			_ = json.NewEncoder(w).Encode(map[string]string{"access_token": token, "expires_in": "14399", "token_type": "Bearer"})
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{"response": map[string]any{"errors": []map[string]string{
			{"code": "20008", "message": "The field, Authorization, contains invalid data, " + r.Header.Get("Authorization") + " / " + token + " / " + secret},
		}}})
	})
	srv := httptest.NewServer(echo)
	defer srv.Close()

	f := newFixture(t, upssim.WithCredentials(upssim.DefaultClientID, secret, upssim.DefaultAccountNumber))
	cases := []struct {
		name string
		url  string
		sec  string
		prep func()
	}{
		{"echoing carrier, API call", srv.URL, secret, nil},
		{"echoing carrier, refused token request", srv.URL, "not-the-" + secret, nil},
		{"simulator failing", f.url, secret, func() { f.sim.SetFaults(carriersim.Faults{Mode: carriersim.ModeError}) }},
		{"simulator refusing the address", f.url, secret, func() { f.sim.SetFaults(carriersim.Faults{}) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.prep != nil {
				tc.prep()
			}
			f.logs = &syncBuffer{}
			c := f.client(t, func(cfg *carriers.AccountConfig, env *carriers.Env) {
				cfg.BaseURL = tc.url
				cfg.Credentials["client_secret"] = shipgate.NewSecret(tc.sec)
				env.Shared = nil
			})
			s := carriertest.DomesticUS()
			s.To.PostalCode = "ABCDE"
			_, err := c.Rates(context.Background(), &carriers.RateRequest{Shipment: s})
			if err == nil {
				t.Fatal("the call did not fail")
			}
			_, perr := c.Purchase(context.Background(), &carriers.PurchaseRequest{Shipment: s, Service: "ups_ground", Format: shipgate.FormatPDF})
			text := f.logs.String() + err.Error() + shipgate.ErrorMessage(err) + perr.Error()
			if b := shipgate.Body(err); b != nil {
				text += b.Message + b.CarrierMessage
			}
			if !strings.Contains(f.logs.String(), "carrier error") {
				t.Fatalf("the failing call was not logged:\n%s", f.logs.String())
			}
			sentBasic := base64.StdEncoding.EncodeToString([]byte(upssim.DefaultClientID + ":" + tc.sec))
			for _, s := range []string{tc.sec, token, sentBasic, "secret-token-value"} {
				if strings.Contains(text, s) {
					t.Errorf("%q appears in logs or errors:\n%s", s, text)
				}
			}
		})
	}
}
