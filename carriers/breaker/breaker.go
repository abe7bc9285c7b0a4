// Package breaker puts a circuit breaker (sony/gobreaker) in front of every
// operation of one carrier account: rates, labels, void and tracking each have
// their own, so a failing tracking API does not stop quoting. Carrier faults
// (timeouts, 5xx, 429, unreadable answers) count as failures; refusals of a
// bad request (carrier_rejected, invalid_request) and calls cancelled by the
// caller do not. An open breaker answers at once with carrier_unavailable.
// Every call is also bounded by the account's timeout.
package breaker

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
)

// States as reported by BreakerStates and to the Observer.
const (
	StateClosed   = "closed"
	StateOpen     = "open"
	StateHalfOpen = "half_open"
)

// Observer is told about every state change (metrics).
type Observer interface {
	BreakerStateChanged(account, operation, state string)
}

// Settings configure the breakers of one account.
type Settings struct {
	// ConsecutiveFailures opens a breaker after this many carrier faults in a row.
	ConsecutiveFailures int
	// OpenFor is how long an open breaker refuses calls before it lets one through.
	OpenFor time.Duration
	// Timeout bounds every call (0: no bound beyond the caller's context).
	Timeout time.Duration
}

// Set is the breakers of one account, one per operation.
type Set struct {
	account  string
	carrier  string
	timeout  time.Duration
	breakers map[string]*gobreaker.CircuitBreaker[any]
}

// callerGaveUp marks an error that happened because the caller cancelled:
// it says nothing about the carrier's health, so the breaker ignores it.
type callerGaveUp struct{ err error }

func (c *callerGaveUp) Error() string { return c.err.Error() }

// New returns the breakers of one account for the operations rates, labels,
// void and tracking.
func New(account, carrier string, s Settings, obs Observer) *Set {
	if s.ConsecutiveFailures <= 0 {
		s.ConsecutiveFailures = carriers.DefaultConsecutiveFailures
	}
	if s.OpenFor <= 0 {
		s.OpenFor = carriers.DefaultOpenFor
	}
	set := &Set{account: account, carrier: carrier, timeout: s.Timeout, breakers: map[string]*gobreaker.CircuitBreaker[any]{}}
	for _, op := range []string{carriers.OpRates, carriers.OpLabels, carriers.OpVoid, carriers.OpTracking} {
		op := op
		set.breakers[op] = gobreaker.NewCircuitBreaker[any](gobreaker.Settings{
			Name:        account + "/" + op,
			MaxRequests: 1,
			Timeout:     s.OpenFor,
			ReadyToTrip: func(c gobreaker.Counts) bool {
				return c.ConsecutiveFailures >= uint32(s.ConsecutiveFailures)
			},
			IsSuccessful: func(err error) bool { return err == nil || !fault(err) },
			IsExcluded: func(err error) bool {
				var cg *callerGaveUp
				return errors.As(err, &cg)
			},
			OnStateChange: func(_ string, _, to gobreaker.State) {
				if obs != nil {
					obs.BreakerStateChanged(account, op, stateName(to))
				}
			},
		})
		if obs != nil {
			obs.BreakerStateChanged(account, op, StateClosed)
		}
	}
	return set
}

func stateName(s gobreaker.State) string {
	switch s {
	case gobreaker.StateOpen:
		return StateOpen
	case gobreaker.StateHalfOpen:
		return StateHalfOpen
	}
	return StateClosed
}

// fault reports whether err is the carrier's fault.
func fault(err error) bool { return shipgate.ErrorCode(err).CarrierFault() }

// BreakerStates returns the state of each operation's breaker.
func (s *Set) BreakerStates() map[string]string {
	out := make(map[string]string, len(s.breakers))
	for op, b := range s.breakers {
		out[op] = stateName(b.State())
	}
	return out
}

// State returns the state of one operation's breaker.
func (s *Set) State(op string) string { return stateName(s.breakers[op].State()) }

