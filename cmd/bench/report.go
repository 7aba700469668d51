package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// report collects one run's results and renders BENCHMARKS.md.
type report struct {
	Options  options
	Started  time.Time
	Finished time.Time

	CPUs      int
	CPUModel  string
	GoVersion string
	Kernel    string
	Disk      string

	Ingest       []throughput
	SSE          *sseResult
	Fill         *fillResult
	StoreQueries []queryResult
	PageQueries  []queryResult
	Exports      []exportResult

	PortfolioProperties int
	Pages               []pageLoad
	Setup               *setupTimes // the pages child's portfolio build
}

// machine records the facts a reader needs to compare runs: cores, CPU model, Go, kernel, and the filesystem
// the databases lived on (fsync cost depends on it).
func (r *report) machine() error {
	r.CPUs, r.GoVersion = runtime.NumCPU(), runtime.Version()
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				r.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	var u syscall.Utsname
	if syscall.Uname(&u) == nil {
		r.Kernel = utsString(u.Sysname[:]) + " " + utsString(u.Release[:])
	}
	r.Disk = filesystemOf(".")
	return nil
}

func utsString(b []int8) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		out = append(out, byte(c))
	}
	return string(out)
}

// filesystemOf names the filesystem type holding dir, from /proc/mounts (the longest mount point that prefixes it).
func filesystemOf(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "unknown"
	}
	b, err := os.ReadFile("/proc/mounts")
	if err != nil {
		return "unknown"
	}
	best, fs := "", "unknown"
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && strings.HasPrefix(abs, f[1]) && len(f[1]) > len(best) {
			best, fs = f[1], f[2]+" ("+f[0]+")"
		}
	}
	return fs
}

func (r *report) markdown() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	p("# Benchmarks")
	p("")
	p("Written by `make bench` (`go run ./cmd/bench`). Every server runs in its own child process, wired as `cmd/web`")
	p("wires the dashboard (full middleware and access log, WAL, `synchronous=FULL`, group commit); the load generator")
	p("runs on the same machine and shares its cores.")
	p("")
	p("## Machine")
	p("")
	p("| | |")
	p("|---|---|")
	p("| Date | %s (took %s) |", r.Started.UTC().Format("2006-01-02 15:04 MST"), r.Finished.Sub(r.Started).Round(time.Second))
	p("| CPUs (`nproc`) | %d |", r.CPUs)
	p("| CPU model | %s |", r.CPUModel)
	p("| Go | %s |", r.GoVersion)
	p("| Kernel | %s |", r.Kernel)
	p("| Database filesystem | %s |", r.Disk)
	p("")
	r.ingestSection(p)
	r.sseSection(p)
	r.pagesSection(p)
	r.setupSection(p)
	r.logSection(p)
	r.profilingNotes(p)
	return b.String()
}

func (r *report) ingestSection(p func(string, ...any)) {
	p("## Webhook ingest throughput")
	p("")
	p("%d concurrent keep-alive senders for %s each (after a 1 s warm-up), documented envelopes about mirrored devices", r.Options.concurrency, r.Options.ingestFor)
	p("(unlocks, locks — which also update the mirror — door events, heartbeats), every one distinct. The bare handler")
	p("reads the body and answers 200; the webhook answers 200 only after its delivery is committed with an fsync.")
	p("")
	p("| Endpoint | Requests/s | p50 ms | p99 ms | Requests | Errors |")
	p("|---|---:|---:|---:|---:|---:|")
	for _, t := range r.Ingest {
		p("| %s | %.0f | %.2f | %.2f | %d | %d |", t.Name, t.PerSec, t.P50ms, t.P99ms, t.Requests, t.Errors)
	}
	if len(r.Ingest) == 2 && r.Ingest[0].PerSec > 0 {
		p("")
		p("Durable ingest runs at **%.0f%%** of the bare handler (targets: ≥ 10,000/s and ≥ 30%%).", 100*r.Ingest[1].PerSec/r.Ingest[0].PerSec)
	}
	p("")
}

