// Package tracking gives every carrier's tracking one vocabulary: the
// carrier's events normalized (sorted, de-duplicated, the status derived, the
// carrier's code kept, unmapped codes counted and never guessed), tracking
// one number or a batch with bounded concurrency per account, and trackers:
// tracking numbers polled in the background, at an interval that depends on
// the status, until they reach a final status, announcing every change as a
// tracker.updated event. With PostgreSQL several gateway processes share the
// polling without polling one tracker twice.
//
// Caching (with a lifetime that depends on the status) happens in
// carriers/cache, which wraps every account's Tracker.
package tracking

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
)

// Accounts finds carrier accounts (carriers.Registry).
type Accounts interface {
	Lookup(id string) (*carriers.Entry, bool)
	Resolve(name string) ([]*carriers.Entry, error)
}

// Observer counts unmapped carrier codes (metrics).
type Observer interface {
	TrackingUnmapped(carrier, code string)
}

// Bypasser marks a context so that the cache is not read (but is written):
// the poller wants the carrier's news, and refreshes the cache for readers.
type Bypasser func(ctx context.Context) context.Context

// Config tunes tracking.
type Config struct {
	// PollInterval is the trackers' base poll interval (default 30m); see pollInterval.
	PollInterval time.Duration
	// Concurrency bounds concurrent carrier calls per account (default 8).
	Concurrency int
	// PollBatch is how many due trackers one poll round claims (default 100).
	PollBatch int
	// Lease is how long a claimed tracker is reserved for its poller (default 2m).
	Lease time.Duration
	// Tick is how often the poller looks for due trackers (default min(PollInterval, 5s)).
	Tick time.Duration
	// Bypass lets the poller skip cache reads (nil: it reads through the cache).
	Bypass Bypasser
	Now    func() time.Time
}

// Service tracks parcels and keeps trackers.
type Service struct {
	accounts Accounts
	store    Store
	cfg      Config
	obs      Observer
	log      *slog.Logger

	mu   sync.Mutex
	sems map[string]chan struct{}
}

// New returns a Service.
func New(accounts Accounts, store Store, cfg Config, obs Observer, log *slog.Logger) *Service {
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 30 * time.Minute
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	if cfg.PollBatch <= 0 {
		cfg.PollBatch = 100
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Tick <= 0 {
		cfg.Tick = min(cfg.PollInterval, 5*time.Second)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{accounts: accounts, store: store, cfg: cfg, obs: obs, log: log, sems: map[string]chan struct{}{}}
}

// entry finds the account to track with: an account id, or the first account
// of a carrier that can track. Errors: not_found, unsupported.
func (s *Service) entry(carrier string) (*carriers.Entry, error) {
	if e, ok := s.accounts.Lookup(carrier); ok {
		if e.Tracker == nil && e.BatchTracker == nil {
			return nil, shipgate.Errorf(shipgate.CodeUnsupported, "account %s cannot track parcels", e.ID)
		}
		return e, nil
	}
	es, err := s.accounts.Resolve(carrier)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.Tracker != nil || e.BatchTracker != nil {
			return e, nil
		}
	}
	return nil, shipgate.Errorf(shipgate.CodeUnsupported, "no %s account can track parcels", carrier)
}

// acquire takes one of the account's concurrency slots.
func (s *Service) acquire(ctx context.Context, account string) (func(), error) {
	s.mu.Lock()
	sem, ok := s.sems[account]
	if !ok {
		sem = make(chan struct{}, s.cfg.Concurrency)
		s.sems[account] = sem
	}
	s.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, &shipgate.Error{Code: shipgate.CodeCarrierTimeout, Message: "no tracking slot for the account before the deadline", Err: ctx.Err()}
	}
}

// Track returns the normalized tracking of one number. carrier is an account
// id or a carrier name. Errors: not_found (no such carrier or number),
// unsupported, and the carrier's errors.
func (s *Service) Track(ctx context.Context, carrier, number string) (*shipgate.Tracking, error) {
	e, err := s.entry(carrier)
	if err != nil {
		return nil, err
	}
	return s.track(ctx, e, number)
}

