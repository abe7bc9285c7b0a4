package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"

	"github.com/shipgate/shipgate"
)

// newValidator builds the one validator of the server: field names are the
// JSON names, and money must carry a currency.
func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		if name == "" {
			return f.Name
		}
		return name
	})
	v.RegisterStructValidation(func(sl validator.StructLevel) {
		m := sl.Current().Interface().(shipgate.Money)
		if !shipgate.ValidCurrency(m.Currency) {
			sl.ReportError(m.Currency, "currency", "Currency", "currency", "")
		}
	}, shipgate.Money{})
	return v
}

// decode reads the JSON body strictly into dst (unknown fields and trailing
// data are errors) and validates it. Errors name the JSON path of the field.
func (s *Server) decode(c echo.Context, dst any) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	return s.decodeBytes(body, dst)
}

// readBody reads a JSON request body within the size limit.
func (s *Server) readBody(c echo.Context) ([]byte, error) {
	r := c.Request()
	if r.ContentLength > s.cfg.BodyLimit {
		return nil, tooLarge(s.cfg.BodyLimit)
	}
	if ct := r.Header.Get(echo.HeaderContentType); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return nil, shipgate.Errorf(shipgate.CodeInvalidRequest, "Content-Type must be application/json, not %q", ct)
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), r.Body, s.cfg.BodyLimit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, tooLarge(s.cfg.BodyLimit)
		}
		return nil, shipgate.Errorf(shipgate.CodeInvalidRequest, "the request body could not be read")
	}
	return body, nil
}

// decodeBytes decodes and validates a JSON body read by readBody.
func (s *Server) decodeBytes(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return shipgate.Errorf(shipgate.CodeInvalidRequest, "the request body is empty: a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return shipgate.Errorf(shipgate.CodeInvalidRequest, "malformed JSON: unexpected data after the object")
	}
	return s.validate(dst)
}

func jsonError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return shipgate.Errorf(shipgate.CodeInvalidRequest, "malformed JSON at byte %d: %s", se.Offset, se.Error())
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			return shipgate.Errorf(shipgate.CodeInvalidRequest, "the request body must be a JSON object")
		}
		return shipgate.FieldErrorf(field, "must be %s, not %s", article(te.Type), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return shipgate.Errorf(shipgate.CodeInvalidRequest, "malformed JSON: the body ends too early")
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return shipgate.FieldErrorf(strings.Trim(name, `"`), "unknown field")
	}
	return shipgate.Errorf(shipgate.CodeInvalidRequest, "invalid JSON value: %s", strings.TrimPrefix(msg, "json: "))
}

func article(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Uint, reflect.Uint64, reflect.Uint32:
		return "an integer"
	case reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	}
	return t.String()
}

// validate checks dst's validate tags and returns every field error at once.
func (s *Server) validate(dst any) error {
	err := s.valid.Struct(dst)
	if err == nil {
		return nil
	}
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		return shipgate.Errorf(shipgate.CodeInvalidRequest, "invalid request")
	}
	e := &shipgate.Error{Code: shipgate.CodeInvalidRequest}
	for _, fe := range ves {
		path := fe.Namespace()
		if _, rest, ok := strings.Cut(path, "."); ok {
			path = rest // drop the request type's name
		}
		e.Fields = append(e.Fields, shipgate.FieldError{Field: path, Message: fieldMessage(fe)})
	}
	first := e.Fields[0]
	e.Message = first.Field + ": " + first.Message
	if len(e.Fields) > 1 {
		e.Message += fmt.Sprintf(" (and %d more; see errors)", len(e.Fields)-1)
	}
	return e
}

func fieldMessage(fe validator.FieldError) string {
	switch fe.Tag() {
	case "required":
		return "is required"
	case "oneof":
		return "must be one of: " + strings.ReplaceAll(fe.Param(), " ", ", ")
	case "gt":
		return "must be greater than " + fe.Param()
	case "gte":
		return "must be at least " + fe.Param()
	case "lte":
		return "must be at most " + fe.Param()
	case "min":
		if fe.Kind() == reflect.Slice {
			return "must have at least " + fe.Param() + " item(s)"
		}
		return "must be at least " + fe.Param() + " characters"
	case "max":
		if fe.Kind() == reflect.Slice {
			return "must have at most " + fe.Param() + " items"
		}
		return "must be at most " + fe.Param() + " characters"
	case "iso3166_1_alpha2":
		return "must be an ISO 3166-1 alpha-2 country code such as US or DE"
	case "email":
		return "must be an email address"
	case "datetime":
		return "must be a date written YYYY-MM-DD"
	case "currency":
		return "must be an ISO 4217 currency code such as USD"
	case "url", "http_url":
		return "must be an http(s) URL"
	}
	return "is invalid (" + fe.Tag() + ")"
}
