// Package rating is rate shopping: one request fans out to every carrier
// account that can quote (or those the caller names), concurrently, under one
// deadline. The answer goes out when every account answered or when the
// deadline passes, with the rates that arrived and an error per account that
// failed or was late. Each rate gets a quote id that POST /v1/labels can buy,
// kept for the quote lifetime.
//
// Caching, coalescing of identical concurrent requests and stale answers for
// failing carriers happen in carriers/cache, which wraps every account's Rater.
package rating

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
)

// QuoteStore keeps quotes for later purchase (kv.Redis or kv.Memory).
type QuoteStore interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// Config configures rate shopping.
type Config struct {
	// Deadline bounds a whole rate request (default 1500ms). A request may ask for less.
	Deadline time.Duration
	// QuoteTTL is how long a quote id can be bought (default 24h).
	QuoteTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Defaults.
const (
	DefaultDeadline = 1500 * time.Millisecond
	DefaultQuoteTTL = 24 * time.Hour
	// expiredGrace is how long an expired quote is kept so that buying it says
	// "expired" rather than "unknown".
	expiredGrace = 24 * time.Hour
)

// Service shops rates across the registry's accounts.
type Service struct {
	reg    *carriers.Registry
	quotes QuoteStore
	local  QuoteStore // where quotes go when the shared store fails
	cfg    Config
	log    *slog.Logger
}

// New returns a Service. quotes is the shared quote store; local is an
// in-process fallback used when the shared store fails (may be nil).
func New(reg *carriers.Registry, quotes, local QuoteStore, cfg Config, log *slog.Logger) *Service {
	if cfg.Deadline <= 0 {
		cfg.Deadline = DefaultDeadline
	}
	if cfg.QuoteTTL <= 0 {
		cfg.QuoteTTL = DefaultQuoteTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{reg: reg, quotes: quotes, local: local, cfg: cfg, log: log}
}

// Request is one rate-shopping request.
type Request struct {
	Shipment shipgate.Shipment
	// Carriers names account ids or carrier names; empty means every account that quotes.
	Carriers []string
	// Services restricts the answer to these service names; empty means all.
	Services []string
	// Timeout shortens the deadline for this request (0: the configured deadline).
	Timeout time.Duration
	// ShipmentKey is carriers.ShipmentKey(&Shipment) when the caller has it
	// already (empty: Shop computes it).
	ShipmentKey string
}

// Result is the answer: rates sorted by total then transit days, and one error
// per account that failed or did not answer in time.
type Result struct {
	Rates  []shipgate.Rate `json:"rates"`
	Errors []AccountError  `json:"errors"`
}

// AccountError is one account's failure in a Result.
type AccountError struct {
	Account string `json:"account"`
	Carrier string `json:"carrier"`
	shipgate.ErrorBody
}

// Shop quotes every selected account concurrently. It returns an error only
// when nothing can be quoted: invalid_request for carriers or services that
// name nothing quotable, and, when every account failed, carrier_rejected (all
// refused the shipment) or carrier_unavailable, with the Result still holding
// the per-account errors.
func (s *Service) Shop(ctx context.Context, req *Request) (*Result, error) {
	targets, res, err := s.targets(req)
	if err != nil {
		return nil, err
	}
	deadline := s.cfg.Deadline
	if req.Timeout > 0 && req.Timeout < deadline {
		deadline = req.Timeout
	}
	start := time.Now()
	// Accounts stop a little before the deadline so that a cache decorator can
	// still hand over a stale quote before the answer goes out.
	grace := min(10*time.Millisecond, deadline/10)
	actx, cancel := context.WithDeadline(ctx, start.Add(deadline-grace))
	defer cancel()

	type answer struct {
		t     target
		rates []shipgate.Rate
		err   error
	}
	shipmentKey := req.ShipmentKey
	if shipmentKey == "" {
		shipmentKey = carriers.ShipmentKey(&req.Shipment)
	}
	answers := make(chan answer, len(targets))
	for _, t := range targets {
		go func() {
			rates, err := t.e.Rater.Rates(actx, &carriers.RateRequest{Shipment: req.Shipment, Services: t.services, ShipmentKey: shipmentKey})
			answers <- answer{t, rates, err}
		}()
	}
	timer := time.NewTimer(deadline - time.Since(start))
	defer timer.Stop()
	pending := make(map[string]target, len(targets))
	for _, t := range targets {
		pending[t.e.ID] = t
	}
collect:
	for len(pending) > 0 {
		select {
		case a := <-answers:
			delete(pending, a.t.e.ID)
			if a.err != nil {
				res.Errors = append(res.Errors, accountError(a.t.e, a.err))
				continue
			}
			res.Rates = append(res.Rates, a.rates...)
		case <-timer.C:
			break collect
		case <-ctx.Done():
			break collect
		}
	}
	for _, t := range targets {
		if _, late := pending[t.e.ID]; late {
			res.Errors = append(res.Errors, accountError(t.e, &shipgate.Error{
				Code:    shipgate.CodeCarrierTimeout,
				Message: fmt.Sprintf("no answer within %s", deadline),
			}))
		}
	}
	s.assignQuotes(ctx, req, shipmentKey, res.Rates)
	slices.SortStableFunc(res.Rates, func(a, b shipgate.Rate) int {
		return cmp.Or(cmp.Compare(a.Total.Amount, b.Total.Amount), cmp.Compare(transitKey(a), transitKey(b)), cmp.Compare(a.Account, b.Account), cmp.Compare(a.Service, b.Service))
	})
	slices.SortFunc(res.Errors, func(a, b AccountError) int { return cmp.Compare(a.Account, b.Account) })
	if len(res.Rates) == 0 && len(res.Errors) > 0 {
		return res, allFailed(res.Errors)
	}
	return res, nil
}

// transitKey sorts unknown transit times after known ones.
func transitKey(r shipgate.Rate) int {
	if r.TransitDays <= 0 {
		return 1 << 30
	}
	return r.TransitDays
}

type target struct {
	e        *carriers.Entry
	services []string
}

// targets selects the accounts to ask, with the services to ask each for.
func (s *Service) targets(req *Request) ([]target, *Result, error) {
	res := &Result{Rates: []shipgate.Rate{}, Errors: []AccountError{}}
	var entries []*carriers.Entry
	if len(req.Carriers) == 0 {
		for _, e := range s.reg.Entries() {
			if e.Rater != nil {
				entries = append(entries, e)
			}
		}
	} else {
		seen := map[string]bool{}
		for i, name := range req.Carriers {
			es, err := s.reg.Resolve(name)
			if err != nil {
				return nil, nil, shipgate.FieldErrorf(fmt.Sprintf("carriers[%d]", i), "%s", shipgate.ErrorMessage(err))
			}
			for _, e := range es {
				if seen[e.ID] {
					continue
				}
				seen[e.ID] = true
				if e.Rater == nil {
					res.Errors = append(res.Errors, accountError(e, shipgate.Errorf(shipgate.CodeUnsupported, "account %s cannot quote rates", e.ID)))
					continue
				}
				entries = append(entries, e)
			}
		}
	}
	var out []target
	for _, e := range entries {
		t := target{e: e}
		if len(req.Services) > 0 && len(e.Services) > 0 {
			for _, sv := range req.Services {
				if _, ok := e.Service(sv); ok {
					t.services = append(t.services, sv)
				}
			}
			if len(t.services) == 0 {
				continue // this account offers none of the services asked for
			}
		} else {
			t.services = req.Services
		}
		out = append(out, t)
	}
	if len(out) == 0 && len(res.Errors) == 0 {
		if len(req.Services) > 0 {
			return nil, nil, shipgate.FieldErrorf("services", "no configured account offers %s", strings.Join(req.Services, ", "))
		}
		return nil, nil, shipgate.Errorf(shipgate.CodeInvalidRequest, "no configured carrier account can quote rates")
	}
	return out, res, nil
}

func accountError(e *carriers.Entry, err error) AccountError {
	return AccountError{Account: e.ID, Carrier: e.Carrier, ErrorBody: *shipgate.Body(err)}
}

// allFailed is the error when no account produced a rate.
func allFailed(errs []AccountError) *shipgate.Error {
	rejected := true
	for _, e := range errs {
		rejected = rejected && (e.Code == shipgate.CodeCarrierRejected || e.Code == shipgate.CodeInvalidRequest || e.Code == shipgate.CodeUnsupported)
	}
	if rejected {
		return shipgate.Errorf(shipgate.CodeCarrierRejected, "every carrier refused the shipment; see errors")
	}
	return shipgate.Errorf(shipgate.CodeCarrierUnavailable, "no carrier answered with a rate; see errors")
}

// Quote is a rate kept for purchase: the rate and the shipment it prices.
type Quote struct {
	Rate      shipgate.Rate     `json:"rate"`
	Shipment  shipgate.Shipment `json:"shipment"`
	ExpiresAt time.Time         `json:"expires_at"`
}

// storedQuote is a Quote as stored: the shipment, the same for every rate of
// a request, is encoded once.
type storedQuote struct {
	Rate      shipgate.Rate   `json:"rate"`
	Shipment  json.RawMessage `json:"shipment"`
	ExpiresAt time.Time       `json:"expires_at"`
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// quoteID derives a rate's id from what identifies the quote, so that a
// cached rate keeps the id it was given when the carrier quoted it.
func quoteID(r *shipgate.Rate, reqKey string, salt time.Time) string {
	h := sha256.New()
	var ts [16]byte
	binary.BigEndian.PutUint64(ts[:8], uint64(r.QuotedAt.UnixNano()))
	binary.BigEndian.PutUint64(ts[8:], uint64(salt.UnixNano()))
	h.Write([]byte(r.Account + "\x00" + r.Service + "\x00" + reqKey + "\x00"))
	h.Write(ts[:])
	return "rate_" + idEncoding.EncodeToString(h.Sum(nil)[:15])
}

// assignQuotes gives every rate its quote id and stores the quotes that are
// new: fresh from the carrier, or stale ones (given a new lease). Quotes of
// cached rates were stored when they were fresh.
func (s *Service) assignQuotes(ctx context.Context, req *Request, key string, rates []shipgate.Rate) {
	if len(rates) == 0 {
		return
	}
	now := s.cfg.Now()
	var shipment json.RawMessage // encoded once, for every new quote
	var err error
	for i := range rates {
		r := &rates[i]
		var salt time.Time
		if r.Stale {
			salt = now
		}
		r.ID = quoteID(r, key, salt)
		if r.Stale || r.QuotedAt.IsZero() {
			r.ExpiresAt = now.Add(s.cfg.QuoteTTL)
		} else {
			r.ExpiresAt = r.QuotedAt.Add(s.cfg.QuoteTTL)
		}
		if r.Cached && !r.Stale {
			continue
		}
		if shipment == nil {
			if shipment, err = json.Marshal(req.Shipment); err != nil {
				return
			}
		}
		q := storedQuote{Rate: *r, Shipment: shipment, ExpiresAt: r.ExpiresAt}
		q.Rate.Cached, q.Rate.Stale = false, false
		b, err := json.Marshal(q)
		if err != nil {
			continue
		}
		ttl := r.ExpiresAt.Sub(now) + expiredGrace
		if err := s.quotes.Set(ctx, "quote:"+r.ID, b, ttl); err != nil {
			s.log.Warn("quote store failed; keeping the quote in this process", "rate_id", r.ID, "err", err)
			if s.local == nil || s.local.Set(ctx, "quote:"+r.ID, b, ttl) != nil {
				r.ID, r.ExpiresAt = "", time.Time{} // cannot be bought: say so by having no id
			}
		}
	}
}

// Quote returns the quote with the given id: not_found when there is none,
// and not_found with "expired" when its lifetime is over (buying it again at a
// possibly different price must be an explicit new quote).
func (s *Service) Quote(ctx context.Context, id string) (*Quote, error) {
	b, ok, err := s.quotes.Get(ctx, "quote:"+id)
	if (err != nil || !ok) && s.local != nil {
		b, ok, _ = s.local.Get(ctx, "quote:"+id)
	}
	if err != nil && !ok {
		return nil, &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "the quote store is unavailable; try again", Err: err}
	}
	if !ok {
		return nil, shipgate.Errorf(shipgate.CodeNotFound, "no quote with id %q: quote ids are kept for %s after the quote", id, s.cfg.QuoteTTL)
	}
	var q Quote
	if err := json.Unmarshal(b, &q); err != nil {
		return nil, &shipgate.Error{Code: shipgate.CodeInternal, Message: "stored quote is unreadable", Err: err}
	}
	if !s.cfg.Now().Before(q.ExpiresAt) {
		return nil, shipgate.Errorf(shipgate.CodeNotFound, "quote %q expired at %s: ask for rates again", id, q.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return &q, nil
}
