package openapitest

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// DisallowUnknownFields makes every object schema of the document that lists
// its properties, and says nothing about additional ones, refuse properties it
// does not declare. Carrier gateways built on XML schemas (UPS) refuse unknown
// elements, so a misspelled field fails validation instead of passing unseen.
// A property a schema requires without declaring it (a defect of UPS's
// Rating document: Request.RequestOption) stays allowed, with any value.
func (s *Spec) DisallowUnknownFields() {
	no := false
	seen := map[*openapi3.Schema]bool{}
	var walk func(ref *openapi3.SchemaRef)
	walk = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		sc := ref.Value
		seen[sc] = true
		if len(sc.Properties) > 0 && sc.AdditionalProperties.Has == nil && sc.AdditionalProperties.Schema == nil &&
			len(sc.AllOf) == 0 && len(sc.AnyOf) == 0 && len(sc.OneOf) == 0 {
			sc.AdditionalProperties.Has = &no
			for _, name := range sc.Required {
				if _, ok := sc.Properties[name]; !ok {
					sc.Properties[name] = &openapi3.SchemaRef{Value: &openapi3.Schema{}}
				}
			}
		}
		for _, p := range sc.Properties {
			walk(p)
		}
		walk(sc.Items)
	}
	for _, ref := range s.Doc.Components.Schemas {
		walk(ref)
	}
	for _, pi := range s.Doc.Paths.Map() {
		for _, op := range pi.Operations() {
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				for _, mt := range op.RequestBody.Value.Content {
					walk(mt.Schema)
				}
			}
			for _, r := range op.Responses.Map() {
				if r.Value != nil {
					for _, mt := range r.Value.Content {
						walk(mt.Schema)
					}
				}
			}
		}
	}
}

// SetLength overrides minLength and maxLength (0: no maximum) of the string
// property prop of the component schema named schema. Tests use it to correct
// a known defect of a carrier's spec (a length its own examples break); each
// call should say why. It fails when the schema or property does not exist, so
// a correction that no longer applies is noticed.
func (s *Spec) SetLength(schema, prop string, minLen, maxLen uint64) error {
	ref, ok := s.Doc.Components.Schemas[schema]
	if !ok || ref.Value == nil {
		return fmt.Errorf("no component schema %q", schema)
	}
	p, ok := ref.Value.Properties[prop]
	if !ok || p.Value == nil {
		return fmt.Errorf("schema %q has no property %q", schema, prop)
	}
	p.Value.MinLength = minLen
	p.Value.MaxLength = nil
	if maxLen > 0 {
		p.Value.MaxLength = &maxLen
	}
	return nil
}

// RequestExamples returns the request body examples of the operation at
// method and path (as the spec writes it, "/rating/{version}/{requestoption}"),
// each marshalled to JSON, by example name.
func (s *Spec) RequestExamples(method, path string) (map[string][]byte, error) {
	pi := s.Doc.Paths.Find(path)
	if pi == nil {
		return nil, fmt.Errorf("no path %s", path)
	}
	op := pi.GetOperation(strings.ToUpper(method))
	if op == nil || op.RequestBody == nil || op.RequestBody.Value == nil {
		return nil, fmt.Errorf("%s %s has no request body", method, path)
	}
	out := map[string][]byte{}
	for _, mt := range op.RequestBody.Value.Content {
		for name, ex := range mt.Examples {
			if ex == nil || ex.Value == nil {
				continue
			}
			b, err := json.Marshal(ex.Value.Value)
			if err != nil {
				return nil, fmt.Errorf("example %s: %w", name, err)
			}
			out[name] = b
		}
	}
	return out, nil
}

// ExampleNames returns the keys of m in order, numerically when they are numbers.
func ExampleNames(m map[string][]byte) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		if len(names[i]) != len(names[j]) {
			return len(names[i]) < len(names[j])
		}
		return names[i] < names[j]
	})
	return names
}

// SetParameterLength overrides minLength and maxLength (0: no maximum) of a
// parameter of the operation at method and path, like SetLength.
func (s *Spec) SetParameterLength(method, path, name string, minLen, maxLen uint64) error {
	pi := s.Doc.Paths.Find(path)
	if pi == nil {
		return fmt.Errorf("no path %s", path)
	}
	op := pi.GetOperation(strings.ToUpper(method))
	if op == nil {
		return fmt.Errorf("no operation %s %s", method, path)
	}
	for _, p := range append(op.Parameters, pi.Parameters...) {
		if p.Value != nil && p.Value.Name == name && p.Value.Schema != nil && p.Value.Schema.Value != nil {
			sc := p.Value.Schema.Value
			sc.MinLength = minLen
			sc.MaxLength = nil
			if maxLen > 0 {
				sc.MaxLength = &maxLen
			}
			return nil
		}
	}
	return fmt.Errorf("%s %s has no parameter %q", method, path, name)
}
