package openapitest

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// Operation is one method and path of a document, with the security
// requirements that apply to it (its own, or the document's when it has none).
type Operation struct {
	Method string
	// Path is the path as the document writes it ("/v1/labels/{id}").
	Path string
	// Security lists the alternative requirements, each mapping a scheme
	// name to its scopes (roles); empty when the operation needs none.
	Security []map[string][]string
}

// Operations returns every operation of the document, sorted by path and method.
func (s *Spec) Operations() []Operation {
	var out []Operation
	for path, pi := range s.Doc.Paths.Map() {
		for method, op := range pi.Operations() {
			o := Operation{Method: strings.ToUpper(method), Path: path}
			reqs := s.Doc.Security
			if op.Security != nil {
				reqs = *op.Security
			}
			for _, r := range reqs {
				m := map[string][]string{}
				for scheme, scopes := range r {
					m[scheme] = append([]string{}, scopes...)
				}
				o.Security = append(o.Security, m)
			}
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out
}

// Operation returns the method and document path of the operation that r
// matches ("GET", "/v1/labels/{id}").
func (s *Spec) Operation(r *http.Request) (method, path string, err error) {
	route, _, err := s.router.FindRoute(r)
	if err != nil {
		return "", "", fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, err)
	}
	return route.Method, route.Path, nil
}
