// Package simulator is a stateful stand-in for the Rently Smart Home API: the same routes and payloads as the upstream
// (smarthome-api.md), virtual hubs and devices that behave like hardware (commands apply after a delay, codes sync to
// locks, batteries drain, hubs drop offline), and webhook delivery with retries and optional Standard Webhooks
// signatures. Routes and message types the public docs do not show are kept in guessed.go and catalogue.go.
//
// It imports only the standard library and writes its own wire structs, so a wrong JSON tag in the client is caught by
// the contract tests instead of being mirrored here.
package simulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"
)

// DemoPortfolio is the seed of the demo data the dashboard shows when no upstream is configured.
const DemoPortfolio int64 = 20240820

// Defaults applied by New to zero Options fields.
const (
	DefaultCommandDelay = 2 * time.Second
	DefaultProperties   = 40
	DefaultTokenTTL     = 2 * time.Hour
)

// Options configures a Simulator. The zero value is a quiet, 40-property demo on the wall clock.
type Options struct {
	Addr                 string        // Start only: listen address; empty = 127.0.0.1:0
	Clock                Clock         // nil = wall clock; a *FakeClock lets tests move time (Advance)
	CommandDelay         time.Duration // how long hardware takes to apply a command or sync a code; 0 = 2s, <0 = immediately on the next step
	Properties           int           // demo portfolio size; 0 = 40
	Seed                 int64         // seeds ids, names and every random choice
	WebhookURL           string        // where catalogue events are POSTed; empty = recorded only
	WebhookSecret        string        // when set, deliveries carry Standard Webhooks headers
	ActivityTimeAsString bool          // activity_time as "YYYY-MM-DD HH:MM:SS UTC" instead of epoch ms
	DisableGuessed       bool          // turn off every inferred route (guessed.go)
	Control              bool          // serve the /_sim/* test controls
	Agents               []Agent       // nil = DefaultAgents()
	Residents            []Resident    // nil = DefaultResidents()
	TokenTTL             time.Duration // agent token and resident JWT lifetime; 0 = 2h
	LifeRate             float64       // background "life" events per simulated second; 0 = off
	StatePath            string        // persist state here (on change, at Close) and load it at start if present
	Logger               *slog.Logger  // webhook delivery failures only; nil = silent
	WebhookRetry         RetryPolicy   // zero fields = 8 attempts, 1s base, 1 min cap
	WebhookDuplicateRate float64       // probability of delivering an event a second time (receiver dedupe tests)
	WebhookQueueSize     int           // pending deliveries kept; the oldest is dropped beyond it; 0 = 10,000
}

// RetryPolicy is the webhook retry schedule: attempt n waits BaseDelay·2ⁿ⁻¹, capped at MaxDelay. Delays are wall-clock
// time, since they pace real HTTP requests.
type RetryPolicy struct {
	MaxAttempts int
	BaseDelay   time.Duration
	MaxDelay    time.Duration
}

// Agent is an integration account (POST /api/agents). Roles matter for the master-code reset ("Hub Installer").
type Agent struct {
	Username string
	Password string
	Roles    []string
	Company  string // empty = the demo company, which owns every demo hub but one
}

// Resident is a mobile-app account (POST /oauth/token), bound to one property.
type Resident struct {
	Email      string
	Password   string
	Name       string
	PropertyID int64 // 0 = the first property
}

// RoleHubInstaller is the only role allowed to reset a hub's master code [DOC D-overview].
const RoleHubInstaller = "Hub Installer"

// demoCompany owns the demo portfolio; otherCompany owns one hub the agents may not see (403 tests).
const (
	demoCompany  = "Keyless Demo Realty"
	otherCompany = "Other Realty"
)

// DefaultAgents returns the demo agent accounts: an installer and a leasing agent without the installer role.
func DefaultAgents() []Agent {
	return []Agent{
		{Username: "demo-agent", Password: "demo-agent-password", Roles: []string{"Agent", RoleHubInstaller}},
		{Username: "leasing-agent", Password: "leasing-agent-password", Roles: []string{"Agent"}},
	}
}

// DefaultResidents returns the demo resident, bound to the first property.
func DefaultResidents() []Resident {
	return []Resident{{Email: "resident@example.com", Password: "resident-password", Name: "Riley Resident"}}
}

// Simulator is the fake Smart Home API. It is an http.Handler; Start also serves it on a loopback port.
type Simulator struct {
	// URL is the root the API is served under (http://127.0.0.1:PORT) after Start; empty for New.
	URL string

	opts      Options
	clock     Clock
	mux       *http.ServeMux
	agents    map[string]Agent
	residents map[string]Resident
	hooks     *deliverer
	faults    *faultSet
	zones     zoneCache
	kick      chan struct{}

	mu    sync.Mutex // guards st and dirty
	st    *state
	dirty bool

	ctx       context.Context // cancelled by Close; every background goroutine watches it
	cancel    context.CancelFunc
	wg        sync.WaitGroup
	srv       *http.Server
	closeOnce sync.Once
	closeErr  error
}

