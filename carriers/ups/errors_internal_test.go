package ups

import (
	"testing"

	"github.com/shipgate/shipgate"
)

func TestParseError(t *testing.T) {
	tests := []struct {
		name, body, code, message string
	}{
		{"one error", `{"response":{"errors":[{"code":"111285","message":"The postal code ABCDE is invalid for CA United States."}]}}`,
			"111285", "The postal code ABCDE is invalid for CA United States."},
		{"several errors", `{"response":{"errors":[{"code":"120202","message":"Missing/Invalid ShipTo AddressLine1"},{"code":"120205","message":"Missing/Invalid ShipTo/ City"}]}}`,
			"120202", "Missing/Invalid ShipTo AddressLine1; Missing/Invalid ShipTo/ City"},
		{"errors as one object", `{"response":{"errors":{"code":"190117","message":"The Shipment has already been voided"}}}`,
			"190117", "The Shipment has already been voided"},
		{"numeric code", `{"response":{"errors":[{"code":250002,"message":"Invalid Authentication Information."}]}}`,
			"250002", "Invalid Authentication Information."},
		{"tracking 404", `{"response":{"errors":[{"code":"TW0001","message":"Tracking Information Not Found"}]}}`,
			"TW0001", "Tracking Information Not Found"},
		{"padded", `{"response":{"errors":[{"code":" 10401 ","message":" ClientId is Invalid "}]}}`, "10401", "ClientId is Invalid"},
		{"no errors", `{"response":{"errors":[]}}`, "", ""},
		{"another shape", `{"error":"invalid_client"}`, "", ""},
		{"html", `<html><body>502 Bad Gateway</body></html>`, "", ""},
		{"empty", ``, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, msg := parseError(400, []byte(tt.body))
			if code != tt.code || msg != tt.message {
				t.Errorf("parseError = %q, %q; want %q, %q", code, msg, tt.code, tt.message)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		status int
		code   string
		want   shipgate.Code
	}{
		{400, "111285", shipgate.CodeCarrierRejected},   // bad postal code (Rating)
		{400, "111210", shipgate.CodeCarrierRejected},   // service unavailable on the lane
		{400, "120202", shipgate.CodeCarrierRejected},   // ship-to address line
		{400, "120500", shipgate.CodeCarrierRejected},   // service code
		{400, "190102", shipgate.CodeCarrierRejected},   // void: no shipment within the void period
		{400, "20007", shipgate.CodeCarrierRejected},    // missing required field
		{400, "10001", shipgate.CodeCarrierRejected},    // not well formed
		{400, "", shipgate.CodeCarrierRejected},         // no code at all
		{400, "20001", shipgate.CodeCarrierUnavailable}, // general process failure (transient)
		{400, "120001", shipgate.CodeCarrierUnavailable},
		{400, "190001", shipgate.CodeCarrierUnavailable},
		{400, "250050", shipgate.CodeCarrierUnavailable},
		{400, "300000", shipgate.CodeCarrierUnavailable},
		{400, "250002", shipgate.CodeCarrierUnavailable}, // authentication: the account, not the request
		{401, "250002", shipgate.CodeCarrierUnavailable},
		{401, "10401", shipgate.CodeCarrierUnavailable},
		{403, "", shipgate.CodeCarrierUnavailable},
		{404, "TW0001", shipgate.CodeNotFound},
		{429, "", shipgate.CodeRateLimited},
		{408, "", shipgate.CodeCarrierTimeout},
		{504, "", shipgate.CodeCarrierTimeout},
		{500, "SIM500", shipgate.CodeCarrierUnavailable},
		{503, "", shipgate.CodeCarrierUnavailable},
	}
	for _, tt := range tests {
		if got := classify(tt.status, tt.code); got != tt.want {
			t.Errorf("classify(%d, %q) = %s, want %s", tt.status, tt.code, got, tt.want)
		}
		if tt.want == shipgate.CodeCarrierRejected && tt.want.CarrierFault() {
			t.Errorf("a refusal (%d %s) must not trip breakers", tt.status, tt.code)
		}
	}
	for code := range transientCodes {
		if classify(400, code) != shipgate.CodeCarrierUnavailable {
			t.Errorf("transient code %s is not a carrier fault", code)
		}
	}
}
