package kv

import (
	"context"
	"fmt"
	"time"

	"github.com/shipgate/shipgate"
)

// Limiter is a token bucket kept in a Store, so that every process sharing the
// store shares the limit. It implements carriers.Limiter.
type Limiter struct {
	Store Store
	// Key names the bucket ("ratelimit:account:ups-main").
	Key       string
	PerSecond float64
	Burst     int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Wait blocks until a token is available. When ctx ends before that, or would
// end before the next token, it returns rate_limited at once. A store that
// fails lets the call through (the limit fails open, like the cache).
func (l *Limiter) Wait(ctx context.Context) error {
	now := l.Now
	if now == nil {
		now = time.Now
	}
	burst := max(1, l.Burst)
	for {
		ok, wait, err := l.Store.TakeToken(ctx, l.Key, l.PerSecond, burst, now())
		if err != nil || ok {
			return nil
		}
		if dl, has := ctx.Deadline(); has && time.Until(dl) < wait {
			return &shipgate.Error{Code: shipgate.CodeRateLimited, Message: fmt.Sprintf("rate limit of %g calls per second reached", l.PerSecond), RetryAfter: wait, Err: shipgate.ErrNotSent}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return &shipgate.Error{Code: shipgate.CodeRateLimited, Message: fmt.Sprintf("rate limit of %g calls per second reached", l.PerSecond), RetryAfter: wait, Err: fmt.Errorf("%w: %w", shipgate.ErrNotSent, ctx.Err())}
		case <-t.C:
		}
	}
}
