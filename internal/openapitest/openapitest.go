// Package openapitest validates HTTP requests and responses against an OpenAPI
// document in tests: the carriers' official specs (so that an adapter's request
// that the carrier would reject fails our tests) and shipgate's own
// api/openapi.yaml. It is the only package that imports kin-openapi.
package openapitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Spec is a loaded OpenAPI document with a router over its paths. Servers are
// replaced by one relative server "/", so requests are matched by path alone
// (the path below the API's base URL, as the spec writes it).
type Spec struct {
	Doc    *openapi3.T
	router routers.Router
}

// CarrierSpecsDir returns the directory of the carriers' official specs:
// $SHIPGATE_CARRIER_SPECS, or ../shared/carrier-specs beside the repository.
// ok is false when it does not exist.
func CarrierSpecsDir() (string, bool) {
	if d := os.Getenv("SHIPGATE_CARRIER_SPECS"); d != "" {
		_, err := os.Stat(d)
		return d, err == nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			d := filepath.Join(dir, "..", "shared", "carrier-specs")
			_, err := os.Stat(d)
			return d, err == nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// LoadCarrierSpec loads a carrier spec by its path inside the specs directory
// ("ups/Rating.yaml"). The test is skipped, saying so, when the directory is
// absent (a clone outside this workspace).
func LoadCarrierSpec(t testing.TB, rel string) *Spec {
	t.Helper()
	dir, ok := CarrierSpecsDir()
	if !ok {
		t.Skipf("carrier specs not found (../shared/carrier-specs beside the repository, or $SHIPGATE_CARRIER_SPECS): skipping validation against %s", rel)
	}
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Skipf("carrier spec %s not readable: %v", rel, err)
	}
	s, err := Parse(b)
	if err != nil {
		t.Fatalf("load %s: %v", rel, err)
	}
	return s
}

// Parse loads an OpenAPI document from YAML or JSON bytes. Tabs are replaced
// by spaces (some carrier files hold tabs that YAML forbids) and patterns that
// Go's regexp cannot compile (look-aheads) are dropped from the schemas.
func Parse(b []byte) (*Spec, error) {
	b = bytes.ReplaceAll(b, []byte("\t"), []byte("  "))
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		return nil, err
	}
	doc.Servers = openapi3.Servers{{URL: "/"}}
	for _, pi := range doc.Paths.Map() {
		pi.Servers = nil
		for _, op := range pi.Operations() {
			op.Servers = nil
		}
	}
	seen := map[*openapi3.Schema]bool{}
	for _, ref := range doc.Components.Schemas {
		dropBadPatterns(ref, seen)
	}
	for _, pi := range doc.Paths.Map() {
		for _, op := range pi.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					dropBadPatterns(mt.Schema, seen)
				}
			}
		}
	}
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &Spec{Doc: doc, router: r}, nil
}

func dropBadPatterns(ref *openapi3.SchemaRef, seen map[*openapi3.Schema]bool) {
	if ref == nil || ref.Value == nil || seen[ref.Value] {
		return
	}
	s := ref.Value
	seen[s] = true
	if s.Pattern != "" {
		if _, err := regexp.Compile(s.Pattern); err != nil {
			s.Pattern = ""
		}
	}
	for _, p := range s.Properties {
		dropBadPatterns(p, seen)
	}
	dropBadPatterns(s.Items, seen)
	for _, l := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.OneOf} {
		for _, x := range l {
			dropBadPatterns(x, seen)
		}
	}
	if s.AdditionalProperties.Schema != nil {
		dropBadPatterns(s.AdditionalProperties.Schema, seen)
	}
}

// ValidateRequest checks a request against the document: the path and method
// exist, parameters and headers the spec requires are present and well-formed,
// and the body matches the operation's schema. The request URL's path must be
// the path below the API's base URL. Authentication schemes are not checked.
func (s *Spec) ValidateRequest(r *http.Request) error {
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return err
		}
		body = b
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	route, params, err := s.router.FindRoute(r)
	if err != nil {
		return fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, err)
	}
	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
	}
	err = openapi3filter.ValidateRequest(context.Background(), in)
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	return err
}

// ValidateResponse checks a response (status, headers, body) against the
// operation that req matches.
func (s *Spec) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	route, params, err := s.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: status, Header: header,
		Options: &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true},
	}
	in.SetBodyBytes(body)
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// RequestFromRecord builds a request for validation from what a simulator
// recorded: the method, the path below the API base (with its query, if
// any), the headers and the body.
func RequestFromRecord(method, path string, header http.Header, body []byte) *http.Request {
	r, _ := http.NewRequest(method, "http://spec.test"+path, bytes.NewReader(body))
	r.URL.Host = ""
	r.URL.Scheme = ""
	r.Host = ""
	for k, v := range header {
		r.Header[k] = v
	}
	r.URL.Path, r.URL.RawQuery, _ = strings.Cut(path, "?")
	r.RequestURI = ""
	return r
}
