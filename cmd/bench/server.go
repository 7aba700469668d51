package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/domain/fanout"
	"github.com/keyless/dashboard/domain/mirror"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/handlers"
	"github.com/keyless/dashboard/handlers/live"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// The server side of a benchmark runs in a child process (bench -serve), so that its memory is measured apart
// from the load generator's, and it is wired as cmd/web wires the dashboard: the real middleware, store (WAL,
// synchronous=FULL, group commit), broker and routes, over a mirror filled from the simulator.

// benchAdmin is the account the SSE subscribers sign in with.
const (
	benchAdmin    = "bench-admin@example.com"
	benchPassword = "bench-admin-password"
)

// ready is the child's first stdout line: where it serves, and what it measured before serving.
type ready struct {
	API     string        `json:"api"`  // the dashboard
	Bare    string        `json:"bare"` // a bare 200-OK handler in the same process
	PID     int           `json:"pid"`
	Fill    *fillResult   `json:"fill,omitempty"`
	Queries []queryResult `json:"queries,omitempty"`
	Targets []target      `json:"targets"` // mirrored devices the load generator reports events about
	Dialect string        `json:"dialect"` // "sqlite" or "postgres"
	Setup   setupTimes    `json:"setup"`
	// APIToken is a JSON API token the child made for the load generator (a throwaway database's, never logged).
	APIToken string `json:"api_token"`
}

// hookURL is the child's webhook receiver, with the bench's secret.
func (rd ready) hookURL() string { return rd.API + "/webhooks/smarthome?token=" + benchToken }

// setupTimes is how long the child took to build its portfolio: the speed checks that used to sit in tests
// (db.TestApplySyncAtScale, simulator.TestLargePortfolio) live here, where a busy machine skews a figure
// instead of failing CI.
type setupTimes struct {
	Properties  int     `json:"properties"`
	SimulatorMs float64 `json:"simulator_ms"`  // simulator.Start: seeding the portfolio
	FirstSyncMs float64 `json:"first_sync_ms"` // an empty mirror filled: every list and hub read, one transaction
	ResyncMs    float64 `json:"resync_ms"`     // the same snapshot again: every row compared, none changed
}

// childConfig is what the parent tells a server child on its command line.
type childConfig struct {
	dir         string // the SQLite database's folder, and the child's scratch space
	databaseURL string // PostgreSQL instead of SQLite, when set
	properties  int
	fill        int // activities to write before serving
	queryRuns   int // runs of each store query, after the fill
	cpuProfile  string
}

// serve runs the child: seed the mirror, optionally fill the activity log and time its queries, then serve until
// stdin closes (the parent exits or is done).
func serve(cfg childConfig) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if cfg.cpuProfile != "" { // where the server's time goes: go tool pprof <binary> <file>
		f, err := os.Create(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil)) // the access log is formatted, then dropped
	store, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	ckptCtx, stopCkpt := context.WithCancel(ctx) // as cmd/web runs it, so ingest is measured with its checkpoints
	ckptDone := make(chan struct{})
	go func() { defer close(ckptDone); store.RunCheckpoints(ckptCtx) }()
	defer func() { stopCkpt(); <-ckptDone }()
	deps, setup, closeDeps, err := wire(ctx, logger, store, cfg.properties)
	if err != nil {
		return err
	}
	defer closeDeps()
	rd := ready{PID: os.Getpid(), Setup: setup, Dialect: store.Dialect()}
	if rd.APIToken, err = benchAPIToken(ctx, store); err != nil {
		return err
	}
	if rd.Targets, err = mirrorTargets(ctx, store); err != nil {
		return err
	}
	if cfg.fill > 0 {
		if rd.Fill, err = fillActivities(ctx, store, rd.Targets, cfg.fill); err != nil {
			return err
		}
		if rd.Queries, err = timeQueries(ctx, store, cfg.queryRuns); err != nil {
			return err
		}
		for _, suffix := range []string{"", "-wal"} {
			if fi, err := os.Stat(filepath.Join(cfg.dir, "bench.db"+suffix)); err == nil { // PostgreSQL: the parent asks
				rd.Fill.DBBytes += fi.Size()
			}
		}
	}
	opts := handlers.Options{WebhookSecrets: []string{benchToken}, APIRate: benchAPIRate}
	deps.Receiver = handlers.NewReceiver(deps, opts, true) // as cmd/web: acknowledged on the journal, projected behind
	go deps.Receiver.RunProjector(ctx)
	api, err := listen(handlers.NewServer(deps, opts))
	if err != nil {
		return err
	}
	bare, err := listen(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // read the delivery like the receiver does, then answer
		w.WriteHeader(http.StatusOK)
	}))
	if err != nil {
		return err
	}
	rd.API, rd.Bare = api, bare
	if err := json.NewEncoder(os.Stdout).Encode(rd); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes our stdin
	st := store.IngestStats()
	lag, _ := store.JournalLag(ctx)
	fmt.Fprintf(os.Stderr, "server: %d deliveries committed in %d transactions, writer busy %s (projections %s); %d projected, %d waiting (oldest %s)\n",
		st.Items, st.Batches, st.Busy.Round(time.Millisecond), st.ProjectBusy.Round(time.Millisecond), st.Projected, lag.Waiting, lag.Age(time.Now()).Round(time.Millisecond))
	deps.Broker.Close()
	return nil
}

