// Package metrics holds shipgate's Prometheus metrics and is the only package
// importing the Prometheus client. Its Metrics value implements the observer
// interfaces the other packages declare (carriers.CallObserver, the breaker's
// and the cache's Observer), so they never see Prometheus.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/shipgate/shipgate/carriers"
)

// Metrics is one registry of shipgate metrics.
type Metrics struct {
	reg *prometheus.Registry

	carrierRequests *prometheus.CounterVec
	carrierDuration *prometheus.HistogramVec
	breakerState    *prometheus.GaugeVec
	cacheRequests   *prometheus.CounterVec
	httpDuration    *prometheus.HistogramVec
	labelPurchases  *prometheus.CounterVec
	unmapped        *prometheus.CounterVec
}

// New returns a registry with every shipgate metric and the Go runtime's.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.carrierRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "shipgate_carrier_requests_total",
		Help: "Outbound carrier calls by account, carrier, operation (rates, labels, void, tracking, oauth) and outcome (ok or an error code). Cached, coalesced and breaker-refused requests are not calls.",
	}, []string{"account", "carrier", "operation", "outcome"})
	m.carrierDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "shipgate_carrier_request_duration_seconds",
		Help:    "Duration of outbound carrier calls.",
		Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"account", "carrier", "operation"})
	m.breakerState = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "shipgate_breaker_state",
		Help: "Circuit breaker state per account and operation: 0 closed, 1 half-open, 2 open.",
	}, []string{"account", "operation"})
	m.cacheRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "shipgate_cache_requests_total",
		Help: "Cache lookups by kind (rates, tracking) and result (hit, miss, stale, error).",
	}, []string{"kind", "result"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "shipgate_http_request_duration_seconds",
		Help:    "Duration of API requests by method, route and status.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"method", "route", "status"})
	m.labelPurchases = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "shipgate_label_purchases_total",
		Help: "Label purchase requests by account and outcome (purchased, failed, in_doubt, replayed, conflict).",
	}, []string{"account", "outcome"})
	m.unmapped = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "shipgate_tracking_unmapped_total",
		Help: "Carrier tracking codes shipgate could not map to a normalized status (reported as unknown).",
	}, []string{"carrier", "code"})
	m.reg.MustRegister(m.carrierRequests, m.carrierDuration, m.breakerState, m.cacheRequests, m.httpDuration, m.labelPurchases, m.unmapped,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveCall counts one outbound carrier call (carriers.CallObserver).
func (m *Metrics) ObserveCall(c carriers.Call) {
	m.carrierRequests.WithLabelValues(c.Account, c.Carrier, c.Operation, c.Outcome).Inc()
	m.carrierDuration.WithLabelValues(c.Account, c.Carrier, c.Operation).Observe(c.Duration.Seconds())
}

// BreakerStateChanged records a breaker's new state (breaker.Observer).
func (m *Metrics) BreakerStateChanged(account, operation, state string) {
	v := 0.0
	switch state {
	case "half_open":
		v = 1
	case "open":
		v = 2
	}
	m.breakerState.WithLabelValues(account, operation).Set(v)
}

// CacheResult counts one cache lookup (cache.Observer).
func (m *Metrics) CacheResult(kind, result string) {
	m.cacheRequests.WithLabelValues(kind, result).Inc()
}

// ObserveHTTP records one API request.
func (m *Metrics) ObserveHTTP(method, route string, status int, d time.Duration) {
	m.httpDuration.WithLabelValues(method, route, strconv.Itoa(status)).Observe(d.Seconds())
}

// CarrierRequests returns the current value of shipgate_carrier_requests_total
// for one label set (tests and the benchmark read it).
func (m *Metrics) CarrierRequests(account, carrier, operation, outcome string) float64 {
	c, err := m.carrierRequests.GetMetricWithLabelValues(account, carrier, operation, outcome)
	if err != nil {
		return 0
	}
	return counterValue(c)
}

// LabelPurchase counts one purchase request (labels.Observer).
func (m *Metrics) LabelPurchase(account, outcome string) {
	m.labelPurchases.WithLabelValues(account, outcome).Inc()
}

// GaugeFunc registers a gauge whose value is read when metrics are scraped
// (the number of labels in doubt, counted in the database).
func (m *Metrics) GaugeFunc(name, help string, f func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f))
}

// TrackingUnmapped counts one carrier code that has no normalized status (tracking.Observer).
func (m *Metrics) TrackingUnmapped(carrier, code string) {
	m.unmapped.WithLabelValues(carrier, code).Inc()
}
