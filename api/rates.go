package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/rating"
)

// ratesRequest is the body of POST /v1/rates.
type ratesRequest struct {
	Shipment  *shipgate.Shipment `json:"shipment" validate:"required"`
	Carriers  []string           `json:"carriers,omitempty" validate:"max=50,dive,required,max=64"`
	Services  []string           `json:"services,omitempty" validate:"max=50,dive,required,max=64"`
	TimeoutMS int                `json:"timeout_ms,omitempty" validate:"gte=0,lte=60000"`
}

// ratesResponse is the answer of POST /v1/rates.
type ratesResponse struct {
	Rates     []shipgate.Rate       `json:"rates"`
	Errors    []rating.AccountError `json:"errors"`
	RequestID string                `json:"request_id"`
}

func (s *Server) postRates(c echo.Context) error {
	var req ratesRequest
	if err := s.decode(c, &req); err != nil {
		return err
	}
	res, err := s.deps.Rates.Shop(c.Request().Context(), &rating.Request{
		Shipment: *req.Shipment, Carriers: req.Carriers, Services: req.Services,
		Timeout: time.Duration(req.TimeoutMS) * time.Millisecond,
	})
	if err != nil {
		if res != nil {
			// Every account failed: the problem carries each one's error.
			p, _ := problemFor(c, err)
			p.CarrierErrors = res.Errors
			return &problemError{p}
		}
		return err
	}
	return c.JSON(http.StatusOK, ratesResponse{Rates: res.Rates, Errors: res.Errors, RequestID: requestID(c)})
}
