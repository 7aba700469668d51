package handlers

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"go.uber.org/goleak"

	"github.com/keyless/dashboard/db"
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
	syncer   *Syncer
	broker   *live.Broker
	sessions *Sessions
	hasher   *PasswordHasher
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
}

type envOption func(*envConfig)

// withProperties sizes the simulator's portfolio (default 12).
func withProperties(n int) envOption { return func(c *envConfig) { c.properties = n } }

// withNow gives the sessions (and the login throttle) a clock.
func withNow(now func() time.Time) envOption { return func(c *envConfig) { c.now = now } }

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
	cfg := envConfig{properties: 12}
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

	env.hasher = NewPasswordHasher(4)
	env.sessions, err = NewSessions(logger, store, SessionOptions{Secret: testSecret, Now: cfg.now,
		Idle: cfg.idle, Absolute: cfg.absolute})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roles {
		env.users[r] = env.createUser(t, string(r)+"@test.example", "Test "+string(r), r)
	}
	env.syncer = NewSyncer(logger, store, NewUpstream(env.api), SyncOptions{Rate: 1000})
	if _, err := env.syncer.SyncNow(ctx); err != nil {
		t.Fatalf("setup sync: %v", err)
	}

	env.broker = live.New(logger, live.Options{})
	h := NewServer(Deps{Logger: logger, Store: store, Sessions: env.sessions, Hasher: env.hasher, Syncer: env.syncer,
		Upstream: NewUpstream(env.api), Broker: env.broker}, Options{})
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
	base := e.srv.Client()
	t.Cleanup(base.CloseIdleConnections)
	return &http.Client{Jar: jar, Transport: base.Transport, Timeout: 30 * time.Second,
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

// response is one answer, read and parsed.
type response struct {
	status int
	header http.Header
	body   string
	doc    *goquery.Document
}

// location is the Location header.
func (r response) location() string { return r.header.Get("Location") }

// htmx marks a request as htmx's targeted swap.
var htmx = http.Header{"Hx-Request": {"true"}}

// sameOrigin is what a browser sends with a form POST from one of our own pages.
func (e *testEnv) sameOrigin() http.Header {
	return http.Header{"Origin": {e.srv.URL}, "Sec-Fetch-Site": {"same-origin"}}
}

// get sends GET path with the extra headers.
func (e *testEnv) get(t *testing.T, c *http.Client, path string, hdrs ...http.Header) response {
	t.Helper()
	return e.do(t, c, http.MethodGet, path, nil, hdrs...)
}

// postForm sends a same-origin form POST (plus the extra headers, which win).
func (e *testEnv) postForm(t *testing.T, c *http.Client, path string, form url.Values, hdrs ...http.Header) response {
	t.Helper()
	return e.do(t, c, http.MethodPost, path, form, append([]http.Header{e.sameOrigin()}, hdrs...)...)
}

func (e *testEnv) do(t *testing.T, c *http.Client, method, path string, form url.Values, hdrs ...http.Header) response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, h := range hdrs {
		for k, vs := range h {
			req.Header[http.CanonicalHeaderKey(k)] = vs
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b), doc: parseHTML(t, string(b))}
}

// stream opens a streaming GET (the live events) and returns once the headers arrived; the body stays open until
// the test ends or the caller closes it.
func (e *testEnv) stream(t *testing.T, c *http.Client, path string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	resp, err := c.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("GET %s: %v", path, err)
	}
	t.Cleanup(func() { cancel(); resp.Body.Close() })
	return resp
}

// parseHTML parses a page or a fragment. goquery wraps fragments in <html><body>: select by data-testid only.
func parseHTML(t *testing.T, s string) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(s))
	if err != nil {
		t.Fatalf("parse HTML: %v", err)
	}
	return doc
}

// parseRow parses a <tr> fragment inside a table, as htmx does before swapping it (alone, the parser drops it).
func parseRow(t *testing.T, s string) *goquery.Document {
	t.Helper()
	return parseHTML(t, "<table><tbody>"+s+"</tbody></table>")
}

// byTestID selects every element with data-testid=id.
func byTestID(doc *goquery.Document, id string) *goquery.Selection {
	return doc.Find(`[data-testid="` + id + `"]`)
}

// one selects exactly one element with data-testid=id or fails.
func one(t *testing.T, doc *goquery.Document, id string) *goquery.Selection {
	t.Helper()
	s := byTestID(doc, id)
	if s.Length() != 1 {
		t.Fatalf("[data-testid=%q]: %d elements, want 1", id, s.Length())
	}
	return s
}

// text is the selection's text with whitespace collapsed.
func text(s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") }

// wantStatus fails unless r has the status; the body helps when it does not.
func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d\n%.2000s", r.status, want, r.body)
	}
}

// wantSignedOut fails unless r sends a browser to the login page.
func wantSignedOut(t *testing.T, r response) {
	t.Helper()
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location(), "/login") {
		t.Fatalf("got %d Location %q, want 303 to /login\n%.500s", r.status, r.location(), r.body)
	}
}

// cookie returns the named cookie the server set in r, or nil.
func cookie(r response, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// countingTransport counts the API requests the smarthome client sends (logins excluded).
type countingTransport struct {
	base *http.Transport
	n    atomic.Int64
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasPrefix(r.URL.Path, "/api/") && r.URL.Path != "/api/agents" {
		c.n.Add(1)
	}
	return c.base.RoundTrip(r)
}

// fakeClock is a settable clock, safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now().UTC()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer collects the server's log lines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
