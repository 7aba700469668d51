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
	LoadStart string // /proc/loadavg's 1, 5 and 15 minute figures: other work on the machine skews every figure
	LoadEnd   string

	Ingest []throughput // the bare handler, then the durable webhook on SQLite
	SSE    *sseResult
	Log    *logResult
	PG     *pgReport // nil: not asked for (-postgres=false, or -only pages)

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
	r.LoadStart = loadAvg()
	return nil
}

// loadAvg is the machine's load over the last 1, 5 and 15 minutes, "" when unknown.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return ""
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
	p("runs on the same machine and shares its cores. The PostgreSQL figures come from the same run: a durable cluster")
	p("started for it on the same disk, and children wired as `cmd/web` with `DATABASE_URL` (the live fan-out across")
	p("instances included); PostgreSQL shares the cores too.")
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
	if r.LoadStart != "" {
		p("| Load average (1, 5, 15 min) | %s at the start, %s at the end |", r.LoadStart, r.LoadEnd)
	}
	switch {
	case r.PG == nil:
	case r.PG.Skipped != "":
		p("| PostgreSQL | not measured: %s |", r.PG.Skipped)
	default:
		p("| PostgreSQL | %s |", r.PG.Server)
	}
	p("")
	r.ingestSection(p)
	r.sseSection(p)
	r.pagesSection(p)
	r.setupSection(p)
	r.logSection(p)
	r.profilingNotes(p)
	return b.String()
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
