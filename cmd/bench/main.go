// Command bench measures the webhook intake and the live activity log and writes BENCHMARKS.md (make bench):
// durable ingest throughput beside a bare 200-OK handler in the same run, SSE latency from a webhook to 1,000
// connected subscribers with the server's memory, and the activity log's page queries and exports on 1,000,000
// rows. Every server runs in a child process (this binary with -serve), wired as cmd/web wires the dashboard.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if err := run(os.Args, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// benchToken is the webhook secret of the child servers; the load generator sends it as ?token=.
const benchToken = "bench-webhook-secret"

// options are the knobs of one benchmark run.
type options struct {
	out         string
	ingestFor   time.Duration
	concurrency int
	subscribers int
	deliveries  int
	rate        int
	rows        int
	queryRuns   int // runs of each store query in the log run
	properties  int
	cpuProfile  string
	portfolio   int           // properties of the pages run's mirror
	pageClients int           // concurrent clients in the pages run
	pagesFor    time.Duration // how long each page is fetched
	pagesCPU    string        // where the pages server writes its CPU profile
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	serveMode := fs.Bool("serve", false, "internal: run the server side in this process")
	dir := fs.String("dir", "", "internal: the child's database directory")
	fill := fs.Int("fill", 0, "internal: activities to write before serving")
	databaseURL := fs.String("database-url", "", "internal: the child serves this PostgreSQL database instead of SQLite")
	var o options
	fs.StringVar(&o.cpuProfile, "server-cpuprofile", "", "write the ingest server's CPU profile to this file")
	fs.StringVar(&o.out, "out", "BENCHMARKS.md", "report file")
	fs.DurationVar(&o.ingestFor, "ingest-for", 10*time.Second, "how long each ingest load runs")
	fs.IntVar(&o.concurrency, "concurrency", 128, "concurrent senders in the ingest runs")
	fs.IntVar(&o.subscribers, "subscribers", 1000, "SSE subscribers")
	fs.IntVar(&o.deliveries, "deliveries", 200, "webhooks posted during the SSE run")
	fs.IntVar(&o.rate, "rate", 20, "webhooks per second during the SSE run")
	fs.IntVar(&o.rows, "rows", 1_000_000, "activities in the query and export runs")
	fs.IntVar(&o.queryRuns, "query-runs", 200, "runs of each store query in the log run")
	fs.IntVar(&o.properties, "properties", 200, "properties of the mirror")
	fs.IntVar(&o.portfolio, "portfolio", 5000, "properties of the mirror in the pages run")
	fs.IntVar(&o.pageClients, "page-clients", 32, "concurrent clients in the pages run")
	fs.DurationVar(&o.pagesFor, "pages-for", 8*time.Second, "how long each page is fetched in the pages run")
	fs.StringVar(&o.pagesCPU, "pages-cpuprofile", "", "write the pages server's CPU profile to this file")
	only := fs.String("only", "", "run one part: ingest (with SSE), pages or log; default all")
	postgres := fs.Bool("postgres", true, "also measure PostgreSQL (skipped, and said so, when it is not installed)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *serveMode {
		return serve(childConfig{dir: *dir, databaseURL: *databaseURL, properties: o.properties, fill: *fill, queryRuns: o.queryRuns, cpuProfile: o.cpuProfile})
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep := report{Options: o, Started: time.Now()}
	if err := rep.machine(); err != nil {
		return err
	}
	if *postgres && wantsPostgres(*only) {
		fmt.Fprintln(stdout, "postgresql: starting a durable cluster")
		pg, err := startPostgres(ctx)
		if err != nil {
			return fmt.Errorf("postgresql: %w", err)
		}
		defer pg.stop()
		if pg.Skipped != "" {
			fmt.Fprintln(stdout, "postgresql: skipped:", pg.Skipped)
		}
		rep.PG = pg
	}
	parts := []struct {
		name string
		fn   func(context.Context, *report, options, io.Writer) error
	}{{"ingest", measureIngestAndSSE}, {"pages", measurePortfolio}, {"log", measureLog}}
	for _, part := range parts {
		if *only != "" && *only != part.name {
			continue
		}
		if err := part.fn(ctx, &rep, o, stdout); err != nil {
			return err
		}
	}
	rep.Finished, rep.LoadEnd = time.Now(), loadAvg()
	if err := os.WriteFile(o.out, []byte(rep.markdown()), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", o.out)
	return nil
}

// measureIngestAndSSE runs the throughput comparison and the fan-out on a fresh server.
func measureIngestAndSSE(ctx context.Context, rep *report, o options, stdout io.Writer) error {
	child, rd, err := startChild(ctx, o, 0, "")
	if err != nil {
		return err
	}
	defer child.stop()
	fmt.Fprintf(stdout, "ingest: %d senders, %s per run\n", o.concurrency, o.ingestFor)
	bare := runLoad(ctx, "bare 200-OK handler", []string{rd.Bare + "/"}, o.concurrency, o.ingestFor,
		func(i int64) []byte { return webhookBody(rd.Targets, i, time.Now()) })
	fmt.Fprintf(stdout, "  %s: %.0f/s\n", bare.Name, bare.PerSec)
	hook := runHookLoad(ctx, "POST /webhooks/smarthome (SQLite, durable)", []string{rd.hookURL()}, rd.API,
		o.concurrency, o.ingestFor, func(i int64) []byte { return webhookBody(rd.Targets, i, time.Now()) })
	fmt.Fprintf(stdout, "  %s: %.0f/s; %s\n", hook.Name, hook.PerSec, hook.Lag)
	rep.Ingest = []throughput{bare, hook}
	fmt.Fprintf(stdout, "sse: %d subscribers, %d deliveries at %d/s\n", o.subscribers, o.deliveries, o.rate)
	sse, err := runSSE(ctx, []ready{rd}, []string{"SQLite"}, benchToken, o.subscribers, o.deliveries, o.rate)
	if err != nil {
		return fmt.Errorf("sse: %w", err)
	}
	fmt.Fprintf(stdout, "  p50 %.1f ms, p99 %.1f ms, %d/%d received, RSS %.0f MB\n", sse.P50ms, sse.P99ms, sse.Received, sse.Expected, sse.RSSMB)
	rep.SSE = &sse
	child.stop() // idle from here on: out of the PostgreSQL figures' way
	return measurePGIngestAndSSE(ctx, rep, o, stdout)
}

// measureLog fills a fresh server's log with o.rows activities and times its queries and exports.
func measureLog(ctx context.Context, rep *report, o options, stdout io.Writer) error {
	fmt.Fprintf(stdout, "activity log: filling %d rows\n", o.rows)
	child, rd, err := startChild(ctx, o, o.rows, "")
	if err != nil {
		return err
	}
	defer child.stop()
	if rep.Log, err = timeLog(ctx, rd, []string{"csv", "json"}, stdout); err != nil {
		return err
	}
	child.stop() // before the PostgreSQL fill: one 1M-row server at a time
	return measurePGLog(ctx, rep, o, stdout)
}

// timeLog records the filled child's fill and store figures and times its pages and exports over HTTP.
func timeLog(ctx context.Context, rd ready, exports []string, stdout io.Writer) (*logResult, error) {
	lr := &logResult{Fill: rd.Fill, StoreQueries: rd.Queries}
	fmt.Fprintf(stdout, "  filled in %.0f s (%.0f rows/s)\n", rd.Fill.Seconds, rd.Fill.PerSec)
	var err error
	if lr.PageQueries, err = timePages(ctx, rd, 50); err != nil {
		return nil, fmt.Errorf("pages: %w", err)
	}
	if lr.APIQueries, err = timeAPI(ctx, rd, 50); err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	for _, format := range exports {
		ex, err := timeExport(ctx, rd, format)
		if err != nil {
			return nil, fmt.Errorf("export %s: %w", format, err)
		}
		fmt.Fprintf(stdout, "  export %s: %d rows in %.1f s, RSS %.0f → %.0f MB\n", format, ex.Rows, ex.Seconds, ex.RSSBefore, ex.RSSMax)
		lr.Exports = append(lr.Exports, ex)
	}
	return lr, nil
}

// childProc is a server child and its temporary database directory.
type childProc struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	dir     string
	stopped sync.Once
}

// stop closes the child's stdin, waits for it to exit (killing it after 30 s) and removes its folder; again, it
// does nothing.
func (c *childProc) stop() { c.stopped.Do(c.stopNow) }

func (c *childProc) stopNow() {
	c.stdin.Close()
	done := make(chan struct{})
	go func() { _ = c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
	}
	os.RemoveAll(c.dir)
}

// childSeq numbers the children whose CPU profiles are written.
var childSeq atomic.Int32

// startChild runs this binary with -serve on a fresh database (on the working directory's disk, not a tmpfs, so
// fsync is real) and waits for its ready line. With a databaseURL the child serves that PostgreSQL database, which
// other children may share.
func startChild(ctx context.Context, o options, fill int, databaseURL string) (*childProc, ready, error) {
	dir, err := os.MkdirTemp(".", ".bench-")
	if err != nil {
		return nil, ready{}, err
	}
	args := []string{"-serve", "-dir", dir, "-fill", strconv.Itoa(fill), "-properties", strconv.Itoa(o.properties),
		"-query-runs", strconv.Itoa(o.queryRuns)}
	if databaseURL != "" {
		args = append(args, "-database-url", databaseURL)
	}
	if fill == 0 && o.cpuProfile != "" { // one file per child: the SQLite server, then PostgreSQL A and B
		args = append(args, "-server-cpuprofile", fmt.Sprintf("%s.%d", o.cpuProfile, childSeq.Add(1)))
	}
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, ready{}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, ready{}, err
	}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, ready{}, err
	}
	c := &childProc{cmd: cmd, stdin: stdin, dir: dir}
	line, err := bufio.NewReaderSize(stdout, 1<<20).ReadBytes('\n')
	var rd ready
	if err == nil {
		err = json.Unmarshal(line, &rd)
	}
	if err != nil || rd.API == "" {
		c.stop()
		return nil, ready{}, errors.Join(errors.New("server child did not start"), err)
	}
	return c, rd, nil
}
