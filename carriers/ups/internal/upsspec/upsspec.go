// Package upsspec loads UPS's OpenAPI documents for the tests of the UPS
// adapter and its simulator: strict about unknown keys (UPS's gateway
// validates against its XML schemas) and with the few defects of the
// documents corrected, each correction saying why.
package upsspec

import (
	"strings"
	"sync"
	"testing"

	"github.com/shipgate/shipgate/carriers/ups/upssim"
	"github.com/shipgate/shipgate/internal/openapitest"
)

// Specs are UPS's four documents.
type Specs struct {
	OAuth, Rating, Shipping, Tracking *openapitest.Spec
}

var (
	mu     sync.Mutex
	loaded *Specs
)

// Load returns the documents, loaded once per test binary. The test is
// skipped when the documents are absent (see openapitest.LoadCarrierSpec).
func Load(t testing.TB) *Specs {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if loaded != nil {
		return loaded
	}
	s := &Specs{
		OAuth:    openapitest.LoadCarrierSpec(t, "ups/OAuthClientCredentials.yaml"),
		Rating:   openapitest.LoadCarrierSpec(t, "ups/Rating.yaml"),
		Shipping: openapitest.LoadCarrierSpec(t, "ups/Shipping.yaml"),
		Tracking: openapitest.LoadCarrierSpec(t, "ups/Tracking.yaml"),
	}
	for _, sp := range []*openapitest.Spec{s.OAuth, s.Rating, s.Shipping, s.Tracking} {
		sp.DisallowUnknownFields()
	}
	for _, f := range []struct {
		spec           *openapitest.Spec
		schema, prop   string
		minLen, maxLen uint64
		why            string
	}{
		{s.Rating, "Shipment_Service", "Code", 2, 3,
			`Rating says a service code has exactly 3 characters, yet its own list ("03 = Ground") and example 1 use 2`},
		{s.Rating, "PackageServiceOptions_DeclaredValue", "MonetaryValue", 1, 11,
			`Rating says a declared value has exactly 8 characters, and that it goes up to 21474836.47 (11)`},
		{s.Shipping, "ShipmentResults_BillingWeight", "Weight", 1, 8,
			`Shipping says the billing weight has exactly 8 characters; UPS answers "6.0"`},
	} {
		if err := f.spec.SetLength(f.schema, f.prop, f.minLen, f.maxLen); err != nil {
			t.Fatalf("correcting %s.%s (%s): %v", f.schema, f.prop, f.why, err)
		}
	}
	// Rating lists Ratetimeintransit and Shoptimeintransit (17 characters) as
	// values of the path's requestoption, whose maxLength it sets to 10.
	if err := s.Rating.SetParameterLength("POST", "/rating/{version}/{requestoption}", "requestoption", 1, 17); err != nil {
		t.Fatalf("correcting requestoption: %v", err)
	}
	loaded = s
	return s
}

// Route returns the document of a request path and the path below that
// document's base URL.
func (s *Specs) Route(path string) (*openapitest.Spec, string) {
	switch {
	case strings.HasPrefix(path, "/security/"):
		return s.OAuth, path
	case strings.HasPrefix(path, "/api/rating/"):
		return s.Rating, strings.TrimPrefix(path, "/api")
	case strings.HasPrefix(path, "/api/shipments/"), strings.HasPrefix(path, "/api/labels/"):
		return s.Shipping, strings.TrimPrefix(path, "/api")
	case strings.HasPrefix(path, "/api/track/"):
		return s.Tracking, strings.TrimPrefix(path, "/api")
	}
	return nil, path
}

// CheckExchanges validates every recorded request against UPS's documents
// (checkRequests) and every answer against their answer schemas.
func (s *Specs) CheckExchanges(t testing.TB, exs []upssim.Exchange, checkRequests bool) {
	t.Helper()
	if len(exs) == 0 {
		t.Fatal("no exchange recorded")
	}
	for i, ex := range exs {
		spec, path := s.Route(ex.Path)
		if spec == nil {
			t.Errorf("exchange %d: %s %s matches no UPS document", i, ex.Method, ex.Path)
			continue
		}
		if checkRequests {
			req := openapitest.RequestFromRecord(ex.Method, path, ex.Header, ex.Body)
			req.URL.RawQuery = ex.Query.Encode()
			if err := spec.ValidateRequest(req); err != nil {
				t.Errorf("exchange %d: request %s %s breaks UPS's document: %v\nbody: %s", i, ex.Method, ex.Path, err, ex.Body)
			}
		}
		req := openapitest.RequestFromRecord(ex.Method, path, ex.Header, ex.Body)
		req.URL.RawQuery = ex.Query.Encode()
		if err := spec.ValidateResponse(req, ex.Status, ex.ResponseHeader, ex.ResponseBody); err != nil {
			t.Errorf("exchange %d: answer %d to %s %s breaks UPS's document: %v\nbody: %.1500s", i, ex.Status, ex.Method, ex.Path, err, ex.ResponseBody)
		}
	}
}
