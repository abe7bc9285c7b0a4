package api

import (
	"crypto/sha256"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
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

// parsedRates is a decoded, validated rates request, kept by the hash of its
// body: checkout pages send the same cart again and again, and parsing and
// validating it is most of the cost of a cached quote. It is read-only.
type parsedRates struct {
	req         ratesRequest
	shipmentKey string
}

// parsedCache remembers recent parsed requests, bounded in size.
type parsedCache struct {
	mu  sync.Mutex
	m   map[[32]byte]*parsedRates
	max int
}

func (p *parsedCache) get(k [32]byte) *parsedRates {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[k]
}

func (p *parsedCache) put(k [32]byte, v *parsedRates) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.m) >= p.max {
		clear(p.m) // a burst of distinct carts: start over rather than track recency
	}
	p.m[k] = v
}

func (s *Server) postRates(c echo.Context) error {
	body, err := s.readBody(c)
	if err != nil {
		return err
	}
	k := sha256.Sum256(body)
	parsed := s.parsed.get(k)
	if parsed == nil {
		parsed = &parsedRates{}
		if err := s.decodeBytes(body, &parsed.req); err != nil {
			return err
		}
		parsed.shipmentKey = carriers.ShipmentKey(parsed.req.Shipment)
		s.parsed.put(k, parsed)
	}
	req := &parsed.req
	res, err := s.deps.Rates.Shop(c.Request().Context(), &rating.Request{
		Shipment: *req.Shipment, Carriers: req.Carriers, Services: req.Services,
		Timeout:     time.Duration(req.TimeoutMS) * time.Millisecond,
		ShipmentKey: parsed.shipmentKey,
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
	out, err := appendRatesResponse(make([]byte, 0, 2048), &ratesResponse{Rates: res.Rates, Errors: res.Errors, RequestID: requestID(c)})
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, append(out, '\n'))
}
