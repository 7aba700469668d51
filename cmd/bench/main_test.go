package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db/pgtest"
)

// TestMain doubles as the server child: startChild runs os.Args[0] -serve, which in a test is this binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "-serve" {
		main()
		return
	}
	os.Exit(pgtest.Main(m))
}

// TestSmokeRun runs the whole bench in miniature (a few properties, rows and subscribers, fractions of a second of
// load) and checks the report has every section, PostgreSQL's included. With CI=true a missing PostgreSQL fails it,
// as pgtest does: the PostgreSQL path must be proved, not skipped.
func TestSmokeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server children and a PostgreSQL cluster")
	}
	out := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	var stdout bytes.Buffer
	args := []string{os.Args[0], "-out", out, "-ingest-for", "300ms", "-concurrency", "8", "-subscribers", "6",
		"-deliveries", "5", "-rate", "50", "-rows", "300", "-query-runs", "5", "-properties", "4", "-portfolio", "4", "-page-clients", "2",
		"-pages-for", "200ms"}
	if err := run(args, &stdout); err != nil {
		t.Fatalf("run: %v\n%s", err, stdout.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	if strings.Contains(md, "| PostgreSQL | not measured") {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL was skipped under CI=true:\n%s", stdout.String())
		}
		t.Skip("PostgreSQL is not installed: only the SQLite figures were checked")
	}
	for _, want := range []string{
		"| PostgreSQL | PostgreSQL 1", "fsync=on", "synchronous_commit=on",
		"(PostgreSQL, one instance) |", "(PostgreSQL, two instances, total) |", "least the SQLite figure: **",
		"| PostgreSQL, A (receives the webhooks) | 3 | 15 | 15 |", "| PostgreSQL, B (the other instance) | 3 | 15 | 15 |",
		"Cross-instance p99 < 100 ms", "PostgreSQL: filled through the group-commit writer", "PostgreSQL p95 ms",
		"PostgreSQL: worst filtered p95", "| PostgreSQL | csv | 300 |",
		"### JSON API over HTTP", "SQLite API: worst p95", "PostgreSQL API: worst p95",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("report:\n%s\nstdout:\n%s", md, stdout.String())
	}
	leftovers, _ := filepath.Glob(".bench-*")
	if len(leftovers) > 0 {
		t.Errorf("the run left %v behind", leftovers)
	}
}
