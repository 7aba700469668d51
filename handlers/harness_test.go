package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/alerts"
	"github.com/keyless/dashboard/domain/apitoken"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/automations"
	"github.com/keyless/dashboard/domain/mirror"
	"github.com/keyless/dashboard/domain/notify"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/handlers/live"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// testSecret is the fixed session secret of every test server (32+ bytes, as NewSessions requires).
const testSecret = "handlers-test-secret-0123456789abcdef"

// roles are the four roles, in the order the tables list them.
var roles = []db.Role{db.RoleAdmin, db.RoleStaff, db.RoleInstaller, db.RoleAuditor}

// testUser is one person created in the store at setup, one per role.
type testUser struct {
	db.User
	password string
}

// testEnv is a dashboard wired as cmd/web wires it, on a temp SQLite file, with the simulator as its upstream.
type testEnv struct {
	srv      *httptest.Server
	store    *db.Store
	sim      *simulator.Simulator
	api      *smarthome.Client
	syncer   *mirror.Syncer
	alerts   *alerts.Service
	notify   *notify.Dispatcher
	autos    *automations.Service
	observed *observe.Observers
	seen     *seenActivities // the activities every observer has been told of
	broker   *live.Broker
	sessions *Sessions
	hasher   *auth.PasswordHasher
	upstream *countingTransport
	logs     *syncBuffer
	users    map[db.Role]testUser

	closeStore func()
}

// envConfig collects the newTestEnv options.
type envConfig struct {
	properties int
	now        func() time.Time
	tls        bool
	idle       time.Duration
	absolute   time.Duration
	beforeSync func(t *testing.T, sim *simulator.Simulator, api *smarthome.Client)
	trusted    []netip.Prefix
	alertsNow  func() time.Time
	apiRate    apitoken.Rate
}

type envOption func(*envConfig)

// withProperties sizes the simulator's portfolio (default 12).
func withProperties(n int) envOption { return func(c *envConfig) { c.properties = n } }

// withNow gives the sessions (and the login throttle) a clock.
func withNow(now func() time.Time) envOption { return func(c *envConfig) { c.now = now } }

// withTrustedProxies names the peers whose X-Forwarded-For is believed.
func withTrustedProxies(p ...netip.Prefix) envOption { return func(c *envConfig) { c.trusted = p } }

// withAlertClock gives the alerts service a clock (offline grace tests move it).
func withAlertClock(now func() time.Time) envOption { return func(c *envConfig) { c.alertsNow = now } }

// testAPIRate is the JSON API's per-token limit in test servers: 1000 calls at once, so tests never meet it
// unless they ask (withAPIRate).
var testAPIRate = apitoken.Rate{Every: time.Millisecond, Burst: 1000}

// withAPIRate sets the JSON API's per-token limit.
func withAPIRate(r apitoken.Rate) envOption { return func(c *envConfig) { c.apiRate = r } }

// withTLS serves the dashboard over TLS (httptest.NewTLSServer).
func withTLS() envOption { return func(c *envConfig) { c.tls = true } }

// withTimeouts sets the session idle and absolute timeouts.
func withTimeouts(idle, absolute time.Duration) envOption {
	return func(c *envConfig) { c.idle, c.absolute = idle, absolute }
}

// withBeforeSync changes the simulator's state before the setup sync fills the mirror.
func withBeforeSync(fn func(t *testing.T, sim *simulator.Simulator, api *smarthome.Client)) envOption {
	return func(c *envConfig) { c.beforeSync = fn }
}

