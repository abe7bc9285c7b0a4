package api

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
)

type carrierAccount struct {
	ID           string             `json:"id"`
	Carrier      string             `json:"carrier"`
	Capabilities []string           `json:"capabilities"`
	Services     []shipgate.Service `json:"services"`
	// LabelFormats are the formats the carrier returns natively (images
	// convert to every format; PDF and ZPL to none); empty when it does not say.
	LabelFormats []shipgate.LabelFormat `json:"label_formats,omitempty"`
	Breakers     map[string]string      `json:"breakers"`
	// Settings is shown to admin keys only.
	Settings *accountSettings `json:"settings,omitempty"`
}

// accountSettings is an account's configuration without its secrets: the
// base URL (its password removed), timeout, breaker and rate limit, and the
// names of its credentials and options (never their values).
type accountSettings struct {
	BaseURL     string            `json:"base_url,omitempty"`
	TimeoutMS   int64             `json:"timeout_ms"`
	Breaker     breakerSettings   `json:"breaker"`
	RateLimit   *rateLimitSetting `json:"rate_limit,omitempty"`
	Credentials []string          `json:"credentials"`
	Options     []string          `json:"options"`
}

type breakerSettings struct {
	ConsecutiveFailures int   `json:"consecutive_failures"`
	OpenForMS           int64 `json:"open_for_ms"`
}

type rateLimitSetting struct {
	PerSecond float64 `json:"per_second"`
	Burst     int     `json:"burst"`
}

type carriersResponse struct {
	Carriers []carrierAccount `json:"carriers"`
	// DetailsHidden says that the accounts' settings were left out: only an
	// admin key sees them.
	DetailsHidden bool `json:"details_hidden,omitempty"`
}

func (s *Server) getCarriers(c echo.Context) error {
	admin := caller(c.Request().Context()).Allows(ScopeAdmin)
	out := carriersResponse{Carriers: []carrierAccount{}, DetailsHidden: !admin}
	for _, e := range s.deps.Accounts.Entries() {
		a := carrierAccount{ID: e.ID, Carrier: e.Carrier, Capabilities: e.Capabilities(), Services: e.Services, LabelFormats: e.LabelFormats, Breakers: map[string]string{}}
		if a.Services == nil {
			a.Services = []shipgate.Service{}
		}
		if a.Capabilities == nil {
			a.Capabilities = []string{}
		}
		if e.Health != nil {
			a.Breakers = e.Health.BreakerStates()
		}
		if admin {
			a.Settings = settingsOf(e.Config)
		}
		out.Carriers = append(out.Carriers, a)
	}
	return c.JSON(http.StatusOK, out)
}

func settingsOf(cfg carriers.AccountConfig) *accountSettings {
	st := &accountSettings{
		TimeoutMS:   cfg.Timeout.Milliseconds(),
		Breaker:     breakerSettings{ConsecutiveFailures: cfg.Breaker.ConsecutiveFailures, OpenForMS: cfg.Breaker.OpenFor.Milliseconds()},
		Credentials: []string{},
		Options:     []string{},
	}
	if cfg.BaseURL != "" {
		if u, err := url.Parse(cfg.BaseURL); err == nil {
			u.User = nil
			u.RawQuery = "" // a query may carry an API key
			st.BaseURL = u.String()
		}
	}
	if cfg.RateLimit.PerSecond > 0 {
		st.RateLimit = &rateLimitSetting{PerSecond: cfg.RateLimit.PerSecond, Burst: cfg.RateLimit.Burst}
	}
	for k := range cfg.Credentials {
		st.Credentials = append(st.Credentials, k)
	}
	for k := range cfg.Options {
		st.Options = append(st.Options, k)
	}
	slices.Sort(st.Credentials)
	slices.Sort(st.Options)
	return st
}
