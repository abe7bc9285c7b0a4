// Package cache is the read cache in front of carrier accounts: a decorator
// around a Rater and a Tracker, over a Redis backend (shared by every gateway
// process) or process memory. It also
//
//   - coalesces identical concurrent requests into one carrier call, which runs
//     detached from any one caller (bounded by the account's timeout), so a
//     caller that gives up does not cancel the others' answer and a late
//     answer still fills the cache;
//   - answers with a stale entry (Stale: true) when the carrier fails or does
//     not answer before the caller's deadline and an entry younger than the
//     stale lifetime exists;
//   - fails open: every backend call has a small time budget; a failing
//     backend is bypassed for a second and then tried again, so the cache comes
//     back by itself when Redis does.
//
// Label purchases and voids are never cached.
package cache

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
)

// Backend stores bytes with a lifetime (kv.Redis, kv.Memory).
type Backend interface {
	Get(ctx context.Context, key string) ([]byte, bool, error)
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// objectBackend is a Backend in process memory that keeps Go values as they
// are, sparing the encoding on every hit (kv.Memory).
type objectBackend interface {
	GetObject(key string) (any, bool)
	SetObject(key string, value any, ttl time.Duration)
}

// Cache results reported to the Observer.
const (
	ResultHit   = "hit"
	ResultMiss  = "miss"
	ResultStale = "stale"
	ResultError = "error" // the backend failed; the request went on uncached
)

// Observer counts cache results (metrics). kind is "rates" or "tracking".
type Observer interface {
	CacheResult(kind, result string)
}

// Config sets lifetimes and budgets.
type Config struct {
	// RatesTTL is how long a quote is served from the cache.
	RatesTTL time.Duration
	// StaleTTL is how long an entry may stand in for a failing carrier.
	StaleTTL time.Duration
	// TrackingTTL returns how long a tracking answer in a given status is
	// served from the cache (short while out for delivery, long once delivered).
	TrackingTTL func(shipgate.Status) time.Duration
	// Budget bounds each backend call (default 50ms).
	Budget time.Duration
	// Bypass is how long a failed backend is skipped before it is tried again (default 1s).
	Bypass time.Duration
	// CallTimeout bounds a detached carrier call when nothing below does (default 30s).
	CallTimeout time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Cache decorates accounts' Raters and Trackers.
type Cache struct {
	b     Backend
	obj   objectBackend
	cfg   Config
	obs   Observer
	sf    singleflight.Group
	down  atomic.Int64 // unix nanoseconds until which the backend is bypassed
	clock func() time.Time
}

// New returns a Cache over backend b.
func New(b Backend, cfg Config, obs Observer) *Cache {
	if cfg.Budget <= 0 {
		cfg.Budget = 50 * time.Millisecond
	}
	if cfg.Bypass <= 0 {
		cfg.Bypass = time.Second
	}
	if cfg.CallTimeout <= 0 {
		cfg.CallTimeout = 30 * time.Second
	}
	if cfg.StaleTTL < cfg.RatesTTL {
		cfg.StaleTTL = cfg.RatesTTL
	}
	if cfg.TrackingTTL == nil {
		cfg.TrackingTTL = func(shipgate.Status) time.Duration { return 0 }
	}
	c := &Cache{b: b, cfg: cfg, obs: obs, clock: cfg.Now}
	if c.clock == nil {
		c.clock = time.Now
	}
	c.obj, _ = b.(objectBackend)
	return c
}

// Decorate wraps e's Rater, Tracker and BatchTracker. Call it outside the
// breakers, so that cached answers never reach them.
func (c *Cache) Decorate(e *carriers.Entry) {
	if e.Rater != nil {
		e.Rater = &rater{c: c, account: e.ID, next: e.Rater}
	}
	if e.Tracker != nil {
		e.Tracker = &tracker{c: c, account: e.ID, next: e.Tracker}
	}
	if e.BatchTracker != nil {
		e.BatchTracker = &batchTracker{c: c, account: e.ID, next: e.BatchTracker}
	}
}

type bypassKey struct{}

// Bypass returns a context whose lookups skip the cache; the carrier's
// answers still fill it. Tracker polling uses it: it wants the news, and
// refreshes the entry that API readers then hit.
func Bypass(ctx context.Context) context.Context { return context.WithValue(ctx, bypassKey{}, true) }

func bypassed(ctx context.Context) bool { b, _ := ctx.Value(bypassKey{}).(bool); return b }

func (c *Cache) observe(kind, result string) {
	if c.obs != nil {
		c.obs.CacheResult(kind, result)
	}
}

// entry is what the cache keeps: the answer and when it was stored.
type entry[T any] struct {
	At    time.Time `json:"at"`
	Value T         `json:"value"`
}

// load reads an entry; a failing backend counts as a miss.
func load[T any](ctx context.Context, c *Cache, kind, key string) (entry[T], bool) {
	var zero entry[T]
	if c.obj != nil {
		v, ok := c.obj.GetObject(key)
		if !ok {
			return zero, false
		}
		e, ok := v.(entry[T])
		return e, ok
	}
	if time.Now().UnixNano() < c.down.Load() {
		c.observe(kind, ResultError)
		return zero, false
	}
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.Budget)
	defer cancel()
	b, ok, err := c.b.Get(bctx, key)
	if err != nil {
		c.backendFailed(kind)
		return zero, false
	}
	if !ok {
		return zero, false
	}
	var e entry[T]
	if json.Unmarshal(b, &e) != nil {
		return zero, false
	}
	return e, true
}

func store[T any](ctx context.Context, c *Cache, kind, key string, e entry[T], ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	if c.obj != nil {
		c.obj.SetObject(key, e, ttl)
		return
	}
	if time.Now().UnixNano() < c.down.Load() {
		return
	}
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.Budget)
	defer cancel()
	if err := c.b.Set(bctx, key, b, ttl); err != nil {
		c.backendFailed(kind)
	}
}

