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
	"net"
	"net/http"
	"os"
	"sync"
	"time"
)

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

	lastSave  time.Time     // loop goroutine (and Close, after it) only
	saveEvery time.Duration // grows with the cost of a save, so a big portfolio is not re-encoded every second

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
	began := time.Now()
	b, err := s.st.marshal()
	s.dirty = false
	s.mu.Unlock()
	if err != nil {
		return err
	}
	s.lastSave, s.saveEvery = time.Now(), max(time.Second, 10*time.Since(began))
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
