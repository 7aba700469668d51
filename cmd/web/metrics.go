package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/metrics"
)

// newMetrics returns the process's metrics, fed by the store's group-commit writer; start wires the other seams
// (the smarthome client's hooks, the syncer, the alerts, the command tracker, the server).
func newMetrics(store *db.Store) *metrics.Metrics {
	m := metrics.New()
	store.OnIngestBatch(func(b db.IngestBatch) { m.IngestBatch(b.Items, b.Took, b.OK) })
	return m
}

// listenMetrics binds METRICS_ADDR, when set: a listener of its own (e.g. 127.0.0.1:9090, or an address only the
// monitoring network reaches) that serves GET /metrics with no token. run serves it beside the main listener.
func (a *app) listenMetrics(cfg Config, m *metrics.Metrics) error {
	if cfg.MetricsAddr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", cfg.MetricsAddr)
	if err != nil {
		return fmt.Errorf("METRICS_ADDR: %w", err)
	}
	a.closers = append(a.closers, func() { ln.Close() })
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	a.metricsLn = ln
	a.metricsSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second,
		IdleTimeout: 2 * time.Minute}
	return nil
}

// keepLoggedIn keeps /readyz's upstream check honest on every instance: on PostgreSQL only the leader syncs, and
// a follower would otherwise make no upstream call, and so no login, until a person acted on it. While no login
// has worked yet, or the last one failed, it logs in (5 s, doubling to 1 min, between tries); otherwise it only
// looks once a minute, and the client's own logins (token expiry, a 401) keep the state current.
func keepLoggedIn(m *metrics.Metrics, login func(context.Context) error) func(context.Context) {
	return func(ctx context.Context) {
		wait := 5 * time.Second
		for {
			if at, err := m.LastLogin(); at.IsZero() || err != nil {
				if login(ctx) == nil {
					wait = 5 * time.Second
				} else {
					wait = min(2*wait, time.Minute)
				}
			} else {
				wait = time.Minute
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
	}
}
