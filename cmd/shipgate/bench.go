package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/shipgate/shipgate/api"
	"github.com/shipgate/shipgate/carriers/sandbox"
)

// cmdBench runs the end-to-end benchmark scenarios of DESIGN.md section 7:
// gateways and their carriers in this process, load over loopback HTTP, each
// scenario beside its baseline in the same run.
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dur := fs.Duration("duration", 3*time.Second, "how long each scenario runs")
	conc := fs.Int("concurrency", 32, "concurrent clients for the throughput scenarios")
	pg := fs.String("postgres", os.Getenv("SHIPGATE_BENCH_POSTGRES_URL"), "PostgreSQL URL for the storage scenarios (default $SHIPGATE_BENCH_POSTGRES_URL; empty: SQLite only)")
	only := fs.String("only", "", "comma-separated scenarios to run (cached,fanout,down,coalescing,labels,tracking)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	b := &bench{ctx: ctx, dur: *dur, conc: *conc, out: stderr}
	want := func(name string) bool { return *only == "" || slices.Contains(strings.Split(*only, ","), name) }
	var rows []benchRow
	run := func(name string, f func() ([]benchRow, error)) bool {
		if !want(name) {
			return true
		}
		fmt.Fprintf(stderr, "running %s...\n", name)
		r, err := f()
		if err != nil {
			fmt.Fprintf(stderr, "shipgate bench: %s: %v\n", name, err)
			return false
		}
		rows = append(rows, r...)
		return true
	}
	ok := run("cached", b.cached) && run("fanout", b.fanout) && run("down", b.down) && run("coalescing", b.coalescing)
	dbs := []string{"sqlite"}
	if *pg != "" {
		dbs = append(dbs, "postgres")
	}
	for _, db := range dbs {
		url := *pg
		if db == "sqlite" {
			dir, err := os.MkdirTemp("", "shipgate-bench")
			if err != nil {
				fmt.Fprintln(stderr, err)
				return 1
			}
			defer os.RemoveAll(dir)
			url = "sqlite://" + filepath.Join(dir, "bench.db")
		}
		ok = ok && run("labels", func() ([]benchRow, error) { return b.labels(db, url) }) &&
			run("tracking", func() ([]benchRow, error) { return b.tracking(db, url) })
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\trequests\treq/s\tp50\tp99\tbaseline\tnotes")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%s\t%s\t%s\t%s\n", r.name, r.n, r.rps, ms(r.p50), ms(r.p99), r.baseline, r.notes)
	}
	tw.Flush()
	if !ok {
		return 1
	}
	return 0
}

type benchRow struct {
	name     string
	n        int
	rps      float64
	p50, p99 time.Duration
	baseline string
	notes    string
}

func ms(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond))
}

type bench struct {
	ctx  context.Context
	dur  time.Duration
	conc int
	out  io.Writer
}

// gateway starts a gateway with the given configuration (YAML without addr).
func (b *bench) gateway(yaml string) (string, *App, func(), error) {
	dir, err := os.MkdirTemp("", "shipgate-bench")
	if err != nil {
		return "", nil, nil, err
	}
	if !strings.Contains(yaml, "database_url") {
		yaml = "database_url: sqlite://" + filepath.Join(dir, "db.sqlite") + "\n" + yaml
	}
	p := filepath.Join(dir, "shipgate.yaml")
	if err := os.WriteFile(p, []byte("addr: 127.0.0.1:0\nlog_level: error\n"+yaml), 0o600); err != nil {
		return "", nil, nil, err
	}
	cfg, err := loadConfig(p, func(string) (string, bool) { return "", false })
	if err != nil {
		return "", nil, nil, err
	}
	app, err := newApp(b.ctx, cfg, newLogger(io.Discard, "error"))
	if err != nil {
		return "", nil, nil, err
	}
	if err := app.Listen(); err != nil {
		app.Close()
		return "", nil, nil, err
	}
	ctx, cancel := context.WithCancel(b.ctx)
	done := make(chan struct{})
	go func() { _ = app.Serve(ctx); close(done) }()
	return "http://" + app.Addr(), app, func() { cancel(); <-done; app.Close(); os.RemoveAll(dir) }, nil
}

// result is what a load run measured.
type result struct {
	n       int
	errs    int
	elapsed time.Duration
	lat     []time.Duration
}

func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(len(r.lat)-1, int(float64(len(r.lat))*p))]
}

func (r result) rps() float64 { return float64(r.n) / r.elapsed.Seconds() }

var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024, MaxIdleConns: 1024, DialContext: (&net.Dialer{}).DialContext}, Timeout: 30 * time.Second}

