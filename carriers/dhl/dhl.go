package dhl

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // the timezone option names IANA zones; embed them for minimal hosts

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/internal/carrierhttp"
)

// Carrier is the adapter's name in configuration (carrier: dhl) and metrics.
const Carrier = "dhl"

// DefaultBaseURL is DHL's MyDHL API test environment, as the spec's servers list it.
// Production is https://express.api.dhl.com/mydhlapi.
const DefaultBaseURL = "https://express.api.dhl.com/mydhlapi/test"

// APIVersion is the x-version header every MyDHL API call must carry.
const APIVersion = "3.3.1"

// displayName is the carrier's name in messages.
const displayName = "DHL Express"

// Client is one DHL Express account: it quotes rates, buys labels and tracks
// shipments through the MyDHL API. It is safe for concurrent use.
type Client struct {
	account  string
	number   string // DHL account number
	username string
	password shipgate.Secret
	loc      *time.Location
	timeout  time.Duration
	now      func() time.Time
	http     *carrierhttp.Client
}

// Interface guards.
var (
	_ carriers.Rater         = (*Client)(nil)
	_ carriers.Labeler       = (*Client)(nil)
	_ carriers.Voider        = (*Client)(nil)
	_ carriers.Tracker       = (*Client)(nil)
	_ carriers.BatchTracker  = (*Client)(nil)
	_ carriers.ServiceLister = (*Client)(nil)
)

// New returns a Client for one configured DHL Express account.
//
// Credentials: username and password (the MyDHL API key and secret, sent as
// HTTP Basic on every call) and account_number (the DHL Express shipper
// account). Options: timezone, an IANA zone name for the shipper's local time
// in plannedShippingDateAndTime (default: the zone of env.Now()). base_url
// defaults to DefaultBaseURL. A missing credential or a bad option is an
// error naming the account and the field.
func New(cfg carriers.AccountConfig, env carriers.Env) (*Client, error) {
	env = env.WithDefaults()
	user, err := cfg.Credential("username")
	if err != nil {
		return nil, err
	}
	pass, err := cfg.Credential("password")
	if err != nil {
		return nil, err
	}
	acct, err := cfg.Credential("account_number")
	if err != nil {
		return nil, err
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("account %q (%s): base_url %q is not an http(s) URL", cfg.ID, cfg.Carrier, base)
	}
	tz, err := cfg.OptionString("timezone", "")
	if err != nil {
		return nil, err
	}
	loc := env.Now().Location()
	if tz != "" {
		if loc, err = time.LoadLocation(tz); err != nil {
			return nil, fmt.Errorf("account %q (%s): options.timezone %q is not an IANA time zone name", cfg.ID, cfg.Carrier, tz)
		}
	}
	c := &Client{
		account:  cfg.ID,
		number:   acct.Reveal(),
		username: user.Reveal(),
		password: pass,
		loc:      loc,
		timeout:  cfg.Timeout,
		now:      env.Now,
	}
	c.http = &carrierhttp.Client{
		Carrier:    displayName,
		Name:       Carrier,
		Account:    cfg.ID,
		BaseURL:    u,
		HTTP:       env.HTTPClient,
		Observer:   env.Observer,
		Logger:     env.Logger,
		Limiter:    env.Limiter,
		Authorize:  c.authorize,
		ParseError: parseError,
		Redactor:   carrierhttp.NewRedactor(pass.Reveal()),
	}
	return c, nil
}

// Services lists the DHL Express products this adapter knows, under their
// stable shipgate names. Which of them an account may use on a lane is what
// Rates answers.
func (c *Client) Services() []shipgate.Service { return services() }

// LabelFormats are the label formats MyDHL returns: PDF and ZPL. DHL has no
// image label, so PNG cannot be produced for a DHL label.
func (c *Client) LabelFormats() []shipgate.LabelFormat {
	return []shipgate.LabelFormat{shipgate.FormatPDF, shipgate.FormatZPL}
}

// authorize puts HTTP Basic, the required x-version header and a fresh
// Message-Reference on every attempt. DHL has no token step.
func (c *Client) authorize(_ context.Context, r *http.Request) error {
	r.SetBasicAuth(c.username, c.password.Reveal())
	r.Header.Set("x-version", APIVersion)
	r.Header.Set("Message-Reference", messageReference())
	return nil
}

// messageReference returns a random UUID (36 characters, DHL's limit).
func messageReference() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// do runs one call with the account's timeout and turns a refusal of the
// account's credentials into a message that says so.
func (c *Client) do(ctx context.Context, req *carrierhttp.Request, out any) (*carrierhttp.Response, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	resp, err := c.http.Do(ctx, req, out)
	if err != nil {
		var e *shipgate.Error
		if errors.As(err, &e) && e.Carrier != nil && (e.Carrier.HTTPStatus == http.StatusUnauthorized || e.Carrier.HTTPStatus == http.StatusForbidden) {
			e.Message = fmt.Sprintf("DHL Express refused the credentials of account %q (check credentials.username, password and account_number): %s", c.account, strings.TrimPrefix(e.Message, displayName+": "))
		}
	}
	return resp, err
}

// rejectedWith reports whether err is DHL's refusal of the request with HTTP status s.
func rejectedWith(err error, s int) bool {
	var e *shipgate.Error
	return errors.As(err, &e) && e.Carrier != nil && e.Carrier.HTTPStatus == s
}
