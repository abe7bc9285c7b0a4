// Package carriersim is the chassis shared by the carrier simulators (upssim,
// dhlsim, ...): fault injection (latency, jitter, fail rate, and the modes
// error, timeout, 429 and malformed), request counts per operation, and the
// control endpoints GET /_sim/stats and GET/POST /_sim/faults.
package carriersim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Fault modes.
const (
	ModeOK        = "ok"
	ModeError     = "error"     // every call answers 500 in the carrier's error shape
	ModeTimeout   = "timeout"   // calls never answer (until the client gives up)
	Mode429       = "429"       // every call answers 429 with Retry-After
	ModeMalformed = "malformed" // every call answers 200 with a body that is not JSON
)

// Faults are the injected misbehaviours.
type Faults struct {
	Latency  time.Duration `json:"-"`
	Jitter   time.Duration `json:"-"`
	FailRate float64       `json:"fail_rate"`
	Mode     string        `json:"mode"`
}

// Validate reports a fault setting that makes no sense.
func (f Faults) Validate() error {
	switch f.Mode {
	case "", ModeOK, ModeError, ModeTimeout, Mode429, ModeMalformed:
	default:
		return fmt.Errorf("mode %q: want ok, error, timeout, 429 or malformed", f.Mode)
	}
	if f.FailRate < 0 || f.FailRate > 1 {
		return fmt.Errorf("fail_rate %v: want a number from 0 to 1", f.FailRate)
	}
	if f.Latency < 0 || f.Jitter < 0 {
		return fmt.Errorf("latency and jitter must not be negative")
	}
	return nil
}

type faultsJSON struct {
	Latency  string   `json:"latency"`
	Jitter   string   `json:"jitter"`
	FailRate *float64 `json:"fail_rate,omitempty"`
	Mode     string   `json:"mode"`
}

// ErrorWriter writes an error in the carrier's own shape.
type ErrorWriter func(w http.ResponseWriter, status int, code, message string)

// Server wraps a simulator's routes with faults, counters and control endpoints.
type Server struct {
	routes  http.Handler
	opOf    func(*http.Request) string
	writeEr ErrorWriter

	mu     sync.Mutex
	faults Faults
	counts map[string]int64
}

// New returns a Server. opOf names the operation of a request (oauth, rates,
// labels, void, tracking; "" for requests not counted); writeErr writes an
// error the way the carrier does.
func New(routes http.Handler, opOf func(*http.Request) string, writeErr ErrorWriter, f Faults) *Server {
	return &Server{routes: routes, opOf: opOf, writeEr: writeErr, faults: f, counts: map[string]int64{}}
}

// Faults returns the current faults.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// SetFaults replaces the faults.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	s.faults = f
	s.mu.Unlock()
}

// Stats returns the request count of each operation.
func (s *Server) Stats() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int64{"oauth": 0, "rates": 0, "labels": 0, "void": 0, "tracking": 0}
	for k, v := range s.counts {
		out[k] = v
	}
	return out
}

// Count returns the number of requests of one operation.
func (s *Server) Count(op string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[op]
}

// ServeHTTP serves the control endpoints, or counts the request, applies the
// faults and hands it to the simulator's routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.control(w, r)
		return
	}
	op := s.opOf(r)
	s.mu.Lock()
	if op != "" {
		s.counts[op]++
	}
	f := s.faults
	s.mu.Unlock()

	if d := f.Latency + jitter(f.Jitter); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-r.Context().Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
	mode := f.Mode
	if mode == "" || mode == ModeOK {
		if f.FailRate > 0 && rand.Float64() < f.FailRate {
			mode = ModeError
		}
	}
	switch mode {
	case ModeTimeout:
		<-r.Context().Done()
		return
	case ModeError:
		s.writeEr(w, http.StatusInternalServerError, "SIM500", "simulated carrier failure")
		return
	case Mode429:
		w.Header().Set("Retry-After", "1")
		s.writeEr(w, http.StatusTooManyRequests, "SIM429", "simulated rate limit")
		return
	case ModeMalformed:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"this is": not json`))
		return
	}
	s.routes.ServeHTTP(w, r)
}

func jitter(j time.Duration) time.Duration {
	if j <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(j) + 1))
}

func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/_sim/stats" && r.Method == http.MethodGet:
		_ = json.NewEncoder(w).Encode(map[string]any{"requests": s.Stats()})
	case r.URL.Path == "/_sim/faults" && r.Method == http.MethodGet:
		_ = json.NewEncoder(w).Encode(toJSON(s.Faults()))
	case r.URL.Path == "/_sim/faults" && r.Method == http.MethodPost:
		var in faultsJSON
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil {
			http.Error(w, `{"error":"body must be {\"latency\",\"jitter\",\"fail_rate\",\"mode\"}"}`, http.StatusBadRequest)
			return
		}
		f := s.Faults()
		var err error
		if in.Latency != "" {
			if f.Latency, err = time.ParseDuration(in.Latency); err != nil {
				http.Error(w, `{"error":"latency: not a duration"}`, http.StatusBadRequest)
				return
			}
		}
		if in.Jitter != "" {
			if f.Jitter, err = time.ParseDuration(in.Jitter); err != nil {
				http.Error(w, `{"error":"jitter: not a duration"}`, http.StatusBadRequest)
				return
			}
		}
		if in.FailRate != nil {
			f.FailRate = *in.FailRate
		}
		if in.Mode != "" {
			f.Mode = in.Mode
		}
		if err := f.Validate(); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		s.SetFaults(f)
		_ = json.NewEncoder(w).Encode(toJSON(f))
	default:
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
	}
}

func toJSON(f Faults) faultsJSON {
	fr := f.FailRate
	mode := f.Mode
	if mode == "" {
		mode = ModeOK
	}
	return faultsJSON{Latency: f.Latency.String(), Jitter: f.Jitter.String(), FailRate: &fr, Mode: mode}
}
