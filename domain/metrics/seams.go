package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// SyncRun records one mirror sync run (the syncer's OnRun hook).
func (m *Metrics) SyncRun(run db.SyncRun) {
	if m == nil {
		return
	}
	m.syncRuns[run.OK].Inc()
	if run.OK {
		m.syncLastGood.Set(float64(run.FinishedAt.UnixNano()) / 1e9)
		m.mu.Lock()
		m.lastGood = run.FinishedAt
		m.mu.Unlock()
	}
}

func (m *Metrics) syncAge() float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.lastGood.IsZero() {
		return -1
	}
	return time.Since(m.lastGood).Seconds()
}

// UpstreamCall records one call to the Smart Home API (the client's WithCallHook).
func (m *Metrics) UpstreamCall(c smarthome.Call) {
	if m == nil {
		return
	}
	m.upstream.WithLabelValues(c.Method, c.Route, c.Outcome).Inc()
	m.upstreamDur.WithLabelValues(c.Method, c.Route).Observe(c.Duration.Seconds())
}

// Login records one login or token refresh at the Smart Home API (the client's WithLoginHook); /readyz reads the
// last one back with LastLogin.
func (m *Metrics) Login(err error) {
	if m == nil {
		return
	}
	m.logins[err == nil].Inc()
	m.mu.Lock()
	m.loginAt, m.loginErr = time.Now(), err
	m.mu.Unlock()
}

// LastLogin returns when the last login or token refresh was reported and its error; a zero time: none yet.
func (m *Metrics) LastLogin() (time.Time, error) {
	if m == nil {
		return time.Time{}, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.loginAt, m.loginErr
}

// Opened, Acknowledged and Resolved count alert changes: a Metrics is an alerts.Notifier.
func (m *Metrics) Opened(context.Context, db.Alert) { m.alert("opened") }

// Acknowledged counts an acknowledged alert.
func (m *Metrics) Acknowledged(context.Context, db.Alert) { m.alert("acknowledged") }

// Resolved counts a resolved alert.
func (m *Metrics) Resolved(context.Context, db.Alert) { m.alert("resolved") }

func (m *Metrics) alert(event string) {
	if m != nil {
		m.alerts.WithLabelValues(event).Inc()
	}
}

// commandNotifier is commands.Notifier, named here by its methods so metrics need not import the tracker.
type commandNotifier interface {
	ListChanged(ctx context.Context, c db.Command)
	DeviceChanged(ctx context.Context, dev db.Device)
	MQTTChanged(ctx context.Context, hub db.Hub, r *smarthome.MQTTResponse)
}

// Commands wraps the command tracker's notifier so that every record created or ended is counted by status.
func (m *Metrics) Commands(next commandNotifier) commandNotifier {
	return countedCommands{commandNotifier: next, m: m}
}

type countedCommands struct {
	commandNotifier
	m *Metrics
}

func (c countedCommands) ListChanged(ctx context.Context, cmd db.Command) {
	if c.m != nil {
		status := cmd.Status
		switch status {
		case db.CommandPending, db.CommandSucceeded, db.CommandFailed:
		default:
			status = "other"
		}
		c.m.commands.WithLabelValues(status).Inc()
	}
	c.commandNotifier.ListChanged(ctx, cmd)
}

// Gauge registers a gauge read at each scrape from fn (the SSE broker's subscribers, the journal's lag). A name
// registered twice keeps the first: a second server in one process must not panic the registry.
func (m *Metrics) Gauge(name, help string, fn func() float64) {
	m.registerFunc(name, func() prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn)
	})
}

// Counter registers a counter read at each scrape from fn, which must never decrease.
func (m *Metrics) Counter(name, help string, fn func() float64) {
	m.registerFunc(name, func() prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, fn)
	})
}

func (m *Metrics) registerFunc(name string, c func() prometheus.Collector) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.funcsOnce[name] {
		return
	}
	m.funcsOnce[name] = true
	m.reg.MustRegister(c())
}

// factory registers collectors as it makes them.
type factory struct{ reg *prometheus.Registry }

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) gauge(name, help string) prometheus.Gauge {
	g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	f.reg.MustRegister(g)
	return g
}

func (f factory) histogram(name, help string, buckets []float64) prometheus.Histogram {
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets})
	f.reg.MustRegister(h)
	return h
}

func (f factory) histogramVec(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(h)
	return h
}
