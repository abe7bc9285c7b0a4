package ups

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/internal/carrierhttp"
)

// Name is the carrier name of UPS accounts in the configuration (carrier: ups).
const Name = "ups"

// Base URLs of UPS's environments. DefaultBaseURL, the Customer Integration
// Environment, is used when an account sets no base_url.
const (
	DefaultBaseURL    = "https://wwwcie.ups.com"
	ProductionBaseURL = "https://onlinetools.ups.com"
)

// Versions of the UPS APIs this adapter speaks (in the request paths).
const (
	RatingVersion   = "v2409"
	ShippingVersion = "v2409"
	TrackingVersion = "v1"
)

// Paths below the base URL.
const (
	tokenPath = "/security/v1/oauth/token"
	apiPrefix = "/api"
)

// defaultTokenLifetime is assumed when UPS's token answer has no readable
// expires_in (UPS's CIE answers "14399").
const defaultTokenLifetime = time.Hour

// Client is one UPS account: it rates, ships, voids and tracks through UPS's
// REST APIs, with an OAuth token fetched once and shared.
type Client struct {
	id             string
	account        string
	negotiated     bool
	timeInTransit  bool
	transactionSrc string
	timeout        time.Duration
	now            func() time.Time
	log            *logger

	http     *carrierhttp.Client
	tokens   *carrierhttp.TokenSource
	redactor *carrierhttp.Redactor
	basic    string // "Basic base64(id:secret)"
}

// Interface guards: the capabilities a UPS account has.
var (
	_ carriers.Rater         = (*Client)(nil)
	_ carriers.Labeler       = (*Client)(nil)
	_ carriers.Voider        = (*Client)(nil)
	_ carriers.Tracker       = (*Client)(nil)
	_ carriers.ServiceLister = (*Client)(nil)
)

var accountRe = regexp.MustCompile(`^[A-Za-z0-9]{6}$`)

// New returns a Client for one account. The account needs the credentials
// client_id, client_secret (an application of developer.ups.com) and
// account_number (the 6-character UPS shipper number); base_url defaults to
// DefaultBaseURL. Options: negotiated_rates (bool, default false: quote the
// account's negotiated rates when UPS returns them), time_in_transit (bool,
// default true: ask Rating for transit times), transaction_src (string,
// default "shipgate": the transactionSrc header). A missing or malformed
// setting is an error naming the account and the field.
func New(cfg carriers.AccountConfig, env carriers.Env) (*Client, error) {
	env = env.WithDefaults()
	clientID, err := cfg.Credential("client_id")
	if err != nil {
		return nil, err
	}
	secret, err := cfg.Credential("client_secret")
	if err != nil {
		return nil, err
	}
	acct, err := cfg.Credential("account_number")
	if err != nil {
		return nil, err
	}
	account := strings.ToUpper(strings.TrimSpace(acct.Reveal()))
	if !accountRe.MatchString(account) {
		return nil, fmt.Errorf("account %q (%s): credentials.account_number must be the 6-character UPS shipper number", cfg.ID, cfg.Carrier)
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("account %q (%s): base_url %q must be an http or https URL", cfg.ID, cfg.Carrier, base)
	}
	negotiated, err := cfg.OptionBool("negotiated_rates", false)
	if err != nil {
		return nil, err
	}
	tit, err := cfg.OptionBool("time_in_transit", true)
	if err != nil {
		return nil, err
	}
	src, err := cfg.OptionString("transaction_src", "shipgate")
	if err != nil {
		return nil, err
	}
	if src == "" || len(src) > 512 {
		return nil, fmt.Errorf("account %q (%s): options.transaction_src must be 1 to 512 characters", cfg.ID, cfg.Carrier)
	}

	basic := base64.StdEncoding.EncodeToString([]byte(clientID.Reveal() + ":" + secret.Reveal()))
	c := &Client{
		id: cfg.ID, account: account, negotiated: negotiated, timeInTransit: tit, transactionSrc: src,
		timeout: cfg.Timeout, now: env.Now, log: &logger{env: env, account: cfg.ID},
		redactor: carrierhttp.NewRedactor(secret.Reveal(), basic),
		basic:    "Basic " + basic,
	}
	c.http = &carrierhttp.Client{
		Carrier: "UPS", Name: Name, Account: cfg.ID, BaseURL: u,
		HTTP: env.HTTPClient, Observer: env.Observer, Logger: env.Logger, Limiter: env.Limiter,
		Authorize: c.authorize, Reauthorize: c.reauthorize,
		ParseError: parseError, Classify: classify, Redactor: c.redactor,
	}
	c.tokens = &carrierhttp.TokenSource{
		Fetch:  c.fetchToken,
		Shared: env.Shared,
		Key:    carrierhttp.TokenKey(Name, u.String(), clientID.Reveal()),
		Now:    env.Now,
	}
	return c, nil
}

// logger keeps the adapter's own log lines (never a secret in them).
type logger struct {
	env     carriers.Env
	account string
}

func (l *logger) debug(ctx context.Context, msg string, args ...any) {
	l.env.Logger.DebugContext(ctx, msg, append([]any{"carrier", Name, "account", l.account}, args...)...)
}

// fetchToken asks UPS for an access token (client credentials, HTTP Basic).
func (c *Client) fetchToken(ctx context.Context) (carrierhttp.Token, error) {
	var out tokenResponse
	issued := c.now()
	_, err := c.http.Do(ctx, &carrierhttp.Request{
		Op: carriers.OpOAuth, Method: http.MethodPost, Path: tokenPath,
		Header:     http.Header{"Authorization": {c.basic}, "X-Merchant-Id": {c.account}},
		Form:       url.Values{"grant_type": {"client_credentials"}},
		NoAuth:     true,
		Idempotent: true,
	}, &out)
	if err != nil {
		return carrierhttp.Token{}, err
	}
	tok := strings.TrimSpace(out.AccessToken.String())
	if tok == "" {
		return carrierhttp.Token{}, &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "UPS answered the token request without an access token"}
	}
	c.redactor.Remember(tok)
	life := defaultTokenLifetime
	if s, err := strconv.Atoi(strings.TrimSpace(out.ExpiresIn.String())); err == nil && s > 0 {
		life = time.Duration(s) * time.Second
	}
	return carrierhttp.Token{Value: tok, IssuedAt: issued, ExpiresAt: issued.Add(life)}, nil
}

// tokenHolder remembers which token one call sent, so that a 401 invalidates
// that token and not a fresher one another call already fetched.
type tokenHolder struct{ token string }

type holderKey struct{}

func (c *Client) authorize(ctx context.Context, r *http.Request) error {
	tok, err := c.tokens.Token(ctx)
	if err != nil {
		return err
	}
	if h, ok := ctx.Value(holderKey{}).(*tokenHolder); ok {
		h.token = tok
	}
	r.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

func (c *Client) reauthorize(ctx context.Context) bool {
	h, ok := ctx.Value(holderKey{}).(*tokenHolder)
	if !ok || h.token == "" {
		return false
	}
	c.tokens.Invalidate(ctx, h.token)
	return true
}

// call sends one API request (below /api) with UPS's transaction headers,
// under the account's timeout.
func (c *Client) call(ctx context.Context, req *carrierhttp.Request, out any) (*carrierhttp.Response, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	ctx = context.WithValue(ctx, holderKey{}, &tokenHolder{})
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Header.Set("transId", newTransID())
	req.Header.Set("transactionSrc", c.transactionSrc)
	req.Path = apiPrefix + req.Path
	return c.http.Do(ctx, req, out)
}

// newTransID returns a request identifier of 32 characters, UPS's maximum.
func newTransID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