// load sends requests from conc workers for dur; req(i) builds the i-th request.
func (b *bench) load(conc int, dur time.Duration, req func(i int64) (*http.Request, error)) result {
	var next atomic.Int64
	var mu sync.Mutex
	var all []time.Duration
	var errs atomic.Int64
	start := time.Now()
	deadline := start.Add(dur)
	var wg sync.WaitGroup
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			for time.Now().Before(deadline) && b.ctx.Err() == nil {
				r, err := req(next.Add(1))
				if err != nil {
					errs.Add(1)
					continue
				}
				t0 := time.Now()
				res, err := benchClient.Do(r)
				if err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if res.StatusCode >= 300 {
						err = fmt.Errorf("status %d", res.StatusCode)
					}
				}
				if err != nil {
					errs.Add(1)
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(all)
	return result{n: len(all), errs: int(errs.Load()), elapsed: time.Since(start), lat: all}
}

// quoteBody is a quote whose parcel weight makes it distinct (unique per i)
// or always the same (i = 0).
func quoteBody(i int64) []byte {
	w := 2.0
	if i > 0 {
		w = 1 + float64(i%100000)/1000
	}
	return []byte(fmt.Sprintf(`{"shipment":{"from":{"street1":"1 Main St","city":"Atlanta","state":"GA","postal_code":"30309","country":"US"},`+
		`"to":{"street1":"500 Market St","city":"San Francisco","state":"CA","postal_code":"94105","country":"US"},`+
		`"parcels":[{"weight":{"value":%g,"unit":"lb"},"dimensions":{"length":12,"width":9,"height":4,"unit":"in"}}]}}`, w))
}

func benchPost(url string, body []byte, hdr ...string) (*http.Request, error) {
	r, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	return r, nil
}

// cached: one identical quote served from the cache, beside a bare echo
// handler answering the same bytes.
func (b *bench) cached() ([]benchRow, error) {
	base, _, stop, err := b.gateway("accounts: [{id: sandbox, carrier: sandbox}]\n")
	if err != nil {
		return nil, err
	}
	defer stop()
	body := quoteBody(0)
	res, err := benchClient.Post(base+"/v1/rates", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: api.Baseline("/v1/rates", answer)}
	go srv.Serve(ln)
	defer srv.Close()
	bare := b.load(b.conc, b.dur, func(int64) (*http.Request, error) { return benchPost("http://"+ln.Addr().String()+"/v1/rates", body) })
	got := b.load(b.conc, b.dur, func(int64) (*http.Request, error) { return benchPost(base+"/v1/rates", body) })
	return []benchRow{
		{name: "cached quote", n: got.n, rps: got.rps(), p50: got.pct(.5), p99: got.pct(.99),
			baseline: fmt.Sprintf("bare echo %.0f req/s p99 %s", bare.rps(), ms(bare.pct(.99))),
			notes:    fmt.Sprintf("%.0f%% of bare echo throughput, %d B answer, %d errors", 100*got.rps()/bare.rps(), len(answer), got.errs)},
	}, nil
}

// fanout: four accounts answering in 100ms each, a new shipment every request.
func (b *bench) fanout() ([]benchRow, error) {
	var cfg strings.Builder
	cfg.WriteString("accounts:\n")
	for i := 1; i <= 4; i++ {
		fmt.Fprintf(&cfg, "  - { id: sb%d, carrier: sandbox, options: { latency: 100ms } }\n", i)
	}
	base, _, stop, err := b.gateway(cfg.String())
	if err != nil {
		return nil, err
	}
	defer stop()
	r := b.load(8, b.dur, func(i int64) (*http.Request, error) { return benchPost(base+"/v1/rates", quoteBody(i)) })
	return []benchRow{{name: "fan-out 4 x 100ms", n: r.n, rps: r.rps(), p50: r.pct(.5), p99: r.pct(.99),
		baseline: "slowest carrier 100ms", notes: fmt.Sprintf("sequential calls would take 400ms; %d errors", r.errs)}}, nil
}

// down: three healthy accounts and one that never answers, once its breaker
// is open, against the three healthy ones alone.
func (b *bench) down() ([]benchRow, error) {
	healthy := "  - { id: a, carrier: sandbox, options: { latency: 20ms } }\n  - { id: b, carrier: sandbox, options: { latency: 20ms } }\n  - { id: c, carrier: sandbox, options: { latency: 20ms } }\n"
	base, _, stop, err := b.gateway("accounts:\n" + healthy)
	if err != nil {
		return nil, err
	}
	ref := b.load(8, b.dur, func(i int64) (*http.Request, error) { return benchPost(base+"/v1/rates", quoteBody(i)) })
	stop()
	base, app, stop, err := b.gateway("accounts:\n" + healthy + "  - { id: dead, carrier: sandbox, options: { mode: timeout }, timeout: 300ms, breaker: { consecutive_failures: 3, open_for: 1h } }\n")
	if err != nil {
		return nil, err
	}
	defer stop()
	e, _ := app.registry.Lookup("dead")
	for i := int64(1); e.Health.BreakerStates()["rates"] != "open"; i++ {
		if i > 50 {
			return nil, fmt.Errorf("the dead account's breaker did not open")
		}
		r, _ := benchPost(base+"/v1/rates", quoteBody(1_000_000+i))
		if res, err := benchClient.Do(r); err == nil {
			res.Body.Close()
		}
	}
	r := b.load(8, b.dur, func(i int64) (*http.Request, error) { return benchPost(base+"/v1/rates", quoteBody(i)) })
	return []benchRow{{name: "one carrier down (breaker open)", n: r.n, rps: r.rps(), p50: r.pct(.5), p99: r.pct(.99),
		baseline: fmt.Sprintf("healthy only p99 %s", ms(ref.pct(.99))), notes: fmt.Sprintf("the dead account answers at once; %d errors", r.errs)}}, nil
}

// coalescing: N identical concurrent quotes and the carrier calls they made.
func (b *bench) coalescing() ([]benchRow, error) {
	base, app, stop, err := b.gateway("accounts: [{id: sandbox, carrier: sandbox, options: {latency: 200ms}}]\n")
	if err != nil {
		return nil, err
	}
	defer stop()
	const n = 200
	var wg sync.WaitGroup
	lat := make([]time.Duration, n)
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, _ := benchPost(base+"/v1/rates", quoteBody(0))
			t0 := time.Now()
			if res, err := benchClient.Do(r); err == nil {
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
			lat[i] = time.Since(t0)
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	calls := app.metrics.CarrierRequests("sandbox", "sandbox", "rates", "ok")
	return []benchRow{{name: fmt.Sprintf("coalescing %d identical", n), n: n, rps: float64(n) / time.Since(start).Seconds(), p50: lat[n/2], p99: lat[n*99/100],
		baseline: "1 carrier call ideal", notes: fmt.Sprintf("%.0f carrier call(s) made", calls)}}, nil
}

// labels: purchases with a new key each, against the sandbox at zero latency.
func (b *bench) labels(db, url string) ([]benchRow, error) {
	base, _, stop, err := b.gateway("database_url: " + url + "\naccounts: [{id: sandbox, carrier: sandbox}]\n")
	if err != nil {
		return nil, err
	}
	defer stop()
	sh := string(quoteBody(0))
	sh = sh[len(`{"shipment":`) : len(sh)-1]
	body := []byte(`{"shipment":` + sh + `,"account":"sandbox","service":"sandbox_ground","label_format":"zpl"}`)
	run := time.Now().UnixNano()
	r := b.load(8, b.dur, func(i int64) (*http.Request, error) {
		return benchPost(base+"/v1/labels", body, "Idempotency-Key", fmt.Sprintf("bench-%d-%d", run, i))
	})
	return []benchRow{{name: "label purchase (" + db + ")", n: r.n, rps: r.rps(), p50: r.pct(.5), p99: r.pct(.99),
		baseline: "-", notes: fmt.Sprintf("each renders PDF, ZPL and PNG and stores them; %d errors", r.errs)}}, nil
}

// tracking: trackers created for new numbers (a carrier call and a database
// write each), then GET /v1/tracking on them (mostly cache hits).
func (b *bench) tracking(db, url string) ([]benchRow, error) {
	base, _, stop, err := b.gateway("database_url: " + url + "\naccounts: [{id: sandbox, carrier: sandbox}]\n")
	if err != nil {
		return nil, err
	}
	defer stop()
	numbers := make([]string, 1000)
	for i := range numbers {
		numbers[i] = sandbox.NewTrackingNumber(time.Now().Add(-time.Duration(i) * time.Minute))
	}
	var made atomic.Int64
	create := b.load(8, b.dur, func(i int64) (*http.Request, error) {
		made.Add(1)
		n := sandbox.NewTrackingNumber(time.Now().Add(-time.Duration(i) * time.Second))
		return benchPost(base+"/v1/trackers", []byte(`{"carrier":"sandbox","tracking_number":"`+n+`"}`))
	})
	get := b.load(b.conc, b.dur, func(i int64) (*http.Request, error) {
		return http.NewRequest(http.MethodGet, base+"/v1/tracking/sandbox/"+numbers[i%int64(len(numbers))], nil)
	})
	return []benchRow{
		{name: "tracker create (" + db + ")", n: create.n, rps: create.rps(), p50: create.pct(.5), p99: create.pct(.99), baseline: "-", notes: fmt.Sprintf("%d errors", create.errs)},
		{name: "tracking GET (" + db + ")", n: get.n, rps: get.rps(), p50: get.pct(.5), p99: get.pct(.99), baseline: "-", notes: fmt.Sprintf("1000 numbers, cached by status; %d errors", get.errs)},
	}, nil
}
