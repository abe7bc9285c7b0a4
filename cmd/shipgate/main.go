// Command shipgate is the shipgate gateway: one HTTP API for rates, labels and
// tracking across shipping carriers.
//
//	shipgate serve [--config FILE]      serve the API (no configuration: the embedded sandbox default)
//	shipgate simulate CARRIER --addr A  serve a wire-accurate fake of a carrier's API
//	shipgate keys new --name N --scopes S  make an API key (printed once) and its configuration line
//	shipgate bench                      run the end-to-end benchmark scenarios
//	shipgate version
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}

const usage = `shipgate: one HTTP API for rates, labels and tracking across shipping carriers.

Usage:
  shipgate serve [--config FILE]
  shipgate simulate CARRIER --addr HOST:PORT [--latency D] [--jitter D] [--fail-rate F] [--mode ok|error|timeout|429|malformed]
  shipgate keys new --name NAME --scopes rates,labels,tracking,admin
  shipgate bench [--duration 3s] [--concurrency 32] [--postgres URL] [--only cached,fanout,down,coalescing,labels,tracking]
  shipgate version

Environment: SHIPGATE_CONFIG, SHIPGATE_ADDR, SHIPGATE_REDIS_URL, SHIPGATE_DATABASE_URL, SHIPGATE_LOG_LEVEL.
`

// realMain runs one command and returns the process exit code.
func realMain(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], stderr, lookupEnv)
	case "simulate":
		return cmdSimulate(ctx, args[1:], stdout, stderr)
	case "keys":
		return cmdKeys(args[1:], os.Stdin, stdout, stderr)
	case "bench":
		return cmdBench(ctx, args[1:], stdout, stderr)
	case "version", "--version":
		fmt.Fprintln(stdout, "shipgate", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "shipgate: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func cmdServe(ctx context.Context, args []string, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file (YAML); default $SHIPGATE_CONFIG, else the embedded sandbox default")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := loadConfig(*configPath, lookupEnv)
	if err != nil {
		fmt.Fprintf(stderr, "shipgate: %v\n", err)
		return 1
	}
	log := newLogger(stderr, cfg.LogLevel)
	app, err := newApp(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "shipgate: %v\n", err)
		return 1
	}
	defer app.Close()
	if err := app.Listen(); err != nil {
		fmt.Fprintf(stderr, "shipgate: %v\n", err)
		return 1
	}
	if err := app.Serve(ctx); err != nil {
		fmt.Fprintf(stderr, "shipgate: %v\n", err)
		return 1
	}
	return 0
}
