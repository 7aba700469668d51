package handlers

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// fastCommands are tracker timings for tests against the simulator (CommandDelay 50 ms in newTestEnv).
var fastCommands = commands.Options{Timeout: 3 * time.Second, CheckAfter: 100 * time.Millisecond, CheckEvery: 100 * time.Millisecond}

// cmdEnv is a testEnv served by a second server that also runs a command tracker and the webhook observers, the
// way cmd/web wires them. Its api is the upstream client of that server (demo-agent, a Hub Installer, unless
// withUpstream says otherwise).
type cmdEnv struct {
	*testEnv
	tracker  *commands.Tracker
	observed *observe.Observers
	up       *upstream.API
}

type cmdEnvConfig struct {
	opts      commands.Options
	agent     *simulator.Agent // the upstream login of the server; nil: the installer agent
	noTracker bool             // records stay pending until startTracker
}

type cmdOption func(*cmdEnvConfig)

func withCommandOptions(o commands.Options) cmdOption { return func(c *cmdEnvConfig) { c.opts = o } }
func withAgent(a simulator.Agent) cmdOption           { return func(c *cmdEnvConfig) { c.agent = &a } }
func withoutTracker() cmdOption                       { return func(c *cmdEnvConfig) { c.noTracker = true } }

func newCmdEnv(t *testing.T, opts ...cmdOption) *cmdEnv {
	t.Helper()
	cfg := cmdEnvConfig{opts: fastCommands}
	for _, o := range opts {
		o(&cfg)
	}
	env := newTestEnv(t)
	logger := slog.New(slog.NewJSONHandler(env.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	api := env.api
	if cfg.agent != nil {
		var err error
		api, err = smarthome.NewClient(smarthome.WithBaseURL(env.sim.URL),
			smarthome.WithAgentLogin(cfg.agent.Username, cfg.agent.Password),
			smarthome.WithHTTPClient(&http.Client{Transport: env.upstream, Timeout: 10 * time.Second}),
			smarthome.WithRetry(1, time.Millisecond, 5*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
	}
	e := &cmdEnv{testEnv: env, observed: &observe.Observers{}, up: upstream.New(api)}
	e.tracker = commands.NewTracker(logger, env.store, e.up, NewCommandNotifier(logger, env.store, env.broker), cfg.opts)
	h := NewServer(Deps{Logger: logger, Store: env.store, Sessions: env.sessions, Hasher: env.hasher,
		Syncer: env.syncer, Upstream: e.up, Broker: env.broker, Observed: e.observed, Commands: e.tracker}, Options{})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(env.broker.Close) // before srv.Close, which waits for open streams
	env.srv = srv
	if !cfg.noTracker {
		e.startTracker(t, e.tracker)
	}
	return e
}

// startTracker runs tr until the test ends, and waits for it to stop.
func (e *cmdEnv) startTracker(t *testing.T, tr *commands.Tracker) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { tr.RunSweeps(ctx) })
	wg.Go(func() { tr.RunObservations(ctx) })
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
}

// findDevice returns a mirrored device of the type whose hub is online, and its hub; pick chooses among them.
func (e *cmdEnv) findDevice(t *testing.T, deviceType string, pick func(db.Device) bool) (db.Device, db.Hub) {
	t.Helper()
	res, err := e.store.ListHubs(t.Context(), db.HubFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Items {
		if !h.Hub.Online {
			continue
		}
		devs, err := e.store.DevicesByHub(t.Context(), h.Hub.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			if d.Type == deviceType && (pick == nil || pick(d)) {
				return d, h.Hub
			}
		}
	}
	t.Fatalf("no %s on an online hub in the mirror", deviceType)
	return db.Device{}, db.Hub{}
}

// lockState reads a lock's mode from a status object.
func lockState(status string) string {
	var st struct {
		Mode struct {
			Type string `json:"type"`
		} `json:"mode"`
	}
	_ = json.Unmarshal([]byte(status), &st)
	return st.Mode.Type
}

// waitCommand polls the record until cond holds.
func (e *cmdEnv) waitCommand(t *testing.T, id int64, what string, cond func(db.Command) bool) db.Command {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := e.store.Command(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if cond(c) {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("command %d never %s: %+v", id, what, c)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// lastCommand returns the newest record of a device (deviceID set) or of a hub.
func (e *cmdEnv) lastCommand(t *testing.T, hubID, deviceID string) db.Command {
	t.Helper()
	var cs []db.Command
	var err error
	if deviceID != "" {
		cs, err = e.store.DeviceCommands(t.Context(), deviceID, 1)
	} else {
		cs, err = e.store.HubCommands(t.Context(), hubID, 1)
	}
	if err != nil || len(cs) == 0 {
		t.Fatalf("no command recorded (%v)", err)
	}
	return cs[0]
}

// auditEntries returns the audit entries of an action, newest first.
func (e *cmdEnv) auditEntries(t *testing.T, action string) []db.AuditEntry {
	t.Helper()
	es, err := e.store.ListAudit(t.Context(), db.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// noLeak fails if secret appears in the server's logs or in any audit entry.
func (e *cmdEnv) noLeak(t *testing.T, secret string) {
	t.Helper()
	if strings.Contains(e.logs.String(), secret) {
		t.Errorf("the secret %q reached the logs", secret)
	}
	es, err := e.store.ListAudit(t.Context(), db.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range es {
		if strings.Contains(a.Detail, secret) {
			t.Errorf("the secret reached audit entry %d: %q", a.ID, a.Detail)
		}
	}
}
