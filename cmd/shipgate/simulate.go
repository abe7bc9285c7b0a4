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

	"github.com/shipgate/shipgate/carriers/carriersim"
)

// simulator is one carrier's wire-accurate fake.
type simulator struct {
	// new returns the simulator's handler with the given faults.
	new func(f carriersim.Faults) http.Handler
	// about describes the credentials and base path to configure an account with.
	about string
}

// simulators is the table of carrier simulators served by `shipgate simulate`.
var simulators = map[string]simulator{}

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
	srv := &http.Server{Handler: sim.new(f), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "%s simulator on http://%s (stats: GET /_sim/stats, faults: POST /_sim/faults)\n%s\n", args[0], ln.Addr(), sim.about)
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