// do runs f through the breaker of op, with the account's timeout.
func do[T any](ctx context.Context, s *Set, op string, f func(context.Context) (T, error)) (T, error) {
	var zero T
	v, err := s.breakers[op].Execute(func() (any, error) {
		cctx, cancel := ctx, context.CancelFunc(func() {})
		if s.timeout > 0 {
			cctx, cancel = context.WithTimeout(ctx, s.timeout)
		}
		defer cancel()
		v, err := f(cctx)
		if err != nil && errors.Is(ctx.Err(), context.Canceled) {
			return v, &callerGaveUp{err}
		}
		return v, err
	})
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return zero, &shipgate.Error{
			Code:    shipgate.CodeCarrierUnavailable,
			Message: fmt.Sprintf("account %s is failing: its %s circuit breaker is open, calls are refused until it recovers", s.account, strings.ReplaceAll(op, "_", " ")),
			Carrier: &shipgate.CarrierError{Account: s.account, Carrier: s.carrier, Code: "circuit_open"},
			Err:     fmt.Errorf("%w: %w", shipgate.ErrNotSent, err),
		}
	}
	var cg *callerGaveUp
	if errors.As(err, &cg) {
		err = cg.err
	}
	if err != nil {
		return zero, err
	}
	if v == nil {
		return zero, nil
	}
	return v.(T), nil
}

// Decorate wraps every capability of e with the breakers of s and makes s its
// HealthReporter.
func (s *Set) Decorate(e *carriers.Entry) {
	e.Health = s
	if e.Rater != nil {
		e.Rater = rater{s, e.Rater}
	}
	if e.Labeler != nil {
		e.Labeler = labeler{s, e.Labeler}
	}
	if e.Voider != nil {
		e.Voider = voider{s, e.Voider}
	}
	if e.Tracker != nil {
		e.Tracker = tracker{s, e.Tracker}
	}
	if e.BatchTracker != nil {
		e.BatchTracker = batchTracker{s, e.BatchTracker}
	}
	if e.PurchaseFinder != nil {
		e.PurchaseFinder = finder{s, e.PurchaseFinder}
	}
}

type rater struct {
	s    *Set
	next carriers.Rater
}

func (r rater) Rates(ctx context.Context, req *carriers.RateRequest) ([]shipgate.Rate, error) {
	return do(ctx, r.s, carriers.OpRates, func(ctx context.Context) ([]shipgate.Rate, error) { return r.next.Rates(ctx, req) })
}

type labeler struct {
	s    *Set
	next carriers.Labeler
}

func (l labeler) Purchase(ctx context.Context, req *carriers.PurchaseRequest) (*shipgate.Purchase, error) {
	return do(ctx, l.s, carriers.OpLabels, func(ctx context.Context) (*shipgate.Purchase, error) { return l.next.Purchase(ctx, req) })
}

type finder struct {
	s    *Set
	next carriers.PurchaseFinder
}

func (f finder) FindPurchase(ctx context.Context, req *carriers.PurchaseRequest) (*shipgate.Purchase, error) {
	return do(ctx, f.s, carriers.OpLabels, func(ctx context.Context) (*shipgate.Purchase, error) { return f.next.FindPurchase(ctx, req) })
}

type voider struct {
	s    *Set
	next carriers.Voider
}

func (v voider) Void(ctx context.Context, req *carriers.VoidRequest) error {
	_, err := do(ctx, v.s, carriers.OpVoid, func(ctx context.Context) (struct{}, error) { return struct{}{}, v.next.Void(ctx, req) })
	return err
}

type tracker struct {
	s    *Set
	next carriers.Tracker
}

func (t tracker) Track(ctx context.Context, number string) (*shipgate.Tracking, error) {
	return do(ctx, t.s, carriers.OpTracking, func(ctx context.Context) (*shipgate.Tracking, error) { return t.next.Track(ctx, number) })
}

type batchTracker struct {
	s    *Set
	next carriers.BatchTracker
}

func (t batchTracker) TrackBatch(ctx context.Context, numbers []string) ([]carriers.TrackResult, error) {
	return do(ctx, t.s, carriers.OpTracking, func(ctx context.Context) ([]carriers.TrackResult, error) { return t.next.TrackBatch(ctx, numbers) })
}

func (t batchTracker) MaxBatch() int { return t.next.MaxBatch() }
