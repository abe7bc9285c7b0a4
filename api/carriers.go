package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/shipgate/shipgate"
)

type carrierAccount struct {
	ID           string             `json:"id"`
	Carrier      string             `json:"carrier"`
	Capabilities []string           `json:"capabilities"`
	Services     []shipgate.Service `json:"services"`
	Breakers     map[string]string  `json:"breakers"`
}

type carriersResponse struct {
	Carriers []carrierAccount `json:"carriers"`
}

func (s *Server) getCarriers(c echo.Context) error {
	out := carriersResponse{Carriers: []carrierAccount{}}
	for _, e := range s.deps.Accounts.Entries() {
		a := carrierAccount{ID: e.ID, Carrier: e.Carrier, Capabilities: e.Capabilities(), Services: e.Services, Breakers: map[string]string{}}
		if a.Services == nil {
			a.Services = []shipgate.Service{}
		}
		if a.Capabilities == nil {
			a.Capabilities = []string{}
		}
		if e.Health != nil {
			a.Breakers = e.Health.BreakerStates()
		}
		out.Carriers = append(out.Carriers, a)
	}
	return c.JSON(http.StatusOK, out)
}
