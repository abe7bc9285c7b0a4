package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/shipgate/shipgate/carriers/carriertest/carriersim"
	"github.com/shipgate/shipgate/carriers/dhl/dhlsim"
	"github.com/shipgate/shipgate/carriers/ups/upssim"
)

// simulator is one carrier's wire-accurate fake.
type simulator struct {
	// new returns the simulator's handler with the given faults; speed makes
	// its shipments travel that many times faster than real time.
	new func(f carriersim.Faults, speed float64) http.Handler
	// about describes how to configure an account against it; %s is its URL.
	about string
}

// simulators is the table of carrier simulators served by `shipgate simulate`.
var simulators = map[string]simulator{
	"ups": {
		new: func(f carriersim.Faults, speed float64) http.Handler {
			now := time.Now
			if speed != 1 {
				start := time.Now()
				now = func() time.Time { return start.Add(time.Duration(float64(time.Since(start)) * speed)) }
			}
			return upssim.New(upssim.WithFaults(f), upssim.WithClock(now))
		},
		about: "accounts:\n  - id: ups-sim\n    carrier: ups\n    base_url: %s\n    credentials: { client_id: " + upssim.DefaultClientID +
			", client_secret: " + upssim.DefaultClientSecret + ", account_number: " + upssim.DefaultAccountNumber + " }",
	},
	"dhl": {
		new: func(f carriersim.Faults, speed float64) http.Handler {
			return dhlsim.New(dhlsim.WithFaults(f), dhlsim.WithSpeed(speed))
		},
		about: "accounts:\n  - id: dhl-sim\n    carrier: dhl\n    base_url: %s\n    credentials: { username: " + dhlsim.DefaultUsername +
			", password: " + dhlsim.DefaultPassword + ", account_number: \"" + dhlsim.DefaultAccountNumber + "\" }",
	},
}

func cmdSimulate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	names := make([]string, 0, len(simulators))
	for k := range simulators {
		names = append(names, k)
	}
	slices.Sort(names)
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(stderr, "shipgate simulate: name a carrier (%s)\n", strings.Join(names, ", "))
		return 2
	}
	sim, ok := simulators[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "shipgate simulate: no simulator for %q (have: %s)\n", args[0], strings.Join(names, ", "))
		return 2
	}
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:9001", "listen address")
	var f carriersim.Faults
	fs.DurationVar(&f.Latency, "latency", 0, "added to every answer")
	fs.DurationVar(&f.Jitter, "jitter", 0, "random extra latency, up to this")
	fs.Float64Var(&f.FailRate, "fail-rate", 0, "share of calls answered with a 500 (0..1)")
	fs.StringVar(&f.Mode, "mode", "ok", "ok, error, timeout, 429 or malformed")
	speed := fs.Float64("speed", 1, "shipments travel this many times faster than real time (tracking)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if err := f.Validate(); err != nil {
		fmt.Fprintf(stderr, "shipgate simulate: %v\n", err)
		return 2
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "shipgate simulate: %v\n", err)
		return 1
	}
	if *speed <= 0 {
		fmt.Fprintln(stderr, "shipgate simulate: --speed must be positive")
		return 2
	}
	srv := &http.Server{Handler: sim.new(f, *speed), ReadHeaderTimeout: 10 * time.Second}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "%s simulator on %s (stats: GET /_sim/stats, faults: POST /_sim/faults)\nConfigure an account:\n"+sim.about+"\n", args[0], url, url)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(stderr, "shipgate simulate: %v\n", err)
			return 1
		}
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}
	return 0
}