func (r *report) sseSection(p func(string, ...any)) {
	s := r.SSE
	if s == nil {
		return
	}
	p("## Live push: webhook → %d SSE subscribers", s.Subscribers)
	p("")
	p("%d signed-in streams on `/events`; %d webhooks posted at %d/s. Latency is from sending the POST to each", s.Subscribers, s.Deliveries, r.Options.rate)
	p("subscriber having read the whole event (the rendered activity row), so it includes the durable commit.")
	p("")
	p("| Subscribers | Events expected | Received | p50 ms | p99 ms | max ms | Server RSS idle | RSS after | Peak RSS |")
	p("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	p("| %d | %d | %d | %.1f | %.1f | %.1f | %.0f MB | %.0f MB | %.0f MB |", s.Subscribers, s.Expected, s.Received,
		s.P50ms, s.P99ms, s.MaxMs, s.RSSIdleMB, s.RSSMB, s.HWMMB)
	p("")
	p("Targets: p99 < 100 ms with 1,000 subscribers, RSS < 200 MB. The peak includes the ingest run before it.")
	p("")
}

func (r *report) logSection(p func(string, ...any)) {
	if r.Fill == nil {
		return
	}
	f := r.Fill
	p("## Activity log on %d rows", f.Rows)
	p("")
	p("Filled through the group-commit writer by 256 concurrent writers in %.0f s (%.0f rows/s, %d transactions),", f.Seconds, f.PerSec, f.Batches)
	p("about the mirror's devices over %s – %s; full-text index: %v; database and WAL: %.0f MB.", f.Earliest, f.Latest,
		f.FTS, float64(f.DBBytes)/(1<<20))
	p("")
	p("### Store query (one page of 50), 200 runs each")
	p("")
	queryTable(p, r.StoreQueries)
	p("### Full page over HTTP (`GET /activities?…`: query, render, transfer), 50 runs each")
	p("")
	queryTable(p, r.PageQueries)
	p("Target: filtered page p95 < 20 ms.")
	p("")
	p("### Export of the whole log (`GET /activities/export`)")
	p("")
	p("| Format | Rows | Size | Seconds | Server RSS before | Max RSS during |")
	p("|---|---:|---:|---:|---:|---:|")
	for _, e := range r.Exports {
		p("| %s | %d | %.0f MB | %.1f | %.0f MB | %.0f MB |", e.Format, e.Rows, float64(e.Bytes)/(1<<20), e.Seconds, e.RSSBefore, e.RSSMax)
	}
	p("")
	p("Target: CSV export of 1M rows < 15 s with flat memory.")
}

func queryTable(p func(string, ...any), qs []queryResult) {
	p("| Filter | Rows | p50 ms | p95 ms | max ms |")
	p("|---|---:|---:|---:|---:|")
	for _, q := range qs {
		p("| %s | %d | %.2f | %.2f | %.2f |", q.Name, q.Rows, q.P50ms, q.P95ms, q.MaxMs)
	}
	p("")
}

func (r *report) setupSection(p func(string, ...any)) {
	if r.Setup == nil {
		return
	}
	st := r.Setup
	p("## Building a %d-property portfolio", st.Properties)
	p("")
	p("The pages run's child before it serves: the simulator seeds its portfolio, then the dashboard's syncer fills an")
	p("empty mirror from it over HTTP (8 workers, no rate limit) and syncs the same portfolio a second time (every")
	p("row compared, nothing changed). No target; these figures replace the time limits the tests used to carry.")
	p("")
	p("| Step | Seconds |")
	p("|---|---:|")
	p("| Simulator seeded (`simulator.Start`) | %.2f |", st.SimulatorMs/1000)
	p("| First sync into an empty mirror | %.2f |", st.FirstSyncMs/1000)
	p("| Second sync, nothing changed | %.2f |", st.ResyncMs/1000)
	p("")
}
