package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/alerts"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/automations"
	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/domain/fanout"
	"github.com/keyless/dashboard/domain/mirror"
	"github.com/keyless/dashboard/domain/notify"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/handlers"
	"github.com/keyless/dashboard/handlers/live"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// app is the wired dashboard: everything run starts, and what it must stop.
type app struct {
	ln             net.Listener
	srv            *http.Server
	beforeShutdown func()
	closers        []func()
	metricsLn      net.Listener // METRICS_ADDR; nil when unset
	metricsSrv     *http.Server
}

func (a *app) close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// demoUsers are the logins demo mode creates, one per role. They are printed at start and listed in the README.
var demoUsers = []struct {
	email, name, password string
	role                  db.Role
}{
	{"admin@example.com", "Avery Admin", "demo-admin-password", db.RoleAdmin},
	{"staff@example.com", "Sam Staff", "demo-staff-password", db.RoleStaff},
	{"installer@example.com", "Ines Installer", "demo-installer-password", db.RoleInstaller},
	{"auditor@example.com", "Aud Auditor", "demo-auditor-password", db.RoleAuditor},
}

// start opens the store, sets up people, binds the listener, starts the embedded simulator in demo mode, and wires
// the server. On error everything already started is stopped.
func start(ctx context.Context, cfg Config, logger *slog.Logger, stdout io.Writer) (_ *app, err error) {
	a := &app{}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	store, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() { store.Close() })
	m := newMetrics(store)

	hasher := auth.NewPasswordHasher(cfg.BcryptCost)
	if err := setUpPeople(ctx, cfg, store, hasher, stdout); err != nil {
		return nil, err
	}
	secret, err := sessionSecret(cfg)
	if err != nil {
		return nil, fmt.Errorf("session secret: %w", err)
	}
	sess, err := handlers.NewSessions(logger, store, handlers.SessionOptions{Secret: secret, Secure: cfg.SecureCookies})
	if err != nil {
		return nil, err
	}

	a.ln, err = net.Listen("tcp", cfg.Addr) // bind first: the simulator needs our webhook URL
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() { a.ln.Close() })

	apiURL, username, password := cfg.APIURL, cfg.APIUsername, cfg.APIPassword
	bg, cancelBG := context.WithCancel(context.WithoutCancel(ctx))
	a.closers = append(a.closers, cancelBG)
	if cfg.Demo() {
		agents, residents := demoCredentials()
		agent := agents[0]
		if len(cfg.WebhookSecrets) == 0 { // demo deliveries are signed with a per-run secret, and verified
			cfg.WebhookSecrets = []string{"demo-" + rand.Text()}
		}
		sim, err := simulator.Start(bg, simulator.Options{CommandDelay: cfg.CommandDelay, LifeRate: cfg.SimLife,
			Seed: simulator.DemoPortfolio, Agents: agents, Residents: residents,
			Logger:     logger.With(slog.String("component", "simulator")),
			WebhookURL: loopbackURL(a.ln.Addr()) + "/webhooks/smarthome", WebhookSecret: cfg.WebhookSecrets[0]})
		if err != nil {
			return nil, fmt.Errorf("embedded simulator: %w", err)
		}
		a.closers = append(a.closers, func() { sim.Close() })
		apiURL, username, password = sim.URL, agent.Username, agent.Password
		fmt.Fprintf(stdout, "Demo mode: embedded Smart Home simulator at %s (agent %s)\n", sim.URL, agent.Username)
	}
	api, err := smarthome.NewClient(smarthome.WithBaseURL(apiURL), smarthome.WithAgentLogin(username, password),
		smarthome.WithUserAgent("keyless-dashboard/1"), smarthome.WithCallHook(m.UpstreamCall), smarthome.WithLoginHook(m.Login))
	if err != nil {
		return nil, fmt.Errorf("smarthome client: %w", err)
	}
	upstream := upstream.New(api)
	broker := live.New(logger.With(slog.String("component", "live")), live.Options{})
	a.closers = append(a.closers, broker.Close)
	// Plain jobs run on every instance; GoLeader jobs once per cluster, on the instance holding the leader lock
	// (on SQLite, always this one). The supervisor is stopped (and waited for) before the store closes.
	jobs := newSupervisor(bg, logger)
	a.closers = append(a.closers, jobs.Stop)
	jobs.GoLeader("checkpoints", store.RunCheckpoints)                  // the WAL copied into the database beside the writer
	jobs.GoLeader("session pruning", auth.NewPruner(logger, store).Run) // expired and revoked sessions, stale throttles
	syncer := mirror.NewSyncer(logger, store, upstream, mirror.SyncOptions{Interval: cfg.SyncInterval, Rate: cfg.SyncRate})
	syncer.OnRun(m.SyncRun)
	jobs.Go("upstream login", keepLoggedIn(m, func(ctx context.Context) error { _, _, err := api.Agents.Token(ctx); return err }))
	jobs.GoLeader("mirror sync", syncer.Run) // "Sync now" still runs on whichever instance got the click
	fan := newFanout(store, logger, broker)  // nil on SQLite: one instance, nothing to fan out
	if fan != nil {                          // on every instance, not the leader only: each has its own pages
		jobs.Go("live listener", fan.Listen)
		jobs.Go("live notify", fan.Send)
	}
	cmdOpts := commands.Options{Timeout: cfg.CommandTimeout} // confirms hardware commands; stops with bg
	if cfg.Demo() {                                          // the embedded simulator's delay is known: re-read just after it
		cmdOpts.CheckAfter, cmdOpts.CheckEvery = cfg.CommandDelay+500*time.Millisecond, max(cfg.CommandDelay, time.Second)
	}
	tracker := commands.NewTracker(logger, store, upstream, m.Commands(fan.Commands(handlers.NewCommandNotifier(logger, store, broker))), cmdOpts)
	jobs.GoLeader("command sweeps", tracker.RunSweeps)
	jobs.Go("command observations", tracker.RunObservations) // a webhook may reach any instance
	codes := access.NewService(access.Config{Logger: logger, Store: store, Upstream: upstream,
		Key: access.DeriveCodeKey(secret), Notifier: fan.Codes(handlers.NewLockCodePush(logger, store, broker))})
	// Every instance re-reads the codes it sent or heard about until their locks answer: its set is what this
	// instance was told (Track, Poke), not a sweep of the database, and the leader's sync hands it what was left.
	jobs.Go("lock-code tracker", codes.Tracker().Run)

	// Alert notifications: the dispatcher stores what each alert calls for under the rules (on any instance: the
	// alert's writer decides), and the outbox is sent once per cluster (claims are atomic, so a resend from any
	// instance is safe too).
	dispatcher := notify.NewDispatcher(store, nil, cfg.Mail, &http.Client{Timeout: notify.WebhookTimeout},
		notify.Options{Logger: logger, PublicURL: cfg.PublicURL})
	jobs.GoLeader("notification sender", dispatcher.Run)
	if !cfg.Mail.Enabled() {
		logger.Info("notify: email is off (set SMTP_URL or SMTP_HOST, and MAIL_FROM)")
	}
	// Alert records: opened, bumped and resolved by webhooks (the projector's observers), after each sync, by the
	// hub watchdog, and by their own grace check, which runs once per cluster. Each change is told to the
	// notifications and to the properties' automations (a leak closing the valves, where an admin turned it on).
	autos := automations.New(store, upstream, tracker, logger)
	alertSvc := alerts.New(alerts.Config{Store: store, Logger: logger.With(slog.String("component", "alerts")),
		Notifier:  alerts.Notifiers{dispatcher.ForAlerts(), autos, m},
		Publisher: handlers.NewAlertPublisher(handlers.Deps{Logger: logger, Store: store, Broker: broker})})
	syncer.AfterSync(alertSvc.Synced)
	jobs.GoLeader("alerts", alertSvc.Run)

	deps := handlers.Deps{Logger: logger, Store: store, Sessions: sess, Hasher: hasher, Syncer: syncer,
		Upstream: upstream, Broker: broker, Observed: &observe.Observers{}, Alerts: alertSvc, Notify: dispatcher,
		Codes: codes, Commands: tracker, Streams: fan.Streams(broker), Metrics: m,
		Stays: stays.NewService(logger, store, upstream, stays.Options{})} // guest-link limits: in the database on PostgreSQL
	opts := handlers.Options{WebhookSecrets: cfg.WebhookSecrets, SecureCookies: cfg.SecureCookies, TrustedProxies: cfg.TrustedProxies,
		MetricsToken: cfg.MetricsToken}
	deps.Receiver = handlers.NewReceiver(deps, opts, true)
	fan.OnJournal(deps.Receiver.Wake) // the other instances' appends wake the projector when it runs here
	// Once per cluster: the journal rows of every instance, in id order. Each instance appends its own deliveries.
	jobs.GoLeader("webhook projector", deps.Receiver.RunProjector)
	watchdog := mirror.NewWatchdog(store, logger, 0,
		mirror.SilenceNotifiers{fan.Silence(handlers.HubSilenceNotifier(deps)), alertSvc})
	jobs.GoLeader("hub watchdog", watchdog.Run) // hubs silent past the heartbeat grace go offline
	jobs.Lead(storeElector(store))
	a.srv = &http.Server{
		Handler:           handlers.NewServer(deps, opts),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second, // the SSE handler clears its own deadline
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if err := a.listenMetrics(cfg, m); err != nil {
		return nil, err
	}
	// Open streams never end by themselves: close them before Shutdown waits for handlers to return.
	a.beforeShutdown = broker.Close
	if cfg.Demo() {
		printDemoLogins(stdout, cfg, a.ln.Addr())
	}
	return a, nil
}

