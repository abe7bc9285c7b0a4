// Package carrierhttp is the HTTP plumbing shared by the carrier adapters:
// JSON requests, error bodies read with a size limit into carrier errors with
// secrets redacted, retries only for read operations (jittered, honouring
// Retry-After, stopping at the context deadline), one CallObserver report per
// outbound request, and an OAuth token source shared between processes.
package carrierhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
)

// Limits on what is read from a carrier.
const (
	DefaultMaxBody      = 32 << 20 // labels are base64 images
	DefaultMaxErrorBody = 64 << 10
)

// Client calls one carrier account's HTTP API.
type Client struct {
	// Carrier is the carrier's display name in messages ("UPS").
	Carrier string
	// Name is the carrier's adapter name in metrics ("ups").
	Name     string
	Account  string
	BaseURL  *url.URL
	HTTP     *http.Client
	Observer carriers.CallObserver
	Logger   *slog.Logger
	// Limiter, when set, is waited on before every attempt (the account's rate limit).
	Limiter carriers.Limiter
	// Authorize adds credentials to an outgoing request.
	Authorize func(ctx context.Context, r *http.Request) error
	// Reauthorize is called when the carrier answers 401; when it returns true
	// (new credentials were obtained) the request is sent once more.
	Reauthorize func(ctx context.Context) bool
	// ParseError reads the carrier's error body into its code and message.
	ParseError func(status int, body []byte) (code, message string)
	// Classify, when set, decides the error code of a carrier error answer
	// (some carriers say "our fault" with a 400); it defaults to CodeForStatus.
	Classify func(status int, carrierCode string) shipgate.Code
	// Redactor removes credentials and tokens from logged text.
	Redactor *Redactor
	// MaxRetries bounds retries of idempotent requests (default 2; -1: none).
	MaxRetries int
	// RetryBase is the first backoff (default 100ms), doubled per attempt, full jitter.
	RetryBase time.Duration
}

// Request is one call.
type Request struct {
	// Op is the operation for metrics (carriers.OpRates, ...).
	Op     string
	Method string
	// Path is joined to the base URL's path.
	Path   string
	Query  url.Values
	Header http.Header
	// Body is encoded as JSON when not nil.
	Body any
	// Form is sent as application/x-www-form-urlencoded when not nil.
	Form url.Values
	// Idempotent requests (reads) may be retried; purchases never are.
	Idempotent bool
	// NoAuth skips Authorize (the token request itself).
	NoAuth bool
	// Accept lists extra statuses that are not errors (besides 2xx).
	Accept []int
}

// Response is a carrier's answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends req and, when out is not nil, decodes the JSON answer into it.
// Errors are *shipgate.Error: carrier_timeout, carrier_unavailable (network
// failure, 5xx, an unreadable body), rate_limited, or the carrier's refusal
// (carrier_rejected) with the carrier's code and message kept.
func (c *Client) Do(ctx context.Context, req *Request, out any) (*Response, error) {
	var body []byte
	contentType := ""
	switch {
	case req.Body != nil:
		b, err := json.Marshal(req.Body)
		if err != nil {
			return nil, &shipgate.Error{Code: shipgate.CodeInternal, Message: "could not encode the carrier request", Err: err}
		}
		body, contentType = b, "application/json"
	case req.Form != nil:
		body, contentType = []byte(req.Form.Encode()), "application/x-www-form-urlencoded"
	}
	u := c.url(req.Path, req.Query)

	maxRetries := c.MaxRetries
	if maxRetries == 0 {
		maxRetries = 2
	}
	if !req.Idempotent || maxRetries < 0 {
		maxRetries = 0
	}
	reauthorized := false
	for attempt := 0; ; attempt++ {
		resp, err := c.once(ctx, req, u, body, contentType)
		if err == nil && resp.Status == http.StatusUnauthorized && !reauthorized && !req.NoAuth && c.Reauthorize != nil {
			reauthorized = true
			if c.Reauthorize(ctx) {
				attempt--
				continue
			}
		}
		if err == nil {
			err = c.check(req, u, resp)
		}
		if err == nil {
			if out != nil {
				if derr := json.Unmarshal(resp.Body, out); derr != nil {
					c.log(ctx, req, u, resp, "unreadable answer")
					return resp, &shipgate.Error{
						Code:    shipgate.CodeCarrierUnavailable,
						Message: fmt.Sprintf("%s sent an answer that cannot be read", c.Carrier),
						Err:     fmt.Errorf("decode %s answer: %w", carriers.RedactURL(u), derr),
					}
				}
			}
			return resp, nil
		}
		if attempt >= maxRetries || !retryable(err) {
			return resp, err
		}
		wait := c.backoff(attempt, err)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return resp, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return resp, err
		case <-t.C:
		}
	}
}

func (c *Client) url(path string, q url.Values) *url.URL {
	u := *c.BaseURL
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + strings.TrimPrefix(path, "/")
	u.RawPath = ""
	if len(q) > 0 {
		u.RawQuery = q.Encode()
	}
	return &u
}

// once sends one attempt and reports it to the observer.
func (c *Client) once(ctx context.Context, req *Request, u *url.URL, body []byte, contentType string) (*Response, error) {
	if c.Limiter != nil {
		if err := c.Limiter.Wait(ctx); err != nil {
			return nil, c.transportError(ctx, err)
		}
	}
	start := time.Now()
	resp, err := c.send(ctx, req, u, body, contentType)
	outcome := "ok"
	if err != nil {
		outcome = carriers.Outcome(err)
	} else if !c.accepted(req, resp.Status) {
		outcome = string(c.classify(resp.Status, ""))
	}
	if c.Observer != nil {
		c.Observer.ObserveCall(carriers.Call{Account: c.Account, Carrier: c.Name, Operation: req.Op, Outcome: outcome, Duration: time.Since(start)})
	}
	return resp, err
}

