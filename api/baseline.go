package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// Baseline returns a bare echo server that answers POST path with body:
// the yardstick `shipgate bench` measures the cached-quote path against.
func Baseline(path string, body []byte) http.Handler {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.POST(path, func(c echo.Context) error { return c.JSONBlob(http.StatusOK, body) })
	return e
}
