// Package wire holds the lenient JSON types that both the UPS adapter and its
// simulator use to read UPS's JSON, which is its older XML translated: every
// value is a string (though examples and older versions also send numbers and
// booleans), and a repeating element may be one object instead of an array
// when it occurs once.
package wire

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
)

// Str is a string that also accepts a JSON number or boolean (kept as its
// text) and null (empty).
type Str string

// UnmarshalJSON reads a string, number, boolean or null.
func (s *Str) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*s = ""
		return nil
	case b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = Str(v)
		return nil
	case bytes.Equal(b, []byte("true")) || bytes.Equal(b, []byte("false")):
		*s = Str(b)
		return nil
	}
	if _, err := strconv.ParseFloat(string(b), 64); err != nil {
		return &json.UnmarshalTypeError{Value: string(b), Type: reflect.TypeOf("")}
	}
	*s = Str(b)
	return nil
}

// String returns the value.
func (s Str) String() string { return string(s) }

// Many is a list that also accepts a single object (UPS sends one object for a
// repeating element that occurs once in older versions) and null (empty).
type Many[T any] []T

// UnmarshalJSON reads an array, a single value or null.
func (m *Many[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		*m = nil
		return nil
	}
	if b[0] == '[' {
		var v []T
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*m = v
		return nil
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*m = Many[T]{one}
	return nil
}

// Present is a UPS "presence indicator": the key's presence means true,
// whatever its value (often "" or "Y"); its absence means false.
type Present bool

// UnmarshalJSON marks the indicator present for any value but null.
func (p *Present) UnmarshalJSON(b []byte) error {
	*p = Present(!bytes.Equal(bytes.TrimSpace(b), []byte("null")))
	return nil
}

// Errors is UPS's error body: {"response":{"errors":[{"code","message"}]}}.
type Errors struct {
	Response struct {
		Errors Many[Error] `json:"errors"`
	} `json:"response"`
}

// Error is one UPS error.
type Error struct {
	Code    Str `json:"code"`
	Message Str `json:"message"`
}

// NewErrors returns the error body for one error.
func NewErrors(code, message string) Errors {
	var e Errors
	e.Response.Errors = Many[Error]{{Code: Str(code), Message: Str(message)}}
	return e
}

// Object is an optional object that also accepts a blank string (UPS's
// examples write an empty element as "") and null: both leave V nil.
type Object[T any] struct{ V *T }

// UnmarshalJSON reads an object, a blank string or null.
func (o *Object[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || bytes.Equal(b, []byte("null")) {
		o.V = nil
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if strings.TrimSpace(s) != "" {
			return &json.UnmarshalTypeError{Value: "string", Type: reflect.TypeOf(o)}
		}
		o.V = nil
		return nil
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return err
	}
	o.V = v
	return nil
}