func (c *Cache) backendFailed(kind string) {
	c.observe(kind, ResultError)
	c.down.Store(time.Now().Add(c.cfg.Bypass).UnixNano())
}

// call runs f once for all concurrent callers with the same key, detached
// from their contexts, and waits for it or for ctx.
func call[T any](ctx context.Context, c *Cache, key string, f func(context.Context) (T, error)) (v T, err error, done bool) {
	ch := c.sf.DoChan(key, func() (any, error) {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.CallTimeout)
		defer cancel()
		return f(dctx)
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return v, r.Err, true
		}
		return r.Val.(T), nil, true
	case <-ctx.Done():
		return v, &shipgate.Error{Code: shipgate.CodeCarrierTimeout, Message: "the carrier did not answer before the deadline", Err: ctx.Err()}, false
	}
}

// staleOK reports whether err may be covered by a stale entry: the carrier
// failed or was late, not refused the request.
func staleOK(err error) bool { return shipgate.ErrorCode(err).CarrierFault() }

type rater struct {
	c       *Cache
	account string
	next    carriers.Rater
}

func (r *rater) Rates(ctx context.Context, req *carriers.RateRequest) ([]shipgate.Rate, error) {
	c := r.c
	key := "rates:" + r.account + ":" + req.Key()
	old, found := load[[]shipgate.Rate](ctx, c, "rates", key)
	now := c.clock()
	if found && now.Sub(old.At) < c.cfg.RatesTTL {
		c.observe("rates", ResultHit)
		return copyRates(old.Value, true, false), nil
	}
	res, err, _ := call(ctx, c, key, func(dctx context.Context) (answer[[]shipgate.Rate], error) {
		// A caller that missed just before another flight stored its answer
		// starts a flight of its own: look once more before calling the carrier.
		if e, ok := load[[]shipgate.Rate](dctx, c, "rates", key); ok && c.clock().Sub(e.At) < c.cfg.RatesTTL {
			return answer[[]shipgate.Rate]{e.Value, true}, nil
		}
		rates, err := r.next.Rates(dctx, req)
		if err == nil {
			store(dctx, c, "rates", key, entry[[]shipgate.Rate]{At: c.clock(), Value: rates}, c.cfg.StaleTTL)
		}
		return answer[[]shipgate.Rate]{rates, false}, err
	})
	if err == nil {
		c.observe("rates", hitOrMiss(res.cached))
		return copyRates(res.v, res.cached, false), nil
	}
	if found && staleOK(err) && now.Sub(old.At) < c.cfg.StaleTTL {
		c.observe("rates", ResultStale)
		return copyRates(old.Value, true, true), nil
	}
	return nil, err
}

// answer is a flight's result: the value and whether it came from the cache.
type answer[T any] struct {
	v      T
	cached bool
}

func hitOrMiss(cached bool) string {
	if cached {
		return ResultHit
	}
	return ResultMiss
}

func copyRates(in []shipgate.Rate, cached, stale bool) []shipgate.Rate {
	out := make([]shipgate.Rate, len(in))
	copy(out, in)
	for i := range out {
		out[i].Cached, out[i].Stale = cached, stale
	}
	return out
}

type tracker struct {
	c       *Cache
	account string
	next    carriers.Tracker
}

