package carriers

import (
	"fmt"
	"net/url"
	"time"

	"github.com/shipgate/shipgate"
)

// ResponseError is a carrier's own error answer: the HTTP status, the carrier's
// code and message, and the URL called (without query, credentials removed).
// Adapters return it wrapped in a *shipgate.Error.
type ResponseError struct {
	Carrier    string
	StatusCode int
	Code       string
	Message    string
	URL        string
	RetryAfter time.Duration
}

// Error describes the carrier's answer.
func (e *ResponseError) Error() string {
	return fmt.Sprintf("%s answered %d %s: %s %s", e.Carrier, e.StatusCode, e.URL, e.Code, e.Message)
}

// RedactURL returns u without user info, query or fragment, safe to log.
func RedactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.Fragment = ""
	return c.String()
}

// CodeForStatus returns the error code of a carrier answer with HTTP status s:
// 429 rate_limited, 5xx carrier_unavailable, 408 and 504 carrier_timeout, and
// other 4xx carrier_rejected (the request's fault, which trips no breaker).
func CodeForStatus(s int) shipgate.Code {
	switch {
	case s == 429:
		return shipgate.CodeRateLimited
	case s == 408 || s == 504:
		return shipgate.CodeCarrierTimeout
	case s >= 500:
		return shipgate.CodeCarrierUnavailable
	case s == 401 || s == 403:
		// The account's credentials are refused: nothing the caller can fix,
		// and retrying will not help either; count it as the carrier's side.
		return shipgate.CodeCarrierUnavailable
	case s >= 400:
		return shipgate.CodeCarrierRejected
	}
	return shipgate.CodeCarrierUnavailable
}

// NewError wraps a carrier's answer in a *shipgate.Error with code, a safe
// message, and the carrier's own code and message kept beside them.
func NewError(account string, re *ResponseError, message string) *shipgate.Error {
	code := CodeForStatus(re.StatusCode)
	return &shipgate.Error{
		Code:       code,
		Message:    message,
		RetryAfter: re.RetryAfter,
		Carrier: &shipgate.CarrierError{
			Account: account, Carrier: re.Carrier, Code: re.Code, Message: re.Message, HTTPStatus: re.StatusCode,
		},
		Err: re,
	}
}
