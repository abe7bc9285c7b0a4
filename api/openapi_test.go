package api_test

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/shipgate/shipgate/api"
	"github.com/shipgate/shipgate/internal/openapitest"
)

// The document, loaded once. Unknown fields are refused in it, so that a
// response field the document does not declare fails validation.
var (
	specOnce sync.Once
	spec     *openapitest.Spec
	specErr  error

	// answered records the operations ("GET /v1/labels/{id}") whose success
	// (2xx) answers were validated, for TestMain's coverage check.
	answeredMu sync.Mutex
	answered   = map[string]bool{}
)

func apiSpec(t testing.TB) *openapitest.Spec {
	t.Helper()
	specOnce.Do(func() {
		spec, specErr = openapitest.Parse(api.OpenAPI())
		if specErr == nil {
			spec.DisallowUnknownFields()
		}
	})
	if specErr != nil {
		t.Fatalf("api/openapi.yaml does not load: %v", specErr)
	}
	return spec
}

// checkSpec validates an exchange against api/openapi.yaml: the response
// always (status, headers, body), and the request too when it succeeded (a
// request the server accepts must be one the document accepts). Requests to
// no route of the server (404, 405 from the router) are not in the document.
func checkSpec(t testing.TB, method, target string, header http.Header, body string, rec *httptest.ResponseRecorder) {
	t.Helper()
	s := apiSpec(t)
	req := openapitest.RequestFromRecord(method, target, header, []byte(body))
	opMethod, opPath, err := s.Operation(req)
	if err != nil {
		if rec.Code == http.StatusNotFound || rec.Code == http.StatusMethodNotAllowed {
			return
		}
		t.Fatalf("%s %s answered %d but is not in api/openapi.yaml: %v", method, target, rec.Code, err)
	}
	if rec.Code < 300 {
		if err := s.ValidateRequest(req); err != nil {
			t.Errorf("request %s %s, accepted by the server, does not match api/openapi.yaml: %v", method, target, err)
		}
	}
	if err := s.ValidateResponse(req, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
		t.Errorf("response %d to %s %s does not match api/openapi.yaml: %v\n%s", rec.Code, method, target, err, truncate(rec.Body.Bytes()))
		return
	}
	if rec.Code < 300 {
		answeredMu.Lock()
		answered[opMethod+" "+opPath] = true
		answeredMu.Unlock()
	}
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "..."
	}
	return string(b)
}

// TestMain checks, after a run of the whole package, that every operation of
// the document had at least one success answer validated: a route whose
// answers no test checks against the document fails here.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	filtered := false
	for _, f := range []string{"test.run", "test.skip", "test.fuzz"} {
		if fl := flag.Lookup(f); fl != nil && fl.Value.String() != "" {
			filtered = true
		}
	}
	if code == 0 && !filtered && spec != nil {
		var missing []string
		for _, op := range spec.Operations() {
			if !answered[op.Method+" "+op.Path] {
				missing = append(missing, op.Method+" "+op.Path)
			}
		}
		if len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "FAIL: no test validated a success answer of these operations against api/openapi.yaml: %s\n", strings.Join(missing, ", "))
			code = 1
		}
	}
	os.Exit(code)
}

// docPath writes an echo route path the way the document does.
func docPath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

// wantSecurity is the security requirement the document must state for a
// route of scope sc.
func wantSecurity(sc api.Scope) string {
	switch sc {
	case api.ScopePublic:
		return "none"
	case api.ScopeAnyKey:
		return "bearerAuth[]"
	}
	return "bearerAuth[" + string(sc) + "]"
}

func securityString(reqs []map[string][]string) string {
	if len(reqs) == 0 {
		return "none"
	}
	var out []string
	for _, r := range reqs {
		for scheme, scopes := range r {
			out = append(out, scheme+"["+strings.Join(scopes, ",")+"]")
		}
	}
	sort.Strings(out)
	return strings.Join(out, " | ")
}

// TestOpenAPIMatchesRouter walks the router: every route is in the document
// with the security its scope implies, and every operation of the document
// is a route.
func TestOpenAPIMatchesRouter(t *testing.T) {
	s := newFullServer(t, nil)
	doc := apiSpec(t)
	ops := map[string]openapitest.Operation{}
	for _, op := range doc.Operations() {
		ops[op.Method+" "+op.Path] = op
	}
	served := map[string]bool{}
	for _, r := range s.Routes() {
		key := r.Method + " " + docPath(r.Path)
		served[key] = true
		op, ok := ops[key]
		if !ok {
			t.Errorf("route %s %s is missing from api/openapi.yaml", r.Method, r.Path)
			continue
		}
		sc, ok := s.RouteScope(r.Method, r.Path)
		if !ok {
			continue // TestEveryRouteDeclaresAScope reports it
		}
		if got, want := securityString(op.Security), wantSecurity(sc); got != want {
			t.Errorf("%s: the document's security is %s, the route's scope %q wants %s", key, got, sc, want)
		}
	}
	for key := range ops {
		if !served[key] {
			t.Errorf("api/openapi.yaml documents %s, which the server does not serve", key)
		}
	}
}

// TestOpenAPIServed fetches /openapi.yaml without a key, over HTTP.
func TestOpenAPIServed(t *testing.T) {
	srv := httptest.NewServer(newFullServer(t, testKeys()))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(res.Body)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/yaml" || !bytes.Equal(b.Bytes(), api.OpenAPI()) {
		t.Fatalf("%d %s: %.80s", res.StatusCode, res.Header.Get("Content-Type"), b.String())
	}
	if !bytes.HasPrefix(api.OpenAPI(), []byte("openapi: 3.1.")) {
		t.Fatal("the document is not OpenAPI 3.1")
	}
	if ops := apiSpec(t).Operations(); !slices.ContainsFunc(ops, func(o openapitest.Operation) bool { return o.Path == "/openapi.yaml" }) {
		t.Fatal("the document does not document itself")
	}
	checkSpec(t, "GET", "/openapi.yaml", nil, "", &httptest.ResponseRecorder{Code: res.StatusCode, HeaderMap: res.Header, Body: &b})
}

// TestOpenAPIRejectsWrongAnswers makes sure the validation used by the tests
// catches an undeclared field and a wrong type.
func TestOpenAPIRejectsWrongAnswers(t *testing.T) {
	doc := apiSpec(t)
	req := openapitest.RequestFromRecord("GET", "/healthz", nil, nil)
	h := http.Header{"Content-Type": {"application/json"}}
	if err := doc.ValidateResponse(req, 200, h, []byte(`{"status":"ok"}`)); err != nil {
		t.Fatalf("a right answer was refused: %v", err)
	}
	for _, body := range []string{`{"status":"ok","extra":1}`, `{"status":7}`, `{}`} {
		if err := doc.ValidateResponse(req, 200, h, []byte(body)); err == nil {
			t.Errorf("%s passed validation", body)
		}
	}
	if err := doc.ValidateResponse(req, 418, h, []byte(`{}`)); err == nil {
		t.Error("an undocumented status passed validation")
	}
}

// TestOpenAPISchemasDeclareWhatTheyRequire: a required property must be
// declared (the validation's unknown-field check lets undeclared required
// properties through, for the carriers' specs).
func TestOpenAPISchemasDeclareWhatTheyRequire(t *testing.T) {
	doc, err := openapitest.Parse(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	for name, ref := range doc.Doc.Components.Schemas {
		for _, r := range ref.Value.Required {
			if _, ok := ref.Value.Properties[r]; !ok {
				t.Errorf("schema %s requires %q without declaring it", name, r)
			}
		}
	}
}
