package breaker_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shipgate/shipgate"
	"github.com/shipgate/shipgate/carriers"
	"github.com/shipgate/shipgate/carriers/breaker"
)

// fakeRater answers with the error its test sets, counting calls.
type fakeRater struct {
	calls atomic.Int64
	mu    sync.Mutex
	err   error
	hang  bool
}

func (f *fakeRater) set(err error) { f.mu.Lock(); f.err = err; f.mu.Unlock() }

func (f *fakeRater) Rates(ctx context.Context, _ *carriers.RateRequest) ([]shipgate.Rate, error) {
	f.calls.Add(1)
	f.mu.Lock()
	err, hang := f.err, f.hang
	f.mu.Unlock()
	if hang {
		<-ctx.Done()
		return nil, &shipgate.Error{Code: shipgate.CodeCarrierTimeout, Message: "late", Err: ctx.Err()}
	}
	if err != nil {
		return nil, err
	}
	return []shipgate.Rate{{Service: "x"}}, nil
}

type stateLog struct {
	mu     sync.Mutex
	states []string
}

func (l *stateLog) BreakerStateChanged(account, op, state string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if op == carriers.OpRates {
		l.states = append(l.states, state)
	}
}

func setup(t *testing.T, s breaker.Settings) (*fakeRater, *carriers.Entry, *breaker.Set, *stateLog) {
	t.Helper()
	f := &fakeRater{}
	e := carriers.NewEntry(carriers.AccountConfig{ID: "acct", Carrier: "fake"}, f)
	log := &stateLog{}
	set := breaker.New("acct", "fake", s, log)
	set.Decorate(e)
	return f, e, set, log
}

var (
	fault   = &shipgate.Error{Code: shipgate.CodeCarrierUnavailable, Message: "500"}
	refusal = &shipgate.Error{Code: shipgate.CodeCarrierRejected, Message: "bad zip"}
	req     = &carriers.RateRequest{}
)

func TestOpensAfterConsecutiveFailures(t *testing.T) {
	f, e, set, log := setup(t, breaker.Settings{ConsecutiveFailures: 3, OpenFor: time.Hour})
	f.set(fault)
	for i := 0; i < 3; i++ {
		if _, err := e.Rater.Rates(context.Background(), req); shipgate.ErrorCode(err) != shipgate.CodeCarrierUnavailable {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if got := set.State(carriers.OpRates); got != breaker.StateOpen {
		t.Fatalf("state after 3 faults = %s, want open", got)
	}
	_, err := e.Rater.Rates(context.Background(), req)
	var se *shipgate.Error
	if !errors.As(err, &se) || se.Code != shipgate.CodeCarrierUnavailable || se.Carrier == nil || se.Carrier.Code != "circuit_open" {
		t.Fatalf("open breaker answered %v", err)
	}
	if n := f.calls.Load(); n != 3 {
		t.Errorf("carrier called %d times, want 3 (the open breaker must not call it)", n)
	}
	if got := set.BreakerStates(); got[carriers.OpRates] != "open" || got[carriers.OpTracking] != "closed" {
		t.Errorf("states = %v: only the rates breaker should be open", got)
	}
	if len(log.states) < 2 || log.states[len(log.states)-1] != breaker.StateOpen {
		t.Errorf("observer saw %v", log.states)
	}
}

func TestRefusalsDoNotTrip(t *testing.T) {
	f, e, set, _ := setup(t, breaker.Settings{ConsecutiveFailures: 2, OpenFor: time.Hour})
	f.set(refusal)
	for i := 0; i < 10; i++ {
		if _, err := e.Rater.Rates(context.Background(), req); shipgate.ErrorCode(err) != shipgate.CodeCarrierRejected {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if got := set.State(carriers.OpRates); got != breaker.StateClosed {
		t.Fatalf("state after 10 refusals = %s, want closed", got)
	}
}

func TestSuccessResetsCount(t *testing.T) {
	f, e, set, _ := setup(t, breaker.Settings{ConsecutiveFailures: 3, OpenFor: time.Hour})
	for i := 0; i < 5; i++ {
		f.set(fault)
		_, _ = e.Rater.Rates(context.Background(), req)
		_, _ = e.Rater.Rates(context.Background(), req)
		f.set(nil)
		_, _ = e.Rater.Rates(context.Background(), req)
	}
	if got := set.State(carriers.OpRates); got != breaker.StateClosed {
		t.Fatalf("faults interleaved with successes opened the breaker")
	}
}

func TestHalfOpensAndCloses(t *testing.T) {
	openFor := 20 * time.Millisecond
	f, e, set, log := setup(t, breaker.Settings{ConsecutiveFailures: 1, OpenFor: openFor})
	f.set(fault)
	_, _ = e.Rater.Rates(context.Background(), req)
	if set.State(carriers.OpRates) != breaker.StateOpen {
		t.Fatal("not open")
	}
	time.Sleep(3 * openFor) // at least OpenFor: the next call is a trial
	if got := set.State(carriers.OpRates); got != breaker.StateHalfOpen {
		t.Fatalf("state after open_for = %s, want half_open", got)
	}
	f.set(nil)
	if _, err := e.Rater.Rates(context.Background(), req); err != nil {
		t.Fatalf("trial call: %v", err)
	}
	if got := set.State(carriers.OpRates); got != breaker.StateClosed {
		t.Fatalf("state after a good trial = %s, want closed", got)
	}
	want := []string{"closed", "open", "half_open", "closed"}
	if len(log.states) != len(want) {
		t.Fatalf("observer saw %v, want %v", log.states, want)
	}
}

func TestHalfOpenFailureReopens(t *testing.T) {
	openFor := 20 * time.Millisecond
	f, e, set, _ := setup(t, breaker.Settings{ConsecutiveFailures: 1, OpenFor: openFor})
	f.set(fault)
	_, _ = e.Rater.Rates(context.Background(), req)
	time.Sleep(3 * openFor)
	_, _ = e.Rater.Rates(context.Background(), req)
	if got := set.State(carriers.OpRates); got != breaker.StateOpen {
		t.Fatalf("state after a failed trial = %s, want open", got)
	}
}

func TestTimeoutCountsAsFault(t *testing.T) {
	f, e, set, _ := setup(t, breaker.Settings{ConsecutiveFailures: 2, OpenFor: time.Hour, Timeout: 5 * time.Millisecond})
	f.hang = true
	for i := 0; i < 2; i++ {
		if _, err := e.Rater.Rates(context.Background(), req); shipgate.ErrorCode(err) != shipgate.CodeCarrierTimeout {
			t.Fatalf("call %d: %v, want carrier_timeout from the account timeout", i, err)
		}
	}
	if set.State(carriers.OpRates) != breaker.StateOpen {
		t.Fatal("two timeouts did not open the breaker")
	}
}

func TestCallerCancellationIsNotAFault(t *testing.T) {
	f, e, set, _ := setup(t, breaker.Settings{ConsecutiveFailures: 1, OpenFor: time.Hour})
	f.hang = true
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(5 * time.Millisecond); cancel() }()
	_, err := e.Rater.Rates(ctx, req)
	if err == nil {
		t.Fatal("no error")
	}
	if set.State(carriers.OpRates) != breaker.StateClosed {
		t.Fatal("a caller's cancellation opened the breaker")
	}
}
