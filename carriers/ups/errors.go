package ups

import (
	"encoding/json"
	"strings"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/ups/internal/wire"
)

// parseError reads UPS's error body {"response":{"errors":[{"code","message"}]}}
// into the first error's code and every message, joined by "; ".
func parseError(_ int, body []byte) (code, message string) {
	var e wire.Errors
	if json.Unmarshal(body, &e) != nil || len(e.Response.Errors) == 0 {
		return "", ""
	}
	msgs := make([]string, 0, len(e.Response.Errors))
	for _, x := range e.Response.Errors {
		if code == "" {
			code = strings.TrimSpace(x.Code.String())
		}
		if m := strings.TrimSpace(x.Message.String()); m != "" {
			msgs = append(msgs, m)
		}
	}
	return code, strings.Join(msgs, "; ")
}

// transientCodes are UPS error codes that say UPS itself failed, even when
// it answers them with a 4xx status (UPS's error appendices mark them
// "Transient"): they count as carrier faults, may be retried and trip
// breakers.
var transientCodes = map[string]bool{
	"20001":  true, // General process failure
	"120001": true, // Shipping system is unavailable, please try again later
	"190001": true, // Void not available at this time
	"250050": true, // License system not available
	"300000": true, // Label recovery system is currently unavailable
}

// classify decides who is at fault for a UPS error answer:
//
//	status / code                         code                 why
//	429                                   rate_limited         UPS's quota
//	408, 504                              carrier_timeout      UPS too slow
//	5xx                                   carrier_unavailable  UPS failed
//	401, 403                              carrier_unavailable  the account's credentials are refused (a 401 is retried once with a new token first)
//	400 with 250xxx (authentication)      carrier_unavailable  the account, not the request
//	4xx with a transient code (above)     carrier_unavailable  UPS failed, whatever the status
//	404                                   not_found            tracking number unknown to UPS
//	other 4xx (11xxxx Rating, 12xxxx      carrier_rejected     the shipment was refused: address,
//	Shipping, 19xxxx Void, 20007/20008    (no breaker trip)    postal code, service, weight, missing
//	fields, TW/TV tracking)                                    or invalid field
func classify(status int, code string) shipgate.Code {
	switch {
	case status == 429:
		return shipgate.CodeRateLimited
	case status == 408 || status == 504:
		return shipgate.CodeCarrierTimeout
	case status >= 500:
		return shipgate.CodeCarrierUnavailable
	case status == 401 || status == 403:
		return shipgate.CodeCarrierUnavailable
	case transientCodes[code]:
		return shipgate.CodeCarrierUnavailable
	case strings.HasPrefix(code, "250"):
		return shipgate.CodeCarrierUnavailable
	case status == 404:
		return shipgate.CodeNotFound
	}
	return carriers.CodeForStatus(status)
}
