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

// firstLogin logs in to the upstream once at start, retrying (5 s doubling to 1 min) until it works, so that
// /readyz knows the credentials on every instance: on PostgreSQL only the leader syncs, and a follower would
// otherwise make no upstream call, and so no login, until a person acted on it.
func firstLogin(login func(context.Context) error) func(context.Context) {
	return func(ctx context.Context) {
		for wait := 5 * time.Second; ; wait = min(2*wait, time.Minute) {
			if login(ctx) == nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
		}
	}
}
