package api

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

func (s *Server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

type readiness struct {
	Status string            `json:"status"` // ok, degraded or down
	Checks map[string]string `json:"checks"`
}

// readyz runs every check with a short deadline: a failing critical check
// (the database) is "down" and 503; a failing non-critical one (Redis: the
// cache fails open) is "degraded" and still 200.
func (s *Server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	r := readiness{Status: "ok", Checks: map[string]string{}}
	status := http.StatusOK
	for _, ch := range s.deps.Checks {
		if err := ch.Check(ctx); err != nil {
			r.Checks[ch.Name] = "failing: " + err.Error()
			if ch.Critical {
				r.Status, status = "down", http.StatusServiceUnavailable
			} else if r.Status == "ok" {
				r.Status = "degraded"
			}
			continue
		}
		r.Checks[ch.Name] = "ok"
	}
	return c.JSON(status, r)
}
