package sandbox

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
)

// Name is the carrier name of sandbox accounts in the configuration.
const Name = "sandbox"

// Fault modes of the mode option.
const (
	ModeOK        = "ok"
	ModeError     = "error"
	ModeTimeout   = "timeout"
	Mode429       = "429"
	ModeMalformed = "malformed"
)

// Client is one sandbox account.
type Client struct {
	account   string
	latency   time.Duration
	failRate  float64
	mode      string
	timeScale float64
	env       carriers.Env
	ledger    ledger
}

var (
	_ carriers.Rater         = (*Client)(nil)
	_ carriers.ServiceLister = (*Client)(nil)
)

// New returns a sandbox account. Options: latency, fail_rate, mode, time_scale;
// a bad option is an error naming the account and the option.
func New(cfg carriers.AccountConfig, env carriers.Env) (*Client, error) {
	c := &Client{account: cfg.ID, env: env.WithDefaults(), ledger: ledger{byKey: map[string]*sale{}, byTracking: map[string]*sale{}, voided: map[string]time.Time{}}}
	var err error
	if c.latency, err = cfg.OptionDuration("latency", 0); err != nil {
		return nil, err
	}
	if c.failRate, err = cfg.OptionFloat("fail_rate", 0); err != nil {
		return nil, err
	}
	if c.failRate < 0 || c.failRate > 1 {
		return nil, fmt.Errorf("account %q (sandbox): options.fail_rate must be between 0 and 1", cfg.ID)
	}
	if c.mode, err = cfg.OptionString("mode", ModeOK); err != nil {
		return nil, err
	}
	if !slices.Contains([]string{ModeOK, ModeError, ModeTimeout, Mode429, ModeMalformed}, c.mode) {
		return nil, fmt.Errorf("account %q (sandbox): options.mode %q: want ok, error, timeout, 429 or malformed", cfg.ID, c.mode)
	}
	if c.timeScale, err = cfg.OptionFloat("time_scale", 1); err != nil {
		return nil, err
	}
	if c.timeScale <= 0 {
		return nil, fmt.Errorf("account %q (sandbox): options.time_scale must be positive", cfg.ID)
	}
	for k := range cfg.Options {
		if !slices.Contains([]string{"latency", "fail_rate", "mode", "time_scale"}, k) {
			return nil, fmt.Errorf("account %q (sandbox): unknown option %q (known: latency, fail_rate, mode, time_scale)", cfg.ID, k)
		}
	}
	return c, nil
}

// LabelFormats are the formats the sandbox renders: all three.
func (c *Client) LabelFormats() []shipgate.LabelFormat {
	return []shipgate.LabelFormat{shipgate.FormatPDF, shipgate.FormatZPL, shipgate.FormatPNG}
}

// Services lists the sandbox services.
func (c *Client) Services() []shipgate.Service {
	out := make([]shipgate.Service, len(services))
	for i, s := range services {
		out[i] = s.Service
	}
	return out
}

// call runs one simulated carrier call: the configured latency and faults,
// the account's rate limit, then f; it reports the call to the observer.
func (c *Client) call(ctx context.Context, op string, f func() error) error {
	start := time.Now()
	err := c.misbehave(ctx)
	if err == nil {
		err = f()
	}
	c.env.Observer.ObserveCall(carriers.Call{Account: c.account, Carrier: Name, Operation: op, Outcome: carriers.Outcome(err), Duration: time.Since(start)})
	return err
}

func (c *Client) misbehave(ctx context.Context) error {
	if c.env.Limiter != nil {
		if err := c.env.Limiter.Wait(ctx); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return timeoutError(err)
	}
	if c.latency > 0 {
		t := time.NewTimer(c.latency)
		select {
		case <-ctx.Done():
			t.Stop()
			return timeoutError(ctx.Err())
		case <-t.C:
		}
	}
	mode := c.mode
	if mode == ModeOK && c.failRate > 0 && rand.Float64() < c.failRate {
		mode = ModeError
	}
	switch mode {
	case ModeTimeout:
		<-ctx.Done()
		return timeoutError(ctx.Err())
	case ModeError:
		return c.carrierError(500, shipgate.CodeCarrierUnavailable, "SB500", "simulated sandbox failure")
	case Mode429:
		e := c.carrierError(429, shipgate.CodeRateLimited, "SB429", "simulated sandbox rate limit")
		e.RetryAfter = time.Second
		return e
	case ModeMalformed:
		return &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "Sandbox sent an answer that cannot be read", Err: fmt.Errorf("simulated malformed answer")}
	}
	return nil
}

