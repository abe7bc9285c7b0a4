// Package upssim is a fake UPS API that speaks the paths and JSON of UPS's
// official OpenAPI documents (OAuthClientCredentials, Rating v2409, Shipping
// v2409, Tracking v1), for tests and local development. It runs on the
// carriersim chassis, so it also offers fault injection (latency, jitter,
// fail rate, modes error|timeout|429|malformed), GET /_sim/stats and
// GET/POST /_sim/faults.
//
// What it does:
//   - POST /security/v1/oauth/token checks HTTP Basic credentials and the
//     form grant_type=client_credentials, and issues a bearer token whose
//     fields are all strings, as UPS's are (expires_in "14399").
//   - Every /api call needs a bearer token it issued and has not revoked or
//     let expire; otherwise it answers 401 with UPS's code 250002.
//   - POST /api/rating/{version}/{Rate|Shop|Ratetimeintransit|Shoptimeintransit}
//     quotes deterministic prices: a zone from the postal codes (or the
//     destination country), the billable weight (dimensional weight included),
//     the service; residential and fuel surcharges as itemized charges;
//     negotiated rates (18% off) when NegotiatedRatesIndicator is sent; time
//     in transit when asked.
//   - POST /api/shipments/{version}/ship returns one label per package in the
//     asked format (GIF, ZPL, EPL or SPL) and 1Z tracking numbers with a valid
//     check digit, and remembers the shipment.
//   - DELETE /api/shipments/{version}/void/cancel/{id} voids it; a second void
//     answers 400 with code 190117 "The Shipment has already been voided"
//     (UPS's Shipping error appendix; the OpenAPI document itself does not
//     list error codes).
//   - GET /api/track/v1/details/{inquiryNumber} (headers transId and
//     transactionSrc required) answers a history that progresses with the time
//     since the label was bought: label created, pickup, departure, arrival,
//     out for delivery, delivered after the service's transit days. Unknown
//     numbers answer 404 with code TW0001.
//
// Errors always have UPS's shape {"response":{"errors":[{"code","message"}]}}.
// Which UPS codes it uses, and where they come from, is listed in README.md
// beside the adapter.
package upssim

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/shipgate/shipgate/carriers/carriertest/carriersim"
	"github.com/shipgate/shipgate/carriers/ups/internal/wire"
)

// The credentials a simulator accepts unless told otherwise (WithCredentials).
// `shipgate simulate ups` prints them; an adapter account pointing at the
// simulator uses them as client_id, client_secret and account_number.
const (
	DefaultClientID      = "shipgate-sim-client"
	DefaultClientSecret  = "shipgate-sim-secret"
	DefaultAccountNumber = "S1M8U5"
)

// DefaultTokenLifetime is the lifetime of the tokens it issues (expires_in
// "14399", as UPS's CIE answers).
const DefaultTokenLifetime = 14399 * time.Second

// maxBody bounds a request body.
const maxBody = 1 << 20

// maxExchanges bounds how many recorded exchanges are kept.
const maxExchanges = 2000

// Option configures a Server.
type Option func(*config)

type config struct {
	clientID, clientSecret, account string
	faults                          carriersim.Faults
	now                             func() time.Time
	tokenLifetime                   time.Duration
	render                          LabelRenderer
}

// WithCredentials sets the client id and secret the OAuth endpoint accepts
// and the account (shipper) number of the shipments it makes.
func WithCredentials(clientID, clientSecret, accountNumber string) Option {
	return func(c *config) { c.clientID, c.clientSecret, c.account = clientID, clientSecret, accountNumber }
}

// WithFaults sets the injected faults at start (they can change later with
// SetFaults or POST /_sim/faults).
func WithFaults(f carriersim.Faults) Option { return func(c *config) { c.faults = f } }

// WithClock sets the clock that token expiry and tracking progress follow.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithTokenLifetime sets the lifetime of the tokens it issues.
func WithTokenLifetime(d time.Duration) Option { return func(c *config) { c.tokenLifetime = d } }

// WithLabelRenderer replaces the label renderer.
func WithLabelRenderer(r LabelRenderer) Option { return func(c *config) { c.render = r } }

// Server is the fake UPS API. It is an http.Handler.
type Server struct {
	sim *carriersim.Server
	cfg config

	mu        sync.Mutex
	tokens    map[string]time.Time // token -> expiry
	shipments map[string]*shipment // by shipment identification number
	packages  map[string]*shipment // by package tracking number
	seq       int
	exchanges []Exchange
}

// Exchange is one API request the simulator answered, as it received and
// answered it (tests validate both against UPS's OpenAPI documents).
type Exchange struct {
	Method string
	// Path is the request path, e.g. /api/rating/v2409/Shop.
	Path           string
	Query          url.Values
	Header         http.Header
	Body           []byte
	Status         int
	ResponseHeader http.Header
	ResponseBody   []byte
}

