package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestRouteWithoutScopeIsRefused: a route added around Server.route is
// refused (500), never served without authorization, with or without keys.
func TestRouteWithoutScopeIsRefused(t *testing.T) {
	for _, keys := range [][]Key{nil, {{Name: "k", Scopes: []Scope{ScopeAdmin}}}} {
		s := New(Config{Keys: keys}, Deps{})
		s.e.GET("/v1/sneaky", func(c echo.Context) error { return c.String(http.StatusOK, "secret") })
		for _, r := range s.e.Routes() {
			s.known[r.Method+" "+r.Path] = true
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/sneaky", nil))
		if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "secret") {
			t.Fatalf("keys %d: %d %s", len(keys), rec.Code, rec.Body)
		}
		if _, ok := s.RouteScope("GET", "/v1/sneaky"); ok {
			t.Fatal("the sneaky route has a scope")
		}
	}
}

func TestRouteRequiresAScope(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("route with an empty scope did not panic")
		}
	}()
	New(Config{}, Deps{}).route(http.MethodGet, "/x", nil, "")
}