// New builds a simulator: it loads Options.StatePath when present, otherwise generates the demo portfolio, and starts
// the background work (commands, code syncing, schedules, heartbeats, life, webhook delivery). Call Close to stop it.
func New(opts Options) (*Simulator, error) {
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	s := &Simulator{
		opts:      opts,
		clock:     opts.Clock,
		mux:       http.NewServeMux(),
		agents:    map[string]Agent{},
		residents: map[string]Resident{},
		faults:    newFaultSet(opts.Seed),
		kick:      make(chan struct{}, 1),
	}
	for _, a := range opts.Agents {
		s.agents[a.Username] = a
	}
	for _, r := range opts.Residents {
		s.residents[r.Email] = r
	}
	if s.st, err = s.initialState(); err != nil {
		return nil, err
	}
	s.routes()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.hooks = newDeliverer(opts)
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.hooks.run(s.ctx) }()
	go func() { defer s.wg.Done(); s.loop(s.ctx) }()
	return s, nil
}

func withDefaults(o Options) (Options, error) {
	if o.Clock == nil {
		o.Clock = realClock{}
	}
	if o.CommandDelay == 0 {
		o.CommandDelay = DefaultCommandDelay
	}
	o.CommandDelay = max(o.CommandDelay, 0)
	if o.Properties == 0 {
		o.Properties = DefaultProperties
	}
	if o.Properties < 0 || o.Properties > 100_000 {
		return o, fmt.Errorf("simulator: properties %d out of range 1..100000", o.Properties)
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = DefaultTokenTTL
	}
	if o.Agents == nil {
		o.Agents = DefaultAgents()
	}
	if o.Residents == nil {
		o.Residents = DefaultResidents()
	}
	if o.LifeRate < 0 || o.WebhookDuplicateRate < 0 || o.WebhookDuplicateRate > 1 {
		return o, errors.New("simulator: negative life rate or duplicate rate outside 0..1")
	}
	if o.WebhookURL != "" {
		u, err := url.Parse(o.WebhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return o, fmt.Errorf("simulator: webhook url %q is not an absolute http(s) URL", o.WebhookURL)
		}
	}
	o.WebhookRetry.MaxAttempts = cmpOr(o.WebhookRetry.MaxAttempts, 8)
	o.WebhookRetry.BaseDelay = cmpOr(o.WebhookRetry.BaseDelay, time.Second)
	o.WebhookRetry.MaxDelay = cmpOr(o.WebhookRetry.MaxDelay, time.Minute)
	o.WebhookQueueSize = cmpOr(o.WebhookQueueSize, 10_000)
	return o, nil
}

// cmpOr returns v unless it is zero or negative, then def.
func cmpOr[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// initialState loads StatePath when it exists, otherwise generates the demo portfolio.
func (s *Simulator) initialState() (*state, error) {
	if s.opts.StatePath != "" {
		b, err := os.ReadFile(s.opts.StatePath)
		switch {
		case err == nil:
			return unmarshalState(b)
		case !errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("simulator: load state: %w", err)
		}
	}
	st := generateDemo(s.opts.Seed, s.opts.Properties, s.clock.Now())
	st.JWTKey = []byte(secureToken(32))
	s.dirty = s.opts.StatePath != ""
	return st, nil
}

// Start builds a simulator with New and serves it on Options.Addr (default 127.0.0.1:0). It stops when ctx is
// cancelled or Close is called.
func Start(ctx context.Context, opts Options) (*Simulator, error) {
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("simulator: listen %s: %w", addr, err)
	}
	s, err := New(opts)
	if err != nil {
		ln.Close()
		return nil, err
	}
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.srv.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	stop := context.AfterFunc(ctx, func() { _ = s.Close() })
	s.wg.Add(1)
	go func() { // releases the AfterFunc once Close ran for another reason
		defer s.wg.Done()
		<-s.ctx.Done()
		stop()
	}()
	return s, nil
}

// ServeHTTP serves the API (and /_sim/* when Options.Control).
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close stops the server and every background goroutine, then saves the state (StatePath). It is safe to call twice.
func (s *Simulator) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		if s.srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = s.srv.Shutdown(ctx)
			cancel()
		}
		s.wg.Wait()
		s.hooks.close()
		s.closeErr = s.save(true)
	})
	return s.closeErr
}

// save writes the state to StatePath when it changed (or always, when force).
func (s *Simulator) save(force bool) error {
	if s.opts.StatePath == "" {
		return nil
	}
	s.mu.Lock()
	if !s.dirty && !force {
		s.mu.Unlock()
		return nil
	}
	b, err := s.st.marshal()
	s.dirty = false
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return writeFileAtomic(s.opts.StatePath, b)
}

// changed marks the state for the next save and wakes the loop (a new job may be due sooner). Callers hold s.mu.
func (s *Simulator) changed() {
	s.dirty = true
	select {
	case s.kick <- struct{}{}:
	default:
	}
}
