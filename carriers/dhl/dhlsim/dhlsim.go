// Package dhlsim is a fake of the DHL Express MyDHL API 3.3.1, wire-accurate
// for what shipgate uses: POST /rates, POST /shipments (201, 10-digit
// waybills, JD01 piece IDs, labels rendered as PDF or ZPL), GET
// /shipments/{n}/tracking and GET /tracking (checkpoints that progress with
// the time since the shipment was created). It checks HTTP Basic credentials,
// the account number and the required x-version header, validates the
// fields DHL requires, and answers errors in DHL's problem-JSON shape
// ({instance, detail, title, message, status, additionalDetails}).
//
// Prices are deterministic (a function of lane, product and billable weight),
// so tests and benchmarks see stable numbers. The waybills the spec lists for
// testing tracking (9356579890, 4818240420, ...) answer a fixed, delivered
// history modelled on the spec's tracking example.
//
// The server runs on the carriersim chassis: fault injection, GET /_sim/stats
// (DHL has no OAuth step, so "oauth" stays 0) and GET/POST /_sim/faults.
// Paths are served at the root and also below /mydhlapi and /mydhlapi/test,
// so a base_url copied from DHL's environments works with the host changed.
package dhlsim

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/carriertest/carriersim"
)

// The credentials a simulator accepts unless WithCredentials says otherwise;
// `shipgate simulate dhl` prints them.
const (
	DefaultUsername      = "shipgate-sim"
	DefaultPassword      = "dhl-sim-secret"
	DefaultAccountNumber = "123456789"
)

// APIVersion is the only x-version the simulator accepts.
const APIVersion = "3.3.1"

// Server is the simulated MyDHL API. It embeds the carriersim chassis, so it
// has ServeHTTP, Stats, Faults and SetFaults.
type Server struct {
	*carriersim.Server

	username, password, account string
	now                         func() time.Time
	speed                       float64

	mu        sync.Mutex
	seq       int64
	shipments map[string]*shipment // by waybill
	pieces    map[string]string    // piece ID -> waybill
}

// Option configures a Server.
type Option func(*Server)

// WithCredentials sets the API username and password (HTTP Basic) and the
// DHL account number the simulator accepts.
func WithCredentials(username, password, accountNumber string) Option {
	return func(s *Server) { s.username, s.password, s.account = username, password, accountNumber }
}

// WithFaults sets the initial injected faults.
func WithFaults(f carriersim.Faults) Option {
	return func(s *Server) { s.SetFaults(f) }
}

// WithClock sets the simulator's clock (ship dates, tracking progress).
func WithClock(now func() time.Time) Option {
	return func(s *Server) { s.now = now }
}

// WithSpeed makes tracking progress factor times faster than the clock
// (60: an hour of DHL checkpoints per minute). Values <= 0 are ignored.
func WithSpeed(factor float64) Option {
	return func(s *Server) {
		if factor > 0 {
			s.speed = factor
		}
	}
}

// New returns a simulator with the default credentials, no faults and the
// real clock, changed by opts.
func New(opts ...Option) *Server {
	s := &Server{
		username: DefaultUsername, password: DefaultPassword, account: DefaultAccountNumber,
		now: time.Now, speed: 1,
		shipments: map[string]*shipment{}, pieces: map[string]string{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /rates", s.rates)
	mux.HandleFunc("POST /shipments", s.createShipment)
	mux.HandleFunc("GET /shipments/{number}/tracking", s.trackOne)
	mux.HandleFunc("GET /tracking", s.trackMany)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, http.StatusNotFound, problem{Title: "Not Found", Detail: "No such resource: " + r.Method + " " + r.URL.Path})
	})
	s.Server = carriersim.New(s.guard(mux), opOf, func(w http.ResponseWriter, status int, code, message string) {
		writeProblem(w, nil, status, problem{Title: http.StatusText(status), Message: http.StatusText(status), Detail: code + ": " + message})
	}, carriersim.Faults{})
	for _, o := range opts {
		o(s)
	}
	return s
}

