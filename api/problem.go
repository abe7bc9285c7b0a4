package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/shipgate/shipgate"
)

// statusOf is the one table mapping error codes to HTTP statuses.
var statusOf = map[shipgate.Code]int{
	shipgate.CodeInvalidRequest:     http.StatusBadRequest,
	shipgate.CodeUnauthorized:       http.StatusUnauthorized,
	shipgate.CodeForbidden:          http.StatusForbidden,
	shipgate.CodeNotFound:           http.StatusNotFound,
	shipgate.CodeConflict:           http.StatusConflict,
	shipgate.CodeCarrierRejected:    http.StatusUnprocessableEntity,
	shipgate.CodeUnsupported:        http.StatusUnprocessableEntity,
	shipgate.CodeRateLimited:        http.StatusTooManyRequests,
	shipgate.CodeInternal:           http.StatusInternalServerError,
	shipgate.CodeCarrierUnavailable: http.StatusBadGateway,
	shipgate.CodeCarrierTimeout:     http.StatusGatewayTimeout,
}

// HTTPStatus returns the HTTP status of an error code.
func HTTPStatus(c shipgate.Code) int {
	if s, ok := statusOf[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Problem is an RFC 9457 problem details object, with shipgate's extensions.
type Problem struct {
	Type      string                 `json:"type"`
	Title     string                 `json:"title"`
	Status    int                    `json:"status"`
	Detail    string                 `json:"detail"`
	Instance  string                 `json:"instance,omitempty"`
	Code      shipgate.Code          `json:"code"`
	RequestID string                 `json:"request_id,omitempty"`
	Errors    []shipgate.FieldError  `json:"errors,omitempty"`
	Carrier   *shipgate.CarrierError `json:"carrier,omitempty"`
	// CarrierErrors lists each account's failure when no carrier could answer.
	CarrierErrors any `json:"carrier_errors,omitempty"`
}

// problemFor builds the problem of err, an error from a handler or from echo.
func problemFor(c echo.Context, err error) (Problem, time.Duration) {
	p := Problem{Instance: c.Request().URL.Path, RequestID: requestID(c)}
	var he *echo.HTTPError
	var pe *problemError
	var retry time.Duration
	switch {
	case errors.As(err, &pe):
		p = pe.p
		p.Instance, p.RequestID = c.Request().URL.Path, requestID(c)
	case errors.As(err, &he):
		p.Status = he.Code
		p.Code = codeForStatus(he.Code)
		p.Detail = http.StatusText(he.Code)
		switch he.Code {
		case http.StatusNotFound:
			p.Detail = fmt.Sprintf("no route %s %s", c.Request().Method, c.Request().URL.Path)
		case http.StatusMethodNotAllowed:
			p.Detail = fmt.Sprintf("method %s is not allowed on %s", c.Request().Method, c.Request().URL.Path)
		case http.StatusRequestEntityTooLarge:
			p.Detail = "the request body is larger than the limit"
		}
	default:
		e := shipgate.AsError(err)
		p.Status = HTTPStatus(e.Code)
		p.Code = e.Code
		p.Detail = e.Message
		p.Errors = e.Fields
		p.Carrier = e.Carrier
		retry = e.RetryAfter
	}
	p.Type = "urn:shipgate:error:" + string(p.Code)
	p.Title = http.StatusText(p.Status)
	return p, retry
}

func codeForStatus(s int) shipgate.Code {
	for c, st := range statusOf {
		if st == s && c != shipgate.CodeUnsupported && c != shipgate.CodeCarrierRejected {
			return c
		}
	}
	if s == http.StatusUnprocessableEntity {
		return shipgate.CodeInvalidRequest
	}
	if s >= 500 {
		return shipgate.CodeInternal
	}
	return shipgate.CodeInvalidRequest
}

// problemError carries a ready-made Problem through echo's error handler.
type problemError struct{ p Problem }

func (e *problemError) Error() string { return e.p.Detail }

// tooLarge is the error for a body over the limit.
func tooLarge(limit int64) error {
	return &problemError{Problem{Status: http.StatusRequestEntityTooLarge, Code: shipgate.CodeInvalidRequest,
		Detail: fmt.Sprintf("the request body is larger than %d bytes", limit)}}
}

// errorHandler writes every error as application/problem+json.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p, retry := problemFor(c, err)
	if p.Status >= 500 {
		s.log.ErrorContext(c.Request().Context(), "request failed", "request_id", p.RequestID, "code", p.Code, "err", err)
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "application/problem+json")
	if p.Status == http.StatusTooManyRequests || p.Status == http.StatusServiceUnavailable {
		secs := int((retry + time.Second - 1) / time.Second)
		h.Set("Retry-After", strconv.Itoa(max(1, secs)))
	}
	b, _ := json.Marshal(p)
	c.Response().WriteHeader(p.Status)
	if c.Request().Method != http.MethodHead {
		_, _ = c.Response().Write(b)
	}
}
