// Package metrics is the dashboard's Prometheus instrumentation: one Metrics per process, on its own registry (not
// the global default, so tests and several servers in one process stay apart), fed at the seams by hooks that
// cmd/web wires (the smarthome client's, the store's, the syncer's) and read by GET /metrics.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds every collector. Its methods are safe for concurrent use, and a nil *Metrics records nothing, so
// code built without one (tools, tests) needs no checks.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	webhooks     map[string]prometheus.Counter // by result, precomputed: the hot path looks up no labels
	ingestSize   prometheus.Histogram
	ingestCommit prometheus.Histogram
	ingestFailed prometheus.Counter
	syncRuns     map[bool]prometheus.Counter
	syncLastGood prometheus.Gauge
	upstream     *prometheus.CounterVec
	upstreamDur  *prometheus.HistogramVec
	logins       map[bool]prometheus.Counter
	alerts       *prometheus.CounterVec
	commands     *prometheus.CounterVec

	mu        sync.Mutex
	loginAt   time.Time // the last login or token refresh that reported; zero: none yet
	loginErr  error
	lastGood  time.Time // the last good sync this process ran
	funcsOnce map[string]bool
}

// Webhook results, as the receiver's answer names them (stored is counted as accepted).
var webhookResults = []string{"accepted", "duplicate", "kept", "rejected", "unavailable", "unreadable"}

// New returns a Metrics with every collector registered, plus the Go runtime's and the process's.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), webhooks: map[string]prometheus.Counter{},
		funcsOnce: map[string]bool{}}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	f := factory{m.reg}
	m.httpRequests = f.counterVec("dashboard_http_requests_total", "HTTP requests answered, by route pattern and status.", "route", "status")
	m.httpDuration = f.histogramVec("dashboard_http_request_duration_seconds", "Time to answer an HTTP request, by route pattern (streams excluded).",
		prometheus.DefBuckets, "route")
	wh := f.counterVec("dashboard_webhook_deliveries_total", "Webhook deliveries, by what became of them.", "result")
	for _, r := range webhookResults {
		m.webhooks[r] = wh.WithLabelValues(r)
	}
	m.ingestSize = f.histogram("dashboard_ingest_batch_size", "Deliveries per group-commit transaction.",
		prometheus.ExponentialBuckets(1, 4, 6)) // 1 … 1024, the writer's largest batch
	m.ingestCommit = f.histogram("dashboard_ingest_commit_seconds", "Time to write and commit one group-commit batch.",
		prometheus.ExponentialBuckets(0.0005, 2, 14)) // 0.5 ms … 4 s
	m.ingestFailed = f.counter("dashboard_ingest_batch_failures_total", "Group-commit batches that failed.")
	runs := f.counterVec("dashboard_sync_runs_total", "Mirror sync runs, by outcome.", "outcome")
	m.syncRuns = map[bool]prometheus.Counter{true: runs.WithLabelValues("ok"), false: runs.WithLabelValues("failed")}
	m.syncLastGood = f.gauge("dashboard_sync_last_success_timestamp_seconds", "When this process's last good mirror sync finished (Unix time; 0: none yet).")
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "dashboard_sync_last_success_age_seconds",
		Help: "Seconds since this process's last good mirror sync finished (-1: none yet)."}, m.syncAge))
	m.upstream = f.counterVec("dashboard_upstream_requests_total", "Calls to the Smart Home API, by method, route template and outcome.",
		"method", "route", "outcome")
	m.upstreamDur = f.histogramVec("dashboard_upstream_request_duration_seconds", "Time of a call to the Smart Home API (retries included).",
		prometheus.DefBuckets, "method", "route")
	logins := f.counterVec("dashboard_upstream_logins_total", "Logins and token refreshes at the Smart Home API, by outcome.", "outcome")
	m.logins = map[bool]prometheus.Counter{true: logins.WithLabelValues("ok"), false: logins.WithLabelValues("failed")}
	m.alerts = f.counterVec("dashboard_alerts_total", "Alert changes: opened, acknowledged, resolved.", "event")
	m.commands = f.counterVec("dashboard_commands_total", "Hardware command records created (pending) or ended (succeeded, failed).", "status")
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the private registry, for tests that gather it directly.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// statusText holds "100" … "599", so a request's status label allocates nothing.
var statusText = func() []string {
	s := make([]string, 600)
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

// HTTPRequest counts one answered request. route is the mux pattern (r.Pattern, e.g. "GET /devices/{id}"), never
// the path: ids in labels would grow without bound. streaming leaves the duration out (an SSE stream lasts hours).
func (m *Metrics) HTTPRequest(route string, status int, d time.Duration, streaming bool) {
	if m == nil {
		return
	}
	if route == "" {
		route = "unmatched" // refused before the mux (cross-origin protection)
	}
	code := "other"
	if status >= 100 && status < len(statusText) {
		code = statusText[status]
	}
	m.httpRequests.WithLabelValues(route, code).Inc()
	if !streaming {
		m.httpDuration.WithLabelValues(route).Observe(d.Seconds())
	}
}

// Webhook counts one delivery by the receiver's answer: stored, duplicate, kept, rejected, unavailable, unreadable.
func (m *Metrics) Webhook(status string) {
	if m == nil {
		return
	}
	if status == "stored" {
		status = "accepted"
	}
	if c, ok := m.webhooks[status]; ok {
		c.Inc()
	}
}

// IngestBatch records one group-commit batch.
func (m *Metrics) IngestBatch(items int, took time.Duration, ok bool) {
	if m == nil {
		return
	}
	if !ok {
		m.ingestFailed.Inc()
		return
	}
	m.ingestSize.Observe(float64(items))
	m.ingestCommit.Observe(took.Seconds())
}