func (t *tracker) Track(ctx context.Context, number string) (*shipgate.Tracking, error) {
	c := t.c
	key := trackKey(t.account, number)
	if bypassed(ctx) {
		tr, err := t.next.Track(ctx, number)
		if err == nil && tr != nil {
			c.storeTracking(ctx, key, tr)
		}
		return tr, err
	}
	old, found := load[*shipgate.Tracking](ctx, c, "tracking", key)
	now := c.clock()
	if found && old.Value != nil && now.Sub(old.At) < c.cfg.TrackingTTL(old.Value.Status) {
		c.observe("tracking", ResultHit)
		return copyTracking(old.Value, true), nil
	}
	res, err, _ := call(ctx, c, key, func(dctx context.Context) (answer[*shipgate.Tracking], error) {
		if e, ok := load[*shipgate.Tracking](dctx, c, "tracking", key); ok && e.Value != nil && c.clock().Sub(e.At) < c.cfg.TrackingTTL(e.Value.Status) {
			return answer[*shipgate.Tracking]{e.Value, true}, nil
		}
		tr, err := t.next.Track(dctx, number)
		if err == nil && tr != nil {
			c.storeTracking(dctx, key, tr)
		}
		return answer[*shipgate.Tracking]{tr, false}, err
	})
	if err == nil && res.v != nil {
		c.observe("tracking", hitOrMiss(res.cached))
		return copyTracking(res.v, res.cached), nil
	}
	if err == nil {
		return nil, &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "the carrier sent no tracking"}
	}
	if found && old.Value != nil && staleOK(err) && now.Sub(old.At) < c.cfg.StaleTTL {
		c.observe("tracking", ResultStale)
		return copyTracking(old.Value, true), nil
	}
	return nil, err
}

func copyTracking(in *shipgate.Tracking, cached bool) *shipgate.Tracking {
	out := *in
	out.Events = append([]shipgate.TrackingEvent(nil), in.Events...)
	out.Cached = cached
	return &out
}

func trackKey(account, number string) string { return "track:" + account + ":" + number }

// storeTracking keeps a tracking answer for as long as it may stand in for a
// failing carrier; freshness is decided on read by its status.
func (c *Cache) storeTracking(ctx context.Context, key string, tr *shipgate.Tracking) {
	ttl := max(c.cfg.TrackingTTL(tr.Status), c.cfg.StaleTTL)
	store(ctx, c, "tracking", key, entry[*shipgate.Tracking]{At: c.clock(), Value: tr}, ttl)
}

type batchTracker struct {
	c       *Cache
	account string
	next    carriers.BatchTracker
}

func (b *batchTracker) MaxBatch() int { return b.next.MaxBatch() }

// TrackBatch answers fresh numbers from the cache and asks the carrier for
// the rest in one call; when that call fails, numbers with a recent entry get
// it (stale) and the others the carrier's error.
func (b *batchTracker) TrackBatch(ctx context.Context, numbers []string) ([]carriers.TrackResult, error) {
	c := b.c
	out := make([]carriers.TrackResult, len(numbers))
	olds := make(map[int]entry[*shipgate.Tracking])
	var miss []int
	now := c.clock()
	for i, n := range numbers {
		if !bypassed(ctx) {
			if old, ok := load[*shipgate.Tracking](ctx, c, "tracking", trackKey(b.account, n)); ok && old.Value != nil {
				if now.Sub(old.At) < c.cfg.TrackingTTL(old.Value.Status) {
					c.observe("tracking", ResultHit)
					out[i].Tracking = copyTracking(old.Value, true)
					continue
				}
				olds[i] = old
			}
		}
		miss = append(miss, i)
	}
	if len(miss) == 0 {
		return out, nil
	}
	nums := make([]string, len(miss))
	for k, i := range miss {
		nums[k] = numbers[i]
	}
	rs, err := b.next.TrackBatch(ctx, nums)
	for k, i := range miss {
		var r carriers.TrackResult
		switch {
		case err != nil:
			r.Err = err
		case k < len(rs):
			r = rs[k]
		default:
			r.Err = &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "the carrier sent fewer results than numbers"}
		}
		if r.Err == nil && r.Tracking != nil {
			c.observe("tracking", ResultMiss)
			c.storeTracking(ctx, trackKey(b.account, numbers[i]), r.Tracking)
			out[i] = r
			continue
		}
		if old, ok := olds[i]; ok && staleOK(r.Err) && now.Sub(old.At) < c.cfg.StaleTTL {
			c.observe("tracking", ResultStale)
			out[i].Tracking = copyTracking(old.Value, true)
			continue
		}
		out[i] = r
	}
	return out, nil
}