// openStore opens PostgreSQL when the parent gave a URL, as cmd/web does with DATABASE_URL, else SQLite in dir.
func openStore(ctx context.Context, cfg childConfig) (*db.Store, error) {
	if cfg.databaseURL != "" {
		return db.OpenPostgres(ctx, cfg.databaseURL)
	}
	return db.Open(ctx, filepath.Join(cfg.dir, "bench.db"))
}

// wire builds the dashboard's collaborators around an in-process simulator and fills the mirror with one sync.
// On PostgreSQL it also runs the live fan-out across instances, as cmd/web does (app.go): a second child on the
// same database then pushes the first one's webhooks to its own subscribers.
func wire(ctx context.Context, logger *slog.Logger, store *db.Store, properties int) (handlers.Deps, setupTimes, func(), error) {
	sim, up, syncer, setup, err := seedMirror(ctx, logger, store, properties)
	if err != nil {
		return handlers.Deps{}, setup, nil, err
	}
	const secret = "bench-session-secret-0123456789abcdef" // the same in every child: one's cookie is good on another
	sess, err := handlers.NewSessions(logger, store, handlers.SessionOptions{Secret: secret})
	if err != nil {
		sim.Close()
		return handlers.Deps{}, setup, nil, err
	}
	hasher := auth.NewPasswordHasher(4)
	hash, err := hasher.Hash(benchPassword)
	if err == nil { // EnsureAdmin, not CreateUser: a second instance on the same database finds the admin there
		_, err = store.EnsureAdmin(ctx, benchAdmin, "Bench", hash, time.Now())
	}
	if err != nil {
		sim.Close()
		return handlers.Deps{}, setup, nil, err
	}
	broker := live.New(logger, live.Options{})
	var fan *fanout.Fanout // nil on SQLite, whose wrappers below then return the notifier itself
	if store.Dialect() == "postgres" {
		fan = fanout.New(store, logger, handlers.IngestPublisher(handlers.Deps{Logger: logger, Store: store, Broker: broker}))
		go fan.Listen(ctx)
		go fan.Send(ctx)
	}
	// The background workers cmd/web runs beside the server: the command tracker (every webhook is an observation
	// for it), the lock-code tracker and the hub watchdog.
	tracker := commands.NewTracker(logger, store, up, fan.Commands(handlers.NewCommandNotifier(logger, store, broker)), commands.Options{})
	go tracker.RunSweeps(ctx)
	go tracker.RunObservations(ctx)
	codes := access.NewService(access.Config{Logger: logger, Store: store, Upstream: up,
		Key: access.DeriveCodeKey(secret), Notifier: fan.Codes(handlers.NewLockCodePush(logger, store, broker))})
	go codes.Tracker().Run(ctx)
	deps := handlers.Deps{Logger: logger, Store: store, Sessions: sess, Hasher: hasher, Syncer: syncer, Upstream: up,
		Broker: broker, Observed: &observe.Observers{}, Codes: codes, Commands: tracker}
	go mirror.NewWatchdog(store, logger, 0, fan.Silence(handlers.HubSilenceNotifier(deps))).Run(ctx)
	return deps, setup, func() { broker.Close(); sim.Close() }, nil
}

// seedMirror starts the simulator with a portfolio of properties and syncs it into the mirror twice, timing both.
// The portfolio is the same in every child (a fixed seed), so a second instance on the same database changes
// next to nothing.
func seedMirror(ctx context.Context, logger *slog.Logger, store *db.Store, properties int) (*simulator.Simulator, *upstream.API, *mirror.Syncer, setupTimes, error) {
	setup := setupTimes{Properties: properties}
	began := time.Now()
	sim, err := simulator.Start(ctx, simulator.Options{Properties: properties, Seed: simulator.DemoPortfolio})
	if err != nil {
		return nil, nil, nil, setup, err
	}
	setup.SimulatorMs = msSince(began)
	agent := simulator.DefaultAgents()[0]
	api, err := smarthome.NewClient(smarthome.WithBaseURL(sim.URL), smarthome.WithAgentLogin(agent.Username, agent.Password))
	if err != nil {
		sim.Close()
		return nil, nil, nil, setup, err
	}
	up := upstream.New(api)
	syncer := mirror.NewSyncer(logger, store, up, mirror.SyncOptions{Rate: 10_000, Workers: 8})
	for _, took := range []*float64{&setup.FirstSyncMs, &setup.ResyncMs} {
		began = time.Now()
		if _, err := syncer.SyncNow(ctx); err != nil {
			sim.Close()
			return nil, nil, nil, setup, fmt.Errorf("seed the mirror: %w", err)
		}
		*took = msSince(began)
	}
	return sim, up, syncer, setup, nil
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

// listen serves h on a free loopback port with the timeouts cmd/web uses.
func listen(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}