// newTestEnv starts a simulator, opens a migrated store, creates one user per role, fills the mirror with one
// sync and serves NewServer on a loopback httptest server. Everything stops when the test ends.
func newTestEnv(t *testing.T, opts ...envOption) *testEnv {
	t.Helper()
	cfg := envConfig{properties: 12, apiRate: testAPIRate}
	for _, o := range opts {
		o(&cfg)
	}
	ctx := t.Context()
	env := &testEnv{logs: &syncBuffer{}, users: map[db.Role]testUser{}}
	logger := slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))

	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "dashboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	env.store, env.closeStore = store, func() { once.Do(func() { store.Close() }) }
	t.Cleanup(env.closeStore)

	sim, err := simulator.Start(context.WithoutCancel(ctx), simulator.Options{CommandDelay: 50 * time.Millisecond,
		Properties: cfg.properties, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	env.sim = sim
	t.Cleanup(func() { sim.Close() })

	env.upstream = &countingTransport{base: &http.Transport{}}
	t.Cleanup(env.upstream.base.CloseIdleConnections)
	agent := simulator.DefaultAgents()[0]
	env.api, err = smarthome.NewClient(smarthome.WithBaseURL(sim.URL), smarthome.WithAgentLogin(agent.Username, agent.Password),
		smarthome.WithHTTPClient(&http.Client{Transport: env.upstream, Timeout: 10 * time.Second}),
		smarthome.WithRetry(1, time.Millisecond, 5*time.Millisecond)) // failing-upstream tests stay fast
	if err != nil {
		t.Fatal(err)
	}
	if cfg.beforeSync != nil {
		cfg.beforeSync(t, sim, env.api)
	}

	env.hasher = auth.NewPasswordHasher(4)
	env.sessions, err = NewSessions(logger, store, SessionOptions{Secret: testSecret, Now: cfg.now,
		Idle: cfg.idle, Absolute: cfg.absolute})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles {
		env.users[r] = env.createUser(t, string(r)+"@test.example", "Test "+string(r), r)
	}
	env.broker = live.New(logger, live.Options{})
	t.Cleanup(env.broker.Close) // should the setup sync fail; again below, in the order the server needs
	// As cmd/web wires them: the dispatcher is the alerts' Notifier. Tests that send run its Run themselves.
	env.notify = notify.NewDispatcher(store, nil, notify.MailConfig{}, nil, notify.Options{Logger: logger, PublicURL: testPublicURL})
	env.autos = automations.New(store, upstream.New(env.api), nil, logger)
	t.Cleanup(env.autos.Wait) // before the store closes
	env.alerts = alerts.New(alerts.Config{Store: store, Logger: logger, Notifier: alerts.Notifiers{env.notify.ForAlerts(), env.autos},
		Publisher: NewAlertPublisher(Deps{Logger: logger, Store: store, Broker: env.broker})})
	if cfg.alertsNow != nil {
		env.alerts.Now = cfg.alertsNow
	}
	env.syncer = mirror.NewSyncer(logger, store, upstream.New(env.api), mirror.SyncOptions{Rate: 1000})
	env.syncer.AfterSync(env.alerts.Synced) // as cmd/web wires it: the setup sync opens the mirror's alerts
	if _, err := env.syncer.SyncNow(ctx); err != nil {
		t.Fatalf("setup sync: %v", err)
	}

	env.observed, env.seen = &observe.Observers{}, &seenActivities{ids: map[int64]bool{}}
	h := NewServer(Deps{Logger: logger, Store: store, Sessions: env.sessions, Hasher: env.hasher, Syncer: env.syncer,
		Upstream: upstream.New(env.api), Broker: env.broker, Alerts: env.alerts, Notify: env.notify, Observed: env.observed},
		Options{TrustedProxies: cfg.trusted, APIRate: cfg.apiRate})
	env.observed.Add(env.seen.observe) // after the server's own observers: told once they are done
	if cfg.tls {
		env.srv = httptest.NewTLSServer(h)
	} else {
		env.srv = httptest.NewServer(h)
	}
	t.Cleanup(env.srv.Close)
	t.Cleanup(env.broker.Close) // first: the server's Close waits for open streams
	return env
}

// createUser stores a user with a password derived from the email.
func (e *testEnv) createUser(t *testing.T, email, name string, role db.Role) testUser {
	t.Helper()
	pw := "pw-" + email + "-secret"
	hash, err := e.hasher.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	u, err := e.store.CreateUser(t.Context(), db.User{Email: email, Name: name, Role: role, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	return testUser{User: u, password: pw}
}

// client is a browser: a cookie jar, no redirect following (tests see each 303).
func (e *testEnv) client(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Each browser gets its own transport: closing idle connections of a shared one at a subtest's end would cancel
	// a parallel subtest's dial ("CloseIdleConnections called").
	tr := e.srv.Client().Transport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// login signs c in as the role's user and fails unless the server answers 303.
func (e *testEnv) login(t *testing.T, c *http.Client, role db.Role) {
	t.Helper()
	u := e.users[role]
	e.loginAs(t, c, u.Email, u.password)
}

func (e *testEnv) loginAs(t *testing.T, c *http.Client, email, password string) {
	t.Helper()
	res := e.postForm(t, c, "/login", url.Values{"email": {email}, "password": {password}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("login %s: status %d, want 303\n%s", email, res.status, res.body)
	}
}

// signedInClient is a fresh browser signed in as role.
func (e *testEnv) signedInClient(t *testing.T, role db.Role) *http.Client {
	t.Helper()
	c := e.client(t)
	e.login(t, c, role)
	return c
}