func timeoutError(err error) *shipgate.Error {
	return &shipgate.Error{Code: shipgate.CodeCarrierTimeout, Message: "Sandbox did not answer in time", Err: err}
}

func (c *Client) carrierError(status int, code shipgate.Code, carrierCode, msg string) *shipgate.Error {
	return &shipgate.Error{
		Code: code, Message: "Sandbox: " + msg,
		Carrier: &shipgate.CarrierError{Account: c.account, Carrier: Name, Code: carrierCode, Message: msg, HTTPStatus: status},
	}
}

func (c *Client) rejectf(field, carrierCode, format string, args ...any) *shipgate.Error {
	msg := fmt.Sprintf(format, args...)
	e := c.carrierError(400, shipgate.CodeCarrierRejected, carrierCode, msg)
	e.Fields = []shipgate.FieldError{{Field: field, Message: msg}}
	return e
}

// check refuses a shipment the sandbox cannot serve.
func (c *Client) check(sh *shipgate.Shipment) error {
	for _, side := range []struct {
		name string
		a    shipgate.Address
	}{{"from", sh.From}, {"to", sh.To}} {
		a := side.a.Normalized()
		if !validPostal(a.Country, a.PostalCode) {
			return c.rejectf("shipment."+side.name+".postal_code", "SB_POSTAL",
				"postal code %q is not a valid %s postal code", a.PostalCode, a.Country)
		}
	}
	if len(sh.Parcels) == 0 {
		return c.rejectf("shipment.parcels", "SB_PARCELS", "a shipment needs at least one parcel")
	}
	for i, p := range sh.Parcels {
		if lb := p.Weight.In(shipgate.Pound); !(lb > 0) || lb > 150 {
			return c.rejectf(fmt.Sprintf("shipment.parcels[%d].weight", i), "SB_WEIGHT", "parcel %d weighs %s: the sandbox carries 0 to 150 lb", i+1, p.Weight)
		}
	}
	return nil
}

// Rates quotes every sandbox service that serves the shipment (only those in
// req.Services when given). Errors: carrier_rejected for an address or parcel
// the sandbox cannot serve, and the injected faults (carrier_unavailable,
// carrier_timeout, rate_limited).
func (c *Client) Rates(ctx context.Context, req *carriers.RateRequest) ([]shipgate.Rate, error) {
	var out []shipgate.Rate
	err := c.call(ctx, carriers.OpRates, func() error {
		sh := req.Shipment.Normalized()
		if err := c.check(&sh); err != nil {
			return err
		}
		now := c.env.Now()
		z := zone(sh.From, sh.To)
		intl := sh.International()
		shipDay := sh.ShipDay(now)
		for _, s := range services {
			if intl && !s.international {
				continue
			}
			if len(req.Services) > 0 && !slices.Contains(req.Services, s.Code) {
				continue
			}
			total, charges, lbs := price(s, &sh, z)
			days := s.transit(z)
			if intl {
				days += intlExtraTransitDays
			}
			out = append(out, shipgate.Rate{
				Carrier: Name, Account: c.account,
				Service: s.Code, ServiceName: s.Name, CarrierServiceCode: s.CarrierCode,
				Total: total, Charges: charges,
				BillableWeight:    &shipgate.Weight{Value: float64(lbs), Unit: shipgate.Pound},
				TransitDays:       days,
				EstimatedDelivery: addBusinessDays(shipDay, days).Format(shipgate.DateLayout),
				Guaranteed:        s.Code == "sandbox_overnight",
				QuotedAt:          now,
			})
		}
		if len(out) == 0 {
			return c.rejectf("services", "SB_SERVICE", "no sandbox service among %v serves this shipment", req.Services)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
