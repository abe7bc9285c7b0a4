package shipgate

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Code classifies an Error. The api package maps each code to one HTTP status.
type Code string

// Error codes.
const (
	CodeInvalidRequest     Code = "invalid_request"
	CodeNotFound           Code = "not_found"
	CodeConflict           Code = "conflict"
	CodeUnauthorized       Code = "unauthorized"
	CodeForbidden          Code = "forbidden"
	CodeCarrierRejected    Code = "carrier_rejected"
	CodeCarrierUnavailable Code = "carrier_unavailable"
	CodeCarrierTimeout     Code = "carrier_timeout"
	CodeRateLimited        Code = "rate_limited"
	CodeUnsupported        Code = "unsupported"
	CodeInternal           Code = "internal"
)

// ErrNotSent marks an error raised before a request left for the carrier
// (an open circuit breaker, the account's own rate limit): the carrier did
// nothing, so even a purchase may safely be tried again.
var ErrNotSent = errors.New("the request was not sent to the carrier")

// Retryable reports whether a request that failed with code c may succeed if
// simply tried again later (the carrier was down, slow or rate-limiting).
func (c Code) Retryable() bool {
	return c == CodeCarrierUnavailable || c == CodeCarrierTimeout || c == CodeRateLimited
}

// CarrierFault reports whether code c means the carrier misbehaved (down, slow,
// rate-limiting, unreadable) rather than refused a bad request. Circuit
// breakers count only these.
func (c Code) CarrierFault() bool { return c.Retryable() }

// Error is the one error type of shipgate. Message is safe to show to callers;
// Err, the wrapped cause, is for logs only.
type Error struct {
	Code    Code
	Message string
	// Fields name the request fields at fault, as JSON paths (shipment.to.postal_code).
	Fields []FieldError
	// Carrier is set when a carrier answered with an error.
	Carrier *CarrierError
	// RetryAfter is how long a caller should wait before trying again, when known.
	RetryAfter time.Duration
	Err        error
}

// FieldError is one invalid request field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// CarrierError is what a carrier said when it refused or failed a call.
type CarrierError struct {
	Account string `json:"account,omitempty"`
	Carrier string `json:"carrier,omitempty"`
	// Code and Message are the carrier's own.
	Code       string `json:"code,omitempty"`
	Message    string `json:"message,omitempty"`
	HTTPStatus int    `json:"http_status,omitempty"`
}

// Error returns the code and message, plus the carrier's code when there is one.
func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message
	if e.Carrier != nil && (e.Carrier.Code != "" || e.Carrier.Message != "") {
		s += fmt.Sprintf(" (%s %s: %s)", e.Carrier.Carrier, e.Carrier.Code, e.Carrier.Message)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, &Error{Code: c}) match any Error with code c.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
}

// Errorf returns an Error with the given code and a formatted, caller-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an invalid_request Error naming one field.
func FieldErrorf(field, format string, args ...any) *Error {
	msg := fmt.Sprintf(format, args...)
	return &Error{Code: CodeInvalidRequest, Message: field + ": " + msg, Fields: []FieldError{{Field: field, Message: msg}}}
}

// ErrorCode returns the code of the first Error in err's chain, CodeCarrierTimeout
// for a context deadline, and CodeInternal for anything else (nil is "").
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return CodeCarrierTimeout
	}
	return CodeInternal
}

// ErrorMessage returns the caller-safe message of err: the Error's message, or a
// generic sentence for anything that is not an Error (its text may hold secrets).
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "the carrier did not answer in time"
	}
	return "internal error"
}

// AsError returns the first *Error in err's chain, or an internal Error wrapping err.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: ErrorCode(err), Message: ErrorMessage(err), Err: err}
}

// ErrorBody is the JSON form of an Error inside other answers (a rate error, a
// batch item, a failed label).
type ErrorBody struct {
	Code           Code   `json:"code"`
	Message        string `json:"message"`
	Retryable      bool   `json:"retryable"`
	CarrierCode    string `json:"carrier_code,omitempty"`
	CarrierMessage string `json:"carrier_message,omitempty"`
}

// Body returns the JSON form of err.
func Body(err error) *ErrorBody {
	e := AsError(err)
	b := &ErrorBody{Code: e.Code, Message: e.Message, Retryable: e.Code.Retryable()}
	if e.Carrier != nil {
		b.CarrierCode, b.CarrierMessage = e.Carrier.Code, e.Carrier.Message
	}
	return b
}
