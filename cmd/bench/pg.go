package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/keyless/dashboard/db/pgtest"
)

// The PostgreSQL figures come from one durable cluster started for the run (pgtest.StartWith: fsync,
// synchronous_commit and full_page_writes on, its data on the working directory's disk beside the SQLite files),
// and from children wired as cmd/web wires an instance with DATABASE_URL: the same server, plus the live fan-out
// across instances. Each part gets a database of its own.

// pgReport is the PostgreSQL side of a run.
type pgReport struct {
	Skipped string // why PostgreSQL was not measured; the rest is empty then
	Server  string // version and durability settings (pgtest.Describe)

	One, Two throughput // ingest with one instance; with two on one database, senders split over both
	SSE      *sseResult // subscribers split over two instances, webhooks posted to the first
	Log      *logResult

	cluster *pgtest.Cluster
	dir     string
}

// startPostgres starts the run's durable cluster. PostgreSQL not installed is no error: the report says so.
func startPostgres(ctx context.Context) (*pgReport, error) {
	// The cluster's folder lives in one of our own, readable by the server's user (it runs as postgres when we
	// are root), and matched by .gitignore's /.bench-* like the SQLite children's.
	dir, err := os.MkdirTemp(".", ".bench-pg-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c, err := pgtest.StartWith(pgtest.Options{Durable: true, Dir: dir})
	if errors.Is(err, pgtest.ErrMissing) {
		os.RemoveAll(dir)
		return &pgReport{Skipped: err.Error()}, nil
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	pg := &pgReport{cluster: c, dir: dir}
	if pg.Server, err = c.Describe(ctx); err != nil {
		pg.stop()
		return nil, err
	}
	return pg, nil
}

func (pg *pgReport) running() bool { return pg != nil && pg.cluster != nil }

func (pg *pgReport) stop() {
	if pg.running() {
		pg.cluster.Stop()
		os.RemoveAll(pg.dir)
		pg.cluster = nil
	}
}

// measurePGIngestAndSSE runs the ingest load on one PostgreSQL instance, then on two sharing its database, then
// the fan-out across those two.
func measurePGIngestAndSSE(ctx context.Context, rep *report, o options, stdout io.Writer) error {
	pg := rep.PG
	if !pg.running() {
		return nil
	}
	url, err := pg.cluster.CreateDatabase(ctx, "bench_ingest")
	if err != nil {
		return err
	}
	a, rdA, err := startChild(ctx, o, 0, url)
	if err != nil {
		return fmt.Errorf("PostgreSQL instance A: %w", err)
	}
	defer a.stop()
	body := func(rd ready) func(int64) []byte {
		return func(i int64) []byte { return webhookBody(rd.Targets, i, time.Now()) }
	}
	pg.One = runHookLoad(ctx, "POST /webhooks/smarthome (PostgreSQL, one instance)", []string{rdA.hookURL()}, rdA.API, o.concurrency,
		o.ingestFor, body(rdA))
	fmt.Fprintf(stdout, "  %s: %.0f/s; %s\n", pg.One.Name, pg.One.PerSec, pg.One.Lag)
	b, rdB, err := startChild(ctx, o, 0, url) // after the load: its mirror sync is not measured beside it
	if err != nil {
		return fmt.Errorf("PostgreSQL instance B: %w", err)
	}
	defer b.stop()
	pg.Two = runHookLoad(ctx, "POST /webhooks/smarthome (PostgreSQL, two instances, total)", []string{rdA.hookURL(), rdB.hookURL()}, rdA.API,
		o.concurrency, o.ingestFor, body(rdA))
	fmt.Fprintf(stdout, "  %s: %.0f/s, %d errors %s; %s\n", pg.Two.Name, pg.Two.PerSec, pg.Two.Errors, pg.Two.FirstError, pg.Two.Lag)
	fmt.Fprintf(stdout, "sse across instances: %d subscribers on A and B, %d deliveries at %d/s to A\n", o.subscribers, o.deliveries, o.rate)
	sse, err := runSSE(ctx, []ready{rdA, rdB}, []string{"A (receives the webhooks)", "B (the other instance)"}, benchToken,
		o.subscribers, o.deliveries, o.rate)
	if err != nil {
		return fmt.Errorf("sse across instances: %w", err)
	}
	for _, in := range sse.Instances {
		fmt.Fprintf(stdout, "  %s: p50 %.1f ms, p99 %.1f ms, %d/%d received\n", in.Name, in.P50ms, in.P99ms, in.Received, in.Expected)
	}
	pg.SSE = &sse
	return nil
}

// measurePGLog fills a PostgreSQL database with o.rows activities through one child's store and times the same
// queries, pages and exports as on SQLite.
func measurePGLog(ctx context.Context, rep *report, o options, stdout io.Writer) error {
	pg := rep.PG
	if !pg.running() {
		return nil
	}
	fmt.Fprintf(stdout, "activity log on PostgreSQL: filling %d rows\n", o.rows)
	url, err := pg.cluster.CreateDatabase(ctx, "bench_log")
	if err != nil {
		return err
	}
	child, rd, err := startChild(ctx, o, o.rows, url)
	if err != nil {
		return err
	}
	defer child.stop()
	// CSV only, the export with a target: JSON streams the same rows through the same query.
	if pg.Log, err = timeLog(ctx, rd, []string{"csv"}, stdout); err != nil {
		return err
	}
	pg.Log.Fill.DBBytes, err = pg.cluster.DatabaseSize(ctx, "bench_log")
	return err
}

// wantsPostgres says whether the parts to run include a PostgreSQL one.
func wantsPostgres(only string) bool { return only == "" || only == "ingest" || only == "log" }
