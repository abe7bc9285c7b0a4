package dhl

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
)

// problem is DHL's error body (supermodelIoLogisticsExpressErrorResponse), a
// problem-JSON in spirit: status is a string ("400"), detail often starts
// with DHL's numeric message code ("998: ShipTimeStamp is not well
// formatted..."), and 422 answers list each schema problem in
// additionalDetails. Some 500 examples carry "code" instead of "status".
type problem struct {
	Instance          string   `json:"instance"`
	Detail            string   `json:"detail"`
	Title             string   `json:"title"`
	Message           string   `json:"message"`
	AdditionalDetails []string `json:"additionalDetails"`
	Status            string   `json:"status"`
	Code              string   `json:"code"`
}

// parseError reads a DHL error body into DHL's code and message. The code is
// the numeric message code that leads detail when there is one ("998"), else
// the body's status or code field, else the HTTP status. The message is
// detail (or title, or message) followed by the additional details, so that
// DHL's own words reach the caller. A body that is not DHL's shape gives an
// empty message (the HTTP status text stands in).
func parseError(status int, body []byte) (code, message string) {
	var p problem
	if err := json.Unmarshal(body, &p); err != nil {
		return strconv.Itoa(status), ""
	}
	detail := strings.TrimSpace(p.Detail)
	if c, rest, ok := numericPrefix(detail); ok {
		code = c
		detail = rest
	}
	if code == "" {
		code = firstNonEmpty(strings.TrimSpace(p.Status), strings.TrimSpace(p.Code), strconv.Itoa(status))
	}
	message = firstNonEmpty(detail, strings.TrimSpace(p.Title), strings.TrimSpace(p.Message))
	var extra []string
	for _, d := range p.AdditionalDetails {
		if d = strings.TrimSpace(d); d != "" && d != message {
			extra = append(extra, d)
		}
	}
	if len(extra) > 0 {
		if message != "" {
			message += ": "
		}
		message += strings.Join(extra, "; ")
	}
	if t := strings.TrimSpace(p.Title); t != "" && message != "" && !strings.EqualFold(t, message) && !strings.Contains(message, t) {
		message = t + ": " + message
	}
	return code, message
}

// numericPrefix splits "998: text" into "998" and "text".
func numericPrefix(s string) (code, rest string, ok bool) {
	head, tail, found := strings.Cut(s, ":")
	if !found || head == "" || len(head) > 8 {
		return "", s, false
	}
	for _, r := range head {
		if !unicode.IsDigit(r) {
			return "", s, false
		}
	}
	return head, strings.TrimSpace(tail), true
}

func firstNonEmpty(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