// New returns a simulator.
func New(opts ...Option) *Server {
	cfg := config{
		clientID: DefaultClientID, clientSecret: DefaultClientSecret, account: DefaultAccountNumber,
		now: time.Now, tokenLifetime: DefaultTokenLifetime, render: defaultRenderer,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		cfg:       cfg,
		tokens:    map[string]time.Time{},
		shipments: map[string]*shipment{},
		packages:  map[string]*shipment{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /security/v1/oauth/token", s.token)
	mux.HandleFunc("POST /api/rating/{version}/{requestoption}", s.authed(answer(s.rate)))
	mux.HandleFunc("POST /api/shipments/{version}/ship", s.authed(answer(s.ship)))
	mux.HandleFunc("DELETE /api/shipments/{version}/void/cancel/{id}", s.authed(answer(s.void)))
	mux.HandleFunc("GET /api/track/v1/details/{inquiryNumber}", s.authed(s.track))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "10404", "Resource not found: "+r.Method+" "+r.URL.Path)
	})
	s.sim = carriersim.New(s.record(mux), opOf, writeError, cfg.faults)
	return s
}

// ServeHTTP serves the UPS API and the /_sim control endpoints.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.sim.ServeHTTP(w, r) }

// Stats returns the number of requests per operation (oauth, rates, labels,
// void, tracking), as GET /_sim/stats does.
func (s *Server) Stats() map[string]int64 { return s.sim.Stats() }

// Faults returns the injected faults.
func (s *Server) Faults() carriersim.Faults { return s.sim.Faults() }

// SetFaults replaces the injected faults.
func (s *Server) SetFaults(f carriersim.Faults) { s.sim.SetFaults(f) }

// Credentials returns the client id, secret and account number it accepts.
func (s *Server) Credentials() (clientID, clientSecret, accountNumber string) {
	return s.cfg.clientID, s.cfg.clientSecret, s.cfg.account
}

// RevokeTokens makes every token issued so far invalid: the next API call
// with one of them answers 401, as UPS does for a token it no longer honours.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	s.tokens = map[string]time.Time{}
	s.mu.Unlock()
}

// Exchanges returns the API requests answered so far (oldest first, at most
// the latest 2000), OAuth included, /_sim calls and injected faults excluded.
func (s *Server) Exchanges() []Exchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Exchange(nil), s.exchanges...)
}

// ResetExchanges forgets the recorded exchanges.
func (s *Server) ResetExchanges() {
	s.mu.Lock()
	s.exchanges = nil
	s.mu.Unlock()
}

func opOf(r *http.Request) string {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/security/"):
		return "oauth"
	case strings.HasPrefix(p, "/api/rating/"):
		return "rates"
	case strings.HasPrefix(p, "/api/shipments/") && strings.Contains(p, "/void/"):
		return "void"
	case strings.HasPrefix(p, "/api/shipments/"):
		return "labels"
	case strings.HasPrefix(p, "/api/track/"):
		return "tracking"
	}
	return ""
}

// writeError writes UPS's error shape.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, wire.NewErrors(code, message))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// record keeps a copy of each exchange that reaches the routes.
func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			writeError(w, http.StatusRequestEntityTooLarge, "10013", "The message is too large to be processed by the Application.")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		ex := Exchange{
			Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body,
			Status: rec.status, ResponseHeader: w.Header().Clone(), ResponseBody: rec.buf.Bytes(),
		}
		s.mu.Lock()
		s.exchanges = append(s.exchanges, ex)
		if n := len(s.exchanges); n > maxExchanges {
			s.exchanges = append([]Exchange(nil), s.exchanges[n-maxExchanges:]...)
		}
		s.mu.Unlock()
	})
}

type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}

// authed checks the bearer token before calling h.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ok {
			s.mu.Lock()
			exp, known := s.tokens[strings.TrimSpace(tok)]
			s.mu.Unlock()
			ok = known && s.cfg.now().Before(exp)
		}
		if !ok {
			writeError(w, http.StatusUnauthorized, "250002", "Invalid Authentication Information.")
			return
		}
		h(w, r)
	}
}

// token serves POST /security/v1/oauth/token.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	id, secret, ok := r.BasicAuth()
	if !ok || id != s.cfg.clientID || secret != s.cfg.clientSecret {
		writeError(w, http.StatusUnauthorized, "10401", "ClientId is Invalid")
		return
	}
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		writeError(w, http.StatusBadRequest, "10400", "Invalid/Missing Content-Type: want application/x-www-form-urlencoded")
		return
	}
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeError(w, http.StatusBadRequest, "10400", "Invalid/Missing grant_type")
		return
	}
	raw := make([]byte, 48)
	_, _ = rand.Read(raw)
	tok := "eyJ" + base64.RawURLEncoding.EncodeToString(raw)
	now := s.cfg.now()
	s.mu.Lock()
	s.tokens[tok] = now.Add(s.cfg.tokenLifetime)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{
		"token_type":    "Bearer",
		"issued_at":     itoa(now.UnixMilli()),
		"client_id":     id,
		"access_token":  tok,
		"scope":         "",
		"expires_in":    itoa(int64(s.cfg.tokenLifetime / time.Second)),
		"refresh_count": "0",
		"status":        "approved",
	})
}
