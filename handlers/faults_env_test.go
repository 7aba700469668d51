package handlers

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// Upstream fault tests run the server on a client tuned like production in shape (retries with backoff, a
// per-request timeout) but with small numbers so each case stays within a few seconds.
const (
	faultRetries        = 3               // retries after the first attempt: a burst of 2 429s is absorbed
	faultRequestTimeout = 1 * time.Second // per upstream request; the injected latency goes beyond it
	faultLatency        = 3 * time.Second
	// faultCommandTimeout is counted from the record's creation, so it includes the send: the 429 case spends
	// about (faultRetries-1) seconds in Retry-After waits before the hardware gets the command.
	faultCommandTimeout = 5 * time.Second
)

// faultEnv is a testEnv whose server runs commands (with a tracker) and lock codes, over its own upstream client
// with faultRetries retries and a faultRequestTimeout timeout. cmd and lc view the same env through the helpers
// of the command and lock-code tests.
type faultEnv struct {
	*testEnv
	cmd *cmdEnv
	lc  *lcEnv
}

func newFaultEnv(t *testing.T) *faultEnv {
	t.Helper()
	env := newTestEnv(t)
	logger := slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	agent := simulator.DefaultAgents()[0]
	api, err := smarthome.NewClient(smarthome.WithBaseURL(env.sim.URL),
		smarthome.WithAgentLogin(agent.Username, agent.Password),
		smarthome.WithHTTPClient(&http.Client{Transport: env.upstream, Timeout: faultRequestTimeout}),
		smarthome.WithRetry(faultRetries, time.Millisecond, 5*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	observed := &observe.Observers{}
	up := upstream.New(api)
	tracker := commands.NewTracker(logger, env.store, up, NewCommandNotifier(logger, env.store, env.broker),
		commands.Options{Timeout: faultCommandTimeout, CheckAfter: 100 * time.Millisecond, CheckEvery: 100 * time.Millisecond})
	h := NewServer(Deps{Logger: logger, Store: env.store, Sessions: env.sessions, Hasher: env.hasher,
		Syncer: env.syncer, Upstream: up, Broker: env.broker, Observed: observed, Commands: tracker,
		Codes: startLockCodes(t, logger, env.store, up, env.broker)}, Options{})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(env.broker.Close) // before srv.Close, which waits for open streams
	env.srv = srv
	e := &faultEnv{testEnv: env, cmd: &cmdEnv{testEnv: env, tracker: tracker, observed: observed, up: up},
		lc: &lcEnv{testEnv: env, observed: observed}}
	e.cmd.startTracker(t, tracker)
	return e
}

// setFault installs f on the simulator, failing the test on a typo in the route.
func (e *faultEnv) setFault(t *testing.T, f simulator.Fault) {
	t.Helper()
	if err := e.sim.SetFault(f); err != nil {
		t.Fatal(err)
	}
}
