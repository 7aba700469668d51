package smarthome_test

// Contract tests: the typed client (package smarthome) against the simulator (smarthome/simulator), started in
// process on a fake clock. Each test starts its own small simulator, so tests run in parallel and never share state.
// Where the client validates a rule before sending, the test also sends the same body raw with the same token and
// expects the simulator to refuse it too, so the two sides cannot drift apart unnoticed.

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// contractStart is the fake clock's start: a June afternoon (no DST change near it) a year ahead of the wall clock.
// Ahead, because the client reads a resident JWT's exp against the wall clock: a token minted on a clock in the past
// would look stale at once and the client would log in before every request.
var contractStart = time.Date(time.Now().Year()+1, time.June, 16, 15, 0, 0, 0, time.UTC)

const (
	// With this seed and size the portfolio has a lockbox, a Rently Blue lock and a Smart Bolt, and every hub online.
	contractSeed       = 2
	contractProperties = 6
	// richSite is the property whose hub has the most device types (lock, thermostat, switches, dimmer, sensors).
	richSite = 103
	// commandDelay is how long the simulator's hardware takes to apply a command or sync a code.
	commandDelay = simulator.DefaultCommandDelay
)

// The simulator's default logins (simulator.DefaultAgents, DefaultResidents).
const (
	installerUser = "demo-agent"
	installerPass = "demo-agent-password"
	leasingUser   = "leasing-agent"
	leasingPass   = "leasing-agent-password"
	residentEmail = "resident@example.com"
	residentPass  = "resident-password"
)

// contractEnv is one running simulator on a fake clock.
type contractEnv struct {
	t     *testing.T
	sim   *simulator.Simulator
	clock *simulator.FakeClock
	tr    *http.Transport // shared by the clients and raw requests of this test, closed at cleanup
	node  int             // last Z-Wave node id handed to an added device
}

// startContract starts a simulator (control on, fake clock, small seeded portfolio) for one test.
func startContract(t *testing.T, opts simulator.Options) *contractEnv {
	t.Helper()
	clock := simulator.NewFakeClock(contractStart)
	opts.Clock, opts.Control = clock, true
	opts.Seed = cmp.Or(opts.Seed, contractSeed)
	opts.Properties = cmp.Or(opts.Properties, contractProperties)
	sim, err := simulator.Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("simulator.Start: %v", err)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(func() {
		if err := sim.Close(); err != nil {
			t.Errorf("simulator.Close: %v", err)
		}
		tr.CloseIdleConnections()
	})
	return &contractEnv{t: t, sim: sim, clock: clock, tr: tr, node: 200}
}

// recorder is a client's transport: it notes every request that reaches the wire, so a test can tell a local
// validation (nothing sent) from a server answer, and count logins and retries. It never keeps headers or bodies.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	seen []sent
}

// sent is one request as the recorder saw it.
type sent struct {
	route  string // "METHOD /path"
	bearer bool   // the Authorization header used the Bearer scheme
	authed bool   // an Authorization header was present
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	auth := req.Header.Get("Authorization")
	r.mu.Lock()
	r.seen = append(r.seen, sent{req.Method + " " + req.URL.Path, strings.HasPrefix(auth, "Bearer "), auth != ""})
	r.mu.Unlock()
	return r.base.RoundTrip(req)
}

// count returns how many requests went to route ("POST /api/agents").
func (r *recorder) count(route string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, s := range r.seen {
		if s.route == route {
			n++
		}
	}
	return n
}

// total returns how many requests were sent.
func (r *recorder) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

// requests returns a copy of what was sent.
func (r *recorder) requests() []sent {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sent(nil), r.seen...)
}

// apiClient is a client under test and the recorder of its requests.
type apiClient struct {
	*smarthome.Client
	rec *recorder
}

// client builds a client for the simulator with the given login; extra options follow it.
func (e *contractEnv) client(login smarthome.Option, opts ...smarthome.Option) *apiClient {
	e.t.Helper()
	rec := &recorder{base: e.tr}
	all := append([]smarthome.Option{smarthome.WithBaseURL(e.sim.URL), login,
		smarthome.WithHTTPClient(&http.Client{Transport: rec, Timeout: 10 * time.Second})}, opts...)
	c, err := smarthome.NewClient(all...)
	if err != nil {
		e.t.Fatalf("NewClient: %v", err)
	}
	return &apiClient{Client: c, rec: rec}
}

func (e *contractEnv) installer() *apiClient {
	return e.client(smarthome.WithAgentLogin(installerUser, installerPass))
}

func (e *contractEnv) leasing() *apiClient {
	return e.client(smarthome.WithAgentLogin(leasingUser, leasingPass))
}

func (e *contractEnv) resident() *apiClient {
	return e.client(smarthome.WithResidentLogin(residentEmail, residentPass))
}

// token logs c in and returns the token it now holds, for raw requests "with the same token".
func (e *contractEnv) token(c *apiClient) string {
	e.t.Helper()
	tok, _, err := c.Agents.Token(e.t.Context())
	if err != nil {
		e.t.Fatalf("Agents.Token: %v", err)
	}
	return tok.AccessToken
}

// advance moves the fake clock and runs everything that fell due.
func (e *contractEnv) advance(d time.Duration) {
	e.t.Helper()
	if err := e.sim.Advance(d); err != nil {
		e.t.Fatalf("Advance(%v): %v", d, err)
	}
}

// raw sends a request to the simulator as a third-party client would (body: nil, a string, or a value to encode)
// and returns the status and the error message of a {"success": false, "message"} body.
func (e *contractEnv) raw(token, method, path string, body any) (int, string) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			e.t.Fatalf("encode raw body: %v", err)
		}
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(e.t.Context(), method, e.sim.URL+path, rd)
	if err != nil {
		e.t.Fatalf("raw request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := (&http.Client{Transport: e.tr, Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		e.t.Fatalf("raw %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	var reply struct {
		Message string `json:"message"`
	}
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &reply)
	return resp.StatusCode, reply.Message
}

// wantRaw is raw, failing the test unless the simulator answers status with a message containing msg.
func (e *contractEnv) wantRaw(token, method, path string, body any, status int, msg string) {
	e.t.Helper()
	got, text := e.raw(token, method, path, body)
	if got != status || !strings.Contains(text, msg) {
		e.t.Errorf("raw %s %s: %d %q, want %d with %q", method, path, got, text, status, msg)
	}
}

// checkErr fails unless err matches target and, when msg is set, its ErrorResponse message contains msg.
func checkErr(t *testing.T, err, target error, msg string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
	if msg == "" {
		return
	}
	var er *smarthome.ErrorResponse
	if !errors.As(err, &er) {
		t.Fatalf("err = %v: no *ErrorResponse (want message %q)", err, msg)
	}
	if !strings.Contains(er.Message, msg) {
		t.Errorf("message %q, want it to contain %q", er.Message, msg)
	}
}

// checkLocal fails unless err matches ErrValidation and c sent no request since it had sent before.
func checkLocal(t *testing.T, c *apiClient, before int, err error) {
	t.Helper()
	if !errors.Is(err, smarthome.ErrValidation) {
		t.Fatalf("err = %v, want a local ErrValidation", err)
	}
	var er *smarthome.ErrorResponse
	if errors.As(err, &er) || c.rec.total() != before {
		t.Fatalf("err = %v: the request reached the server; want it refused before sending", err)
	}
}

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
