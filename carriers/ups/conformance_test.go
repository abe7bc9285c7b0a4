package ups_test

import (
	"testing"

	"github.com/shipgate/shipgate/carriers/carriertest"
)

func TestConformance(t *testing.T) {
	f := newFixture(t)
	carriertest.Run(t, carriertest.Harness{
		Carrier:   "ups",
		AccountID: "ups-test",
		New:       func(t *testing.T) any { return f.client(t) },
	})
	if n := f.sim.Stats()["oauth"]; n != 1 {
		t.Errorf("the suite's adapters share one token through the shared store: %d token requests, want 1", n)
	}
}
