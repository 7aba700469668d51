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
	"Pages, first pass (2026-11-29 05:30, in-process `BenchmarkPages`: 5,000 properties, 32 workers, no upstream; " +
		"the machine was shared with other work): list p50 20.2 ms / p95 89.8 ms, detail p50 24.8–28.7 ms / p95 " +
		"53–82 ms. Every request read its session from SQLite, every portfolio page read the sync history twice, " +
		"and the list counted its rows with a scan. Changes: a session cache valid only while " +
		"`db.Store.AuthVersion` is unchanged (every revocation, sign-out, password or role change moves it), the " +
		"latest sync runs kept in memory by the Syncer, a bare `count(*)` for the unfiltered list. After: list " +
		"p95 24 ms, detail p95 ~50 ms in the child-process table (1,384 detail pages/s).",
	"Pages, second pass (2026-11-29 06:00–06:30), detail p95 45–50 ms → 21–23 ms, child-process table, 250 " +
		"properties in turn: 1,339 → 2,857 pages/s. The profile of the detail page: 57% of its time was SQLite's " +
		"first step of its queries, and most of that was not reading rows. (1) Compiling: mattn/go-sqlite3 " +
		"compiled every query on every call; the DSN now turns on the driver's per-connection statement cache " +
		"(`_stmt_cache_size=128`): 670 → 570 µs a page in-process. (2) Sorters: an ORDER BY that no index " +
		"serves opens a sorter, about 20 µs even for one row (hubs of a property: 28 µs with it, 5 µs without); " +
		"the per-property lists (hubs, devices, lock codes, reservations, invitations) are now sorted in Go " +
		"(`TestSmallListsOrder` keeps their orders). (3) The activity feed's query materialised its page of ids " +
		"and sorted twice (55 µs with no rows at all); it now reads the ids (an index walk that stops at the " +
		"limit) and then their rows through `json_each` as the outer loop, no temporary table: 170 → 71 µs for a " +
		"page of 11, 82 → 8 µs for an empty feed. (4) The property's sections reuse the page's property and " +
		"devices instead of reading them again. (5) The access section no longer calls the upstream inside the " +
		"GET: it shows the mirror and, when that copy is over 30 s old, re-reads itself after the page has loaded " +
		"(`GET /properties/{id}/access`, htmx), so a first visit costs what a repeat visit does (80 → 21 ms p95).",
	"Pages, third pass (2026-11-29 07:20): the VM had slowed (the bare handler fell from ~46,000 to ~41,000/s " +
		"between runs) and the list and detail p95 rose to 28.1 and 26.7 ms. A memory profile: a quarter of a " +
		"page's allocations was growing the render buffer to the page's size (25 KB page, ~64 KB allocated), and " +
		"every request verified, decrypted and gob-decoded its session cookie (gob compiles its decoder each " +
		"time). Changes: render buffers come from a sync.Pool (32 KB to start; over 1 MB they are dropped), and a " +
		"cookie value that verified is remembered with its token for a minute (only exact values that decoded; the " +
		"session itself is still checked on every request, so revocation stays immediate). In-process: list " +
		"410 → 326 µs a page, detail 340 → 279 µs; child-process, back to back on the slow VM: list 2,291 → " +
		"3,116 pages/s (p95 28.1 → 21.9 ms), detail 2,320 → 2,876 (26.7 → 22.1 ms). GOGC=200 would cut another " +
		"~25% in-process (the live heap is small, so the collector runs often) but raises memory; left at the " +
		"default, settable with the GOGC environment variable.",
	"Search (not a target): `lower(col) LIKE ?` on every column doubled the cost of a scan for nothing — " +
		"SQLite's LIKE already ignores ASCII case, as its lower() folds only ASCII: property search over 5,000 " +
		"rows 3.1 → 1.6 ms a query, 132 → 668 searches/s at 32 clients (p95 523–682 → 88 ms).",
	"Ingest, what was found: the bench did not wire the command tracker that cmd/web runs, and the tracker read " +
		"the database twice for every webhook (its pending records for that device, then all pending records). " +
		"With the tracker wired as in cmd/web, durable ingest fell to 6,478/s; the tracker now keeps the set of " +
		"devices and hubs with pending records (refreshed by every sweep, switched off by Track until the next " +
		"read, so a new command's confirmation is never dropped) and ignores the rest: 9,293/s in the same run. " +
		"The bench now wires the tracker and the hub watchdog as cmd/web does.",
	"Ingest, the writer's own work: it read each delivery's hub or device row and its live marks with a query " +
		"each, wrote the row back at once, and prepared its statements on every batch. It now reads the batch's " +
		"hubs, devices and marks with one query each (`json_each` of their ids), applies the changes in memory in " +
		"delivery order, writes each changed row once at the end (`TestIngestLiveWithinOneBatch`), and lets the " +
		"driver's statement cache keep its statements compiled. Writer time per delivery, single-threaded, batches " +
		"of 50 with a mirror update each (synchronous=OFF, to leave the disk out): 60–66 µs → 37–43 µs. The " +
		"batch's context no longer has a deadline (database/sql watched it with a goroutine per query, and mattn " +
		"ran each statement of a cancellable context on a goroutine of its own; SQLite cannot stop a stalled " +
		"write anyway).",
	"Ingest, why the HTTP rate did not follow: the group-commit writer is busy 99–100% of the run (`server: … " +
		"writer busy` on stderr) while the machine keeps about 20–25% of its CPU idle (/proc/stat during the run), " +
		"so the limit is the writer's serial chain, not CPU in general. Per batch of ~50 deliveries (≈5 ms) the " +
		"writer thread is on a CPU about 63% of the time, waits in the run queue 10% and is blocked 27% (the fsync, " +
		"≈1 ms; /proc/thread-self/schedstat), and on a CPU it is about 1.7× slower than alone (the same batch " +
		"takes ~40 µs a delivery single-threaded, ~70 µs beside the HTTP server and the load generator). With " +
		"run-to-run noise of ±5–10% on this VM, A/B runs of the writer changes above showed no difference over " +
		"HTTP (8,300–9,000/s both, bare handler 41,000–42,500/s in those runs). Also tried and measured, none " +
		"better than the noise: no FTS (+5%), 1 KiB pages, checkpoints every 1 s or at 16,384 pages, " +
		"temp_store=MEMORY, GOGC=400 (+3%), GOMAXPROCS 3–6 (−5–10%), the whole server reniced to −10, an fsync " +
		"of the WAL off the writer's path (commits with synchronous=NORMAL, then one fdatasync per group before " +
		"any sender is released: batches halved, rate unchanged), fixed statement sizes, releasing senders from " +
		"another goroutine, a locked OS thread for the writer (+3%); 256 senders instead of 128: +7%. Reaching 30% " +
		"of the bare handler would take a writer that does much less per delivery inside its transaction (e.g. an " +
		"append-only journal indexed in the background, or the log sharded across files with a writer each); not " +
		"done.",
	"PostgreSQL, two instances (2026-12-07): on one database they ingest less than one instance alone, and some " +
		"deliveries fail. `make bench` at 12:57 (the machine was loaded by other work, load average 8–10): one " +
		"instance 2,938/s, two 2,085/s with 77 requests failed; an `-only ingest` run at 13:14 (load ~1): bare " +
		"25,031/s, SQLite 4,888/s, PostgreSQL one instance 4,006/s, two 2,904/s with 40 × 503 " +
		"`{\"status\":\"unavailable\"}`, and the server log said `deadlock detected` (each process waiting for a " +
		"ShareLock on the other's transaction). Each instance's group-commit writer updates the batch's hubs, " +
		"devices and live marks in Go map order (`db/ingest_rows.go` flushRows, `db/ingest_batch.go` flush), so two " +
		"writers touching the same rows lock them in different orders: they wait on each other until commit (the " +
		"fsync included) and now and then deadlock, which aborts a whole batch (PostgreSQL waits " +
		"`deadlock_timeout`, 1 s, before it decides). Writing those rows in key order would end the deadlocks; the " +
		"waits on hot rows would remain (every webhook here is about one of the same ~200 hubs), so the second " +
		"instance buys availability, not throughput, until the writer's row updates leave the batch's transaction. " +
		"Not changed here (db/ is outside the bench).",
}