func (c *Client) send(ctx context.Context, req *Request, u *url.URL, body []byte, contentType string) (*Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(ctx, req.Method, u.String(), rd)
	if err != nil {
		return nil, &shipgate.Error{Code: shipgate.CodeInternal, Message: "could not build the carrier request", Err: err}
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	if contentType != "" {
		hr.Header.Set("Content-Type", contentType)
	}
	if hr.Header.Get("Accept") == "" {
		hr.Header.Set("Accept", "application/json")
	}
	if !req.NoAuth && c.Authorize != nil {
		if err := c.Authorize(ctx, hr); err != nil {
			return nil, err
		}
	}
	res, err := c.HTTP.Do(hr)
	if err != nil {
		return nil, c.transportError(ctx, err)
	}
	defer res.Body.Close()
	limit := int64(DefaultMaxBody)
	if res.StatusCode >= 300 {
		limit = DefaultMaxErrorBody
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, limit+1))
	if err != nil {
		return nil, c.transportError(ctx, err)
	}
	if int64(len(b)) > limit {
		if res.StatusCode < 300 {
			return nil, &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: fmt.Sprintf("%s sent an answer larger than %d bytes", c.Carrier, limit)}
		}
		b = b[:limit]
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b}, nil
}

func (c *Client) accepted(req *Request, status int) bool {
	if status >= 200 && status < 300 {
		return true
	}
	for _, s := range req.Accept {
		if s == status {
			return true
		}
	}
	return false
}

func (c *Client) classify(status int, code string) shipgate.Code {
	if c.Classify != nil {
		return c.Classify(status, code)
	}
	return carriers.CodeForStatus(status)
}

// check turns a non-2xx answer into a *shipgate.Error with the carrier's words.
func (c *Client) check(req *Request, u *url.URL, resp *Response) error {
	if c.accepted(req, resp.Status) {
		return nil
	}
	code, msg := "", ""
	if c.ParseError != nil {
		code, msg = c.ParseError(resp.Status, resp.Body)
	}
	msg = c.redact(msg)
	re := &carriers.ResponseError{
		Carrier: c.Name, StatusCode: resp.Status, Code: code, Message: msg,
		URL: carriers.RedactURL(u), RetryAfter: RetryAfter(resp.Header, time.Now()),
	}
	c.log(context.Background(), req, u, resp, "carrier error")
	safe := msg
	if safe == "" {
		safe = http.StatusText(resp.Status)
	}
	e := carriers.NewError(c.Account, re, fmt.Sprintf("%s: %s", c.Carrier, safe))
	e.Code = c.classify(resp.Status, code)
	return e
}

func (c *Client) transportError(ctx context.Context, err error) error {
	var se *shipgate.Error
	if errors.As(err, &se) {
		return err
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return &shipgate.Error{Code: shipgate.CodeCarrierTimeout, Message: fmt.Sprintf("%s did not answer in time", c.Carrier), Err: err}
	}
	if errors.Is(err, context.Canceled) {
		return &shipgate.Error{Code: shipgate.CodeCarrierTimeout, Message: fmt.Sprintf("the call to %s was cancelled", c.Carrier), Err: err}
	}
	return &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: fmt.Sprintf("%s could not be reached", c.Carrier), Err: errors.New(c.redact(err.Error()))}
}

func (c *Client) redact(s string) string {
	if c.Redactor == nil {
		return RedactTokens(s)
	}
	return c.Redactor.Redact(s)
}

func (c *Client) log(ctx context.Context, req *Request, u *url.URL, resp *Response, what string) {
	if c.Logger == nil {
		return
	}
	body := resp.Body
	if len(body) > 2048 {
		body = body[:2048]
	}
	c.Logger.LogAttrs(ctx, slog.LevelWarn, what,
		slog.String("carrier", c.Name), slog.String("account", c.Account), slog.String("operation", req.Op),
		slog.String("method", req.Method), slog.String("url", carriers.RedactURL(u)),
		slog.Int("status", resp.Status), slog.String("body", c.redact(string(body))))
}

func retryable(err error) bool {
	var e *shipgate.Error
	if !errors.As(err, &e) {
		return false
	}
	if errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded) {
		return false
	}
	if e.Carrier != nil && (e.Carrier.HTTPStatus == http.StatusUnauthorized || e.Carrier.HTTPStatus == http.StatusForbidden) {
		// Refused credentials stay refused (a 401 already had its one
		// refresh through Reauthorize): retrying only burns quota.
		return false
	}
	return e.Code == shipgate.CodeCarrierUnavailable || e.Code == shipgate.CodeRateLimited
}

func (c *Client) backoff(attempt int, err error) time.Duration {
	var e *shipgate.Error
	if errors.As(err, &e) && e.RetryAfter > 0 {
		return e.RetryAfter
	}
	base := c.RetryBase
	if base <= 0 {
		base = 100 * time.Millisecond
	}
	max := base << attempt
	return time.Duration(rand.Int64N(int64(max) + 1))
}

// RetryAfter reads a Retry-After header (seconds or an HTTP date); 0 when absent.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