func (s *Service) track(ctx context.Context, e *carriers.Entry, number string) (*shipgate.Tracking, error) {
	release, err := s.acquire(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	defer release()
	var t *shipgate.Tracking
	if e.Tracker != nil {
		t, err = e.Tracker.Track(ctx, number)
	} else {
		var rs []carriers.TrackResult
		rs, err = e.BatchTracker.TrackBatch(ctx, []string{number})
		if err == nil && len(rs) == 1 {
			t, err = rs[0].Tracking, rs[0].Err
		} else if err == nil {
			err = shipgate.Errorf(shipgate.CodeCarrierUnavailable, "%s answered %d results for one number", e.Carrier, len(rs))
		}
	}
	if err != nil {
		return nil, err
	}
	return s.normalize(e, t), nil
}

func (s *Service) normalize(e *carriers.Entry, t *shipgate.Tracking) *shipgate.Tracking {
	if t.Carrier == "" {
		t.Carrier = e.Carrier
	}
	if t.Account == "" {
		t.Account = e.ID
	}
	unmapped := Normalize(t)
	if !t.Cached && s.obs != nil {
		for _, u := range unmapped {
			s.obs.TrackingUnmapped(e.Carrier, u.CarrierCode)
		}
	}
	return t
}

// Item is one number of a batch.
type Item struct {
	Carrier        string `json:"carrier"`
	TrackingNumber string `json:"tracking_number"`
}

// Result is one item's answer: Tracking, or Err.
type Result struct {
	Item     Item
	Tracking *shipgate.Tracking
	Err      error
}

// TrackBatch tracks every item, in order, one result per item. Items of an
// account that tracks in batches go in as few carrier calls as it allows;
// the others are tracked one by one, at most Concurrency at a time per
// account. A repeated item is tracked once.
func (s *Service) TrackBatch(ctx context.Context, items []Item) []Result {
	out := make([]Result, len(items))
	groups := map[string][]int{} // account -> item indexes
	entries := map[string]*carriers.Entry{}
	for i, it := range items {
		out[i].Item = it
		e, err := s.entry(it.Carrier)
		if err != nil {
			out[i].Err = err
			continue
		}
		entries[e.ID] = e
		groups[e.ID] = append(groups[e.ID], i)
	}
	var wg sync.WaitGroup
	for acct, idx := range groups {
		e := entries[acct]
		// One call per distinct number.
		byNum := map[string][]int{}
		var nums []string
		for _, i := range idx {
			n := items[i].TrackingNumber
			if _, ok := byNum[n]; !ok {
				nums = append(nums, n)
			}
			byNum[n] = append(byNum[n], i)
		}
		set := func(n string, t *shipgate.Tracking, err error) {
			for k, i := range byNum[n] {
				tt := t
				if t != nil && k > 0 {
					c := *t
					tt = &c
				}
				out[i].Tracking, out[i].Err = tt, err
			}
		}
		if e.BatchTracker != nil && (e.Tracker == nil || len(nums) > 1) {
			size := max(1, e.BatchTracker.MaxBatch())
			for start := 0; start < len(nums); start += size {
				chunk := nums[start:min(len(nums), start+size)]
				wg.Add(1)
				go func() {
					defer wg.Done()
					release, err := s.acquire(ctx, e.ID)
					if err != nil {
						for _, n := range chunk {
							set(n, nil, err)
						}
						return
					}
					defer release()
					rs, err := e.BatchTracker.TrackBatch(ctx, chunk)
					for k, n := range chunk {
						switch {
						case err != nil:
							set(n, nil, err)
						case k >= len(rs):
							set(n, nil, shipgate.Errorf(shipgate.CodeCarrierUnavailable, "%s sent no result for %s", e.Carrier, n))
						case rs[k].Err != nil:
							set(n, nil, rs[k].Err)
						default:
							set(n, s.normalize(e, rs[k].Tracking), nil)
						}
					}
				}()
			}
			continue
		}
		for _, n := range nums {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t, err := s.track(ctx, e, n)
				set(n, t, err)
			}()
		}
	}
	wg.Wait()
	return out
}

// trackingEvent builds a tracker.updated event: data is the Tracking.
func trackingEvent(t *shipgate.Tracking, now time.Time) (*shipgate.Event, error) {
	c := *t
	c.Cached = false
	b, err := json.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("tracker event: %w", err)
	}
	return &shipgate.Event{ID: shipgate.NewID("evt_"), Type: shipgate.EventTrackerUpdated, CreatedAt: now, Data: b}, nil
}