// openStore opens PostgreSQL when DATABASE_URL is set, the SQLite file at DATABASE_PATH otherwise.
func openStore(ctx context.Context, cfg Config) (*db.Store, error) {
	if cfg.DatabaseURL != "" {
		return db.OpenPostgres(ctx, cfg.DatabaseURL)
	}
	return db.Open(ctx, cfg.DatabasePath)
}

// newFanout returns the live push across instances on PostgreSQL, nil on SQLite.
func newFanout(store *db.Store, logger *slog.Logger, broker *live.Broker) *fanout.Fanout {
	if store.Dialect() != "postgres" {
		return nil
	}
	return fanout.New(store, logger, handlers.IngestPublisher(handlers.Deps{Logger: logger, Store: store, Broker: broker}))
}

// demoCredentials are the embedded simulator's logins for this run: the documented demo accounts' names with
// random passwords that never leave the process. With the documented passwords, any local process could log in to
// the simulator and read every PIN.
func demoCredentials() ([]simulator.Agent, []simulator.Resident) {
	agents, residents := simulator.DefaultAgents(), simulator.DefaultResidents()
	for i := range agents {
		agents[i].Password = "sim-" + rand.Text()
	}
	for i := range residents {
		residents[i].Password = "sim-" + rand.Text()
	}
	return agents, residents
}