// basePrefixes are the path prefixes of DHL's environments, accepted and stripped.
var basePrefixes = []string{"/mydhlapi/test", "/mydhlapi"}

func stripBase(p string) string {
	for _, b := range basePrefixes {
		if rest, ok := strings.CutPrefix(p, b); ok && (rest == "" || strings.HasPrefix(rest, "/")) {
			return rest
		}
	}
	return p
}

// opOf names the operation of a request for the statistics.
func opOf(r *http.Request) string {
	p := stripBase(r.URL.Path)
	switch {
	case p == "/rates":
		return carriers.OpRates
	case p == "/shipments" && r.Method == http.MethodPost:
		return carriers.OpLabels
	case p == "/tracking" || (strings.HasPrefix(p, "/shipments/") && strings.HasSuffix(p, "/tracking")):
		return carriers.OpTracking
	}
	return ""
}

// guard strips the environment prefix, then checks HTTP Basic credentials
// and the x-version header before the routes see a request.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.URL.Path = stripBase(r.URL.Path)
		r.URL.RawPath = ""
		if ref := r.Header.Get("Message-Reference"); ref != "" {
			w.Header().Set("Message-Reference", ref)
		}
		w.Header().Set("Invocation-Id", "sim-"+strconv.FormatInt(s.now().UnixNano(), 36))
		user, pass, ok := r.BasicAuth()
		if !ok || user != s.username || pass != s.password {
			w.Header().Set("WWW-Authenticate", `Basic realm="MyDHL API"`)
			writeProblem(w, r, http.StatusUnauthorized, problem{Title: "Unauthorized", Message: "Unauthorized", Detail: "Invalid Credentials"})
			return
		}
		switch v := r.Header.Get("x-version"); {
		case v == "":
			writeProblem(w, r, http.StatusBadRequest, problem{Title: "Missing parameters", Message: "Bad request", Detail: "Missing mandatory parameters: x-version"})
			return
		case v != APIVersion:
			writeProblem(w, r, http.StatusBadRequest, problem{Title: "Wrong format", Message: "Bad request", Detail: "Parameters not having correct format: x-version (supported version is " + APIVersion + ")"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// problem is DHL's error body (supermodelIoLogisticsExpressErrorResponse).
type problem struct {
	Instance          string   `json:"instance,omitempty"`
	Detail            string   `json:"detail,omitempty"`
	Title             string   `json:"title,omitempty"`
	Message           string   `json:"message,omitempty"`
	AdditionalDetails []string `json:"additionalDetails,omitempty"`
	Status            string   `json:"status"`
}

// writeProblem answers DHL's error shape with the application/problem+json
// content type the spec documents. instance is "/expressapi" plus the path
// and query, as in the spec's examples.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, p problem) {
	p.Status = strconv.Itoa(status)
	if p.Instance == "" {
		p.Instance = "/expressapi"
		if r != nil {
			p.Instance += r.URL.Path
			if r.URL.RawQuery != "" {
				p.Instance += "?" + r.URL.RawQuery
			}
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// badRequest answers 400 with DHL's "Bad request" title.
func badRequest(w http.ResponseWriter, r *http.Request, detail string) {
	writeProblem(w, r, http.StatusBadRequest, problem{Title: "Bad request", Message: "Bad request", Detail: detail})
}

// invalid answers 422 listing schema problems, as DHL's validation errors do.
func invalid(w http.ResponseWriter, r *http.Request, problems []string) {
	p := problem{Title: "Validation error", Message: "Unprocessable Entity"}
	if len(problems) == 1 {
		p.Detail = problems[0]
	} else {
		p.Detail = "Multiple problems found, see Additional Details"
		p.AdditionalDetails = problems
	}
	writeProblem(w, r, http.StatusUnprocessableEntity, p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
