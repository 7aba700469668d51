package main

// profilingNotes records what profiling found and what changed, with the numbers measured before the change (they
// come from earlier runs of this command on the same machine, so they are text; the tables above are this run).
func (r *report) profilingNotes(p func(string, ...any)) {
	p("")
	p("## Profiling notes")
	p("")
	p("`go run ./cmd/bench -server-cpuprofile cpu.out -only ingest` writes the ingest server's CPU profile")
	p("(`go tool pprof cpu.out`); `-only pages` runs the pages section alone. `go test -bench BenchmarkPages")
	p("-cpuprofile pages.out ./handlers/` profiles the pages in-process.")
	p("")
	for _, n := range notes {
		p("- %s", n)
	}
	p("")
}

var notes = []string{
	"Pages, before (2026-11-29, in-process `BenchmarkPages`: 5,000 properties, 32 workers, no upstream; the " +
		"machine was shared with other work, load average 5–10): list p50 20.2 ms / p95 89.8 ms, detail p50 " +
		"24.8–28.7 ms / p95 53–82 ms. The profile: every request read its session from SQLite (sessions joined " +
		"with users), every portfolio page read the sync history twice (latest run, latest good run), and the " +
		"list counted its rows with a scan (`WHERE 1 = 1` defeats SQLite's count optimisation: 37 µs against 5 µs).",
	"Changes: (1) a session cache in `handlers.Sessions`, keyed by the session id and valid only while " +
		"`db.Store.AuthVersion` is unchanged; every revocation, sign-out, password change, role or name change, " +
		"disabling and user creation moves that version after its write, so revocation is as immediate as before " +
		"(the handlers tests for it pass). Expiry and the idle timeout are re-checked on each use with the query's " +
		"own millisecond comparisons; the once-a-minute touch drops the entry. (2) The Syncer keeps the latest and " +
		"latest good sync runs in memory, read from the store once and again after each sync it records (it is " +
		"their only writer). (3) The unfiltered property count is a bare `count(*)`.",
	"Pages, after (same benchmark, same conditions): list p50 15.4 ms / p95 36.4 ms, detail p50 21–24 ms / p95 " +
		"52–53 ms. The pages table above (child process, with the simulator as upstream) is this run's.",
	"Target status: the list is at the edge (p95 24 ms in the child-process table on a quiet machine, 36 ms " +
		"in-process on a loaded one); the detail page misses it. What remains per request: for the list, about 0.7–1 ms of CPU over both cores " +
		"(the 25-row page query through sqlx ≈ 0.15 ms, templ rendering, the HTTP server and the Go client of the " +
		"load generator on the same 2 cores); at 32 clients in a closed loop p95 < 25 ms needs about 2,500–3,000 " +
		"pages/s. For the detail, every feature section runs its own queries (activity feed, lock codes, access, " +
		"commands); the access section also re-reads a property's reservations and invitations from the upstream " +
		"when they are over 30 s old — two upstream calls and two fsync'd writes inside a GET — which makes first " +
		"visits slower. Next steps: move that refresh off the request path (serve the mirror, refresh in " +
		"the background), one read transaction for the detail's queries, fewer sqlx reflection scans.",
	"Ingest: not changed in this pass (the tables above are this run's; the writer goroutine is about 30% of the " +
		"server's CPU — batched INSERT … RETURNING, FTS, mirror updates — and the HTTP stack most of the rest). " +
		"`-server-cpuprofile` covers the ingest server's whole life (seeding, the ingest runs, the SSE run).",
}
