package tracking

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/shipgate/shipgate"
)

// Tracker is a tracking number that shipgate polls for its caller.
type Tracker struct {
	ID string `json:"id"`
	// Carrier is what the caller named (an account id or a carrier name).
	Carrier        string             `json:"carrier"`
	Account        string             `json:"account"`
	TrackingNumber string             `json:"tracking_number"`
	Status         shipgate.Status    `json:"status"`
	Tracking       *shipgate.Tracking `json:"tracking,omitempty"`
	// Active is false once the parcel reached a final status: it is no longer polled.
	Active     bool                `json:"active"`
	NextPollAt *time.Time          `json:"next_poll_at,omitempty"`
	LastError  *shipgate.ErrorBody `json:"last_error,omitempty"`
	CreatedAt  time.Time           `json:"created_at"`
	UpdatedAt  time.Time           `json:"updated_at"`
}

// Store is what trackers need from storage (store.DB implements it).
// Errors: not_found for a missing tracker.
type Store interface {
	// CreateTracker adds a tracker, and its first event when not nil. When
	// the account already tracks the number, nothing is written and the
	// existing tracker is returned.
	CreateTracker(ctx context.Context, t *Tracker, ev *shipgate.Event) (existing *Tracker, err error)
	GetTracker(ctx context.Context, id string) (*Tracker, error)
	// ListTrackers returns trackers newest first and the next page's cursor.
	ListTrackers(ctx context.Context, cursor string, limit int) ([]*Tracker, string, error)
	DeleteTracker(ctx context.Context, id string) error
	// ClaimTrackers reserves up to limit active trackers due at now (and not
	// reserved by another poller) until leaseUntil, and returns them. With
	// PostgreSQL, concurrent pollers never claim the same tracker.
	ClaimTrackers(ctx context.Context, now, leaseUntil time.Time, limit int) ([]*Tracker, error)
	// UpdateTracker saves a poll's outcome, releases the reservation and
	// writes the event when not nil, at once.
	UpdateTracker(ctx context.Context, t *Tracker, ev *shipgate.Event) error
}

// CreateTracker starts tracking a number for the caller. It tracks it once
// right away (a number the carrier does not know yet is kept and polled).
// created is false when the account already tracked that number. Errors:
// invalid_request, not_found (no such carrier), unsupported.
func (s *Service) CreateTracker(ctx context.Context, carrier, number string) (t *Tracker, created bool, err error) {
	if number == "" || len(number) > 64 {
		return nil, false, shipgate.FieldErrorf("tracking_number", "must be 1 to 64 characters")
	}
	e, err := s.entry(carrier)
	if err != nil {
		if shipgate.ErrorCode(err) == shipgate.CodeNotFound {
			return nil, false, shipgate.FieldErrorf("carrier", "%s", shipgate.ErrorMessage(err))
		}
		return nil, false, err
	}
	now := s.cfg.Now()
	t = &Tracker{ID: shipgate.NewID("trk_"), Carrier: carrier, Account: e.ID, TrackingNumber: number, Status: shipgate.StatusUnknown, Active: true, CreatedAt: now, UpdatedAt: now}
	tr, terr := s.track(ctx, e, number)
	var ev *shipgate.Event
	s.apply(t, tr, terr, now)
	if terr == nil {
		if ev, err = trackingEvent(tr, now); err != nil {
			return nil, false, err
		}
	}
	existing, err := s.store.CreateTracker(ctx, t, ev)
	if err != nil {
		return nil, false, err
	}
	if existing != nil {
		return existing, false, nil
	}
	return t, true, nil
}

// apply records a poll's outcome on t: the tracking and when to poll next.
func (s *Service) apply(t *Tracker, tr *shipgate.Tracking, err error, now time.Time) {
	t.UpdatedAt = now
	if err != nil {
		t.LastError = shipgate.Body(err)
		next := now.Add(s.cfg.PollInterval)
		t.NextPollAt = &next
		return
	}
	t.LastError = nil
	t.Tracking, t.Status = tr, tr.Status
	if tr.Status.Final() {
		t.Active, t.NextPollAt = false, nil
		return
	}
	next := now.Add(pollInterval(s.cfg.PollInterval, tr.Status))
	t.NextPollAt = &next
}

// GetTracker returns a tracker. Errors: not_found.
func (s *Service) GetTracker(ctx context.Context, id string) (*Tracker, error) {
	return s.store.GetTracker(ctx, id)
}

// ListTrackers returns trackers, newest first, and the next page's cursor.
func (s *Service) ListTrackers(ctx context.Context, cursor string, limit int) ([]*Tracker, string, error) {
	if limit <= 0 {
		limit = 50
	}
	return s.store.ListTrackers(ctx, cursor, limit)
}

// DeleteTracker stops and forgets a tracker. Errors: not_found.
func (s *Service) DeleteTracker(ctx context.Context, id string) error {
	return s.store.DeleteTracker(ctx, id)
}

// PollOnce refreshes the trackers that are due: it claims them, tracks each
// (past the cache, whose entry it refreshes), saves what changed and emits
// tracker.updated when the status or the events changed. It returns how many
// trackers it polled.
func (s *Service) PollOnce(ctx context.Context) (int, error) {
	now := s.cfg.Now()
	ts, err := s.store.ClaimTrackers(ctx, now, now.Add(s.cfg.Lease), s.cfg.PollBatch)
	if err != nil || len(ts) == 0 {
		return 0, err
	}
	pctx := ctx
	if s.cfg.Bypass != nil {
		pctx = s.cfg.Bypass(ctx)
	}
	var wg sync.WaitGroup
	for _, t := range ts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.poll(pctx, t)
		}()
	}
	wg.Wait()
	return len(ts), nil
}

func (s *Service) poll(ctx context.Context, t *Tracker) {
	e, ok := s.accounts.Lookup(t.Account)
	var tr *shipgate.Tracking
	var err error
	if !ok {
		err = shipgate.Errorf(shipgate.CodeNotFound, "account %s is no longer configured", t.Account)
	} else {
		tr, err = s.track(ctx, e, t.TrackingNumber)
	}
	if errors.Is(err, context.Canceled) {
		return // shutting down: the lease runs out and another poll takes it
	}
	prev := t.Tracking
	now := s.cfg.Now()
	s.apply(t, tr, err, now)
	var ev *shipgate.Event
	if err == nil && Changed(prev, tr) {
		if ev, err = trackingEvent(tr, now); err != nil {
			s.log.Error("tracker event", "tracker", t.ID, "err", err)
			return
		}
	}
	if err := s.store.UpdateTracker(context.WithoutCancel(ctx), t, ev); err != nil {
		s.log.Warn("could not save a tracker's poll", "tracker", t.ID, "err", err)
	}
}

// Run polls due trackers every tick until ctx ends.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.Tick)
	defer t.Stop()
	for {
		if _, err := s.PollOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("tracker poll failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
