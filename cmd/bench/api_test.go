package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/handlers"
)

// BenchmarkAPIActivities times GET /api/v1/activities next to the /activities page it mirrors, on a log of
// 50,000 rows filled as the bench child fills its 1,000,000 (make bench measures that one):
//
//	go test -run '^$' -bench APIActivities -benchtime 1x ./cmd/bench
//
// It reports each call's p50 and p95 over 50 runs.
func BenchmarkAPIActivities(b *testing.B) {
	ctx := context.Background()
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	store, err := db.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer store.Close()
	deps, _, closeDeps, err := wire(ctx, logger, store, 20)
	if err != nil {
		b.Fatal(err)
	}
	defer closeDeps()
	rd := ready{}
	if rd.Targets, err = mirrorTargets(ctx, store); err != nil {
		b.Fatal(err)
	}
	if _, err := fillActivities(ctx, store, rd.Targets, 50_000); err != nil {
		b.Fatal(err)
	}
	if rd.APIToken, err = benchAPIToken(ctx, store); err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(handlers.NewServer(deps, handlers.Options{APIRate: benchAPIRate}))
	defer srv.Close()
	rd.API = srv.URL
	for range b.N {
		api, err := timeAPI(ctx, rd, 50)
		if err != nil {
			b.Fatal(err)
		}
		pages, err := timePages(ctx, rd, 50)
		if err != nil {
			b.Fatal(err)
		}
		for _, set := range []struct {
			kind string
			qs   []queryResult
		}{{"api", api}, {"page", pages}} {
			for _, q := range set.qs {
				b.Logf("%s %-34s rows %3d  p50 %6.2f ms  p95 %6.2f ms", set.kind, q.Name, q.Rows, q.P50ms, q.P95ms)
			}
		}
	}
}