// setUpPeople creates or resets the configured admin and, in demo mode, the demo logins.
func setUpPeople(ctx context.Context, cfg Config, store *db.Store, hasher *auth.PasswordHasher, stdout io.Writer) error {
	now := time.Now().UTC()
	if cfg.AdminEmail != "" && !adminCurrent(ctx, store, hasher, cfg) {
		hash, err := hasher.Hash(cfg.AdminPassword)
		if err != nil {
			return fmt.Errorf("ADMIN_PASSWORD: %w", err)
		}
		if _, err := store.EnsureAdmin(ctx, strings.ToLower(cfg.AdminEmail), "Administrator", hash, now); err != nil {
			return fmt.Errorf("admin %s: %w", cfg.AdminEmail, err)
		}
	}
	if !cfg.DemoUsers {
		n, err := store.CountUsers(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			fmt.Fprintln(stdout, "No users yet: set ADMIN_EMAIL and ADMIN_PASSWORD to create the first admin.")
		}
		return nil
	}
	for _, u := range demoUsers {
		hash, err := hasher.Hash(u.password)
		if err != nil {
			return err
		}
		existing, err := store.UserByEmail(ctx, u.email)
		switch {
		case errors.Is(err, db.ErrNotFound):
			_, err = store.CreateUser(ctx, db.User{Email: u.email, Name: u.name, Role: u.role, PasswordHash: hash,
				CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now})
		case err == nil && !hasher.Compare(existing.PasswordHash, u.password):
			err = store.SetPassword(ctx, existing.ID, hash, now) // demo logins always work as printed
		}
		if err != nil {
			return fmt.Errorf("demo user %s: %w", u.email, err)
		}
	}
	return nil
}

// adminCurrent reports whether the configured admin already exists, enabled, with that password: then a restart
// leaves them (and their sessions) alone.
func adminCurrent(ctx context.Context, store *db.Store, hasher *auth.PasswordHasher, cfg Config) bool {
	u, err := store.UserByEmail(ctx, cfg.AdminEmail)
	return err == nil && u.Role == db.RoleAdmin && !u.Disabled && hasher.Compare(u.PasswordHash, cfg.AdminPassword)
}

func printDemoLogins(w io.Writer, cfg Config, addr net.Addr) {
	_, port, _ := net.SplitHostPort(addr.String())
	fmt.Fprintf(w, "\nDashboard: http://localhost:%s\n", port)
	if cfg.DemoUsers {
		fmt.Fprintln(w, "Demo logins (one per role):")
		for _, u := range demoUsers {
			fmt.Fprintf(w, "  %-10s %-24s %s\n", u.role, u.email, u.password)
		}
	}
	fmt.Fprintln(w)
}
