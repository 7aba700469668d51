// Package mirror keeps the local copy of the upstream portfolio (properties, hubs, devices): the sync that
// fills it, the conversions from the Smart Home API's shapes, and the hub watchdog.
package mirror

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
)

// Portfolio is the part of the upstream the mirror sync reads. upstream.API *smarthome.Client to it.
type Portfolio interface {
	ListProperties(ctx context.Context, page, perPage int) ([]smarthome.Property, int, error)
	ListHubs(ctx context.Context, page, perPage int) ([]smarthome.HubSummary, int, error)
	Hub(ctx context.Context, id string) (*smarthome.HubDetail, error)
	HubDevices(ctx context.Context, id string) ([]smarthome.Device, error)
}

// SyncOptions tune the mirror sync. Zero values take the defaults.
type SyncOptions struct {
	Interval time.Duration // between periodic syncs; default 5 min
	Rate     float64       // upstream requests per second; default 20
	Workers  int           // hubs fetched at once; default 4
	Timeout  time.Duration // for one whole sync; default 10 min
}

// Syncer copies properties, hubs and devices from the upstream into the mirror: at start, periodically and on demand.
// Only one sync runs at a time; asking for one while another runs waits for that one. A sync that fails changes
// nothing in the mirror (pages keep showing the last good data) and is recorded with its error.
type Syncer struct {
	src     Portfolio
	store   *db.Store
	logger  *slog.Logger
	opts    SyncOptions
	limiter *rate.Limiter

	mu      sync.Mutex
	running chan struct{} // closed when the current sync ends; nil when idle
	last    db.SyncRun
	lastErr error

	runs syncRuns // the recorded runs portfolio pages show (sync_status.go)

	after []func(context.Context) // told after each successful sync (AfterSync); guarded by mu
	onRun []func(db.SyncRun)      // told of every sync run, good or failed (OnRun); guarded by mu
}

// OnRun registers fn to be told of every sync run once it is recorded, good or failed, on the syncing goroutine:
// it must be quick (a metric).
func (s *Syncer) OnRun(fn func(db.SyncRun)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onRun = append(s.onRun, fn)
}

// AfterSync registers fn to run after each successful sync, on the syncing goroutine, with the sync's context: the
// features that derive something from the whole mirror (alerts) re-read it then.
func (s *Syncer) AfterSync(fn func(context.Context)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.after = append(s.after, fn)
}

// NewSyncer builds a Syncer; call Run to start the periodic loop.
func NewSyncer(logger *slog.Logger, store *db.Store, src Portfolio, opts SyncOptions) *Syncer {
	if opts.Interval <= 0 {
		opts.Interval = 5 * time.Minute
	}
	if opts.Rate <= 0 {
		opts.Rate = 20
	}
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Minute
	}
	return &Syncer{src: src, store: store, logger: logger, opts: opts,
		limiter: rate.NewLimiter(rate.Limit(opts.Rate), max(1, int(opts.Rate)))}
}

// Run syncs at once and then every interval until ctx ends.
func (s *Syncer) Run(ctx context.Context) {
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	for {
		if _, err := s.SyncNow(ctx); err != nil && ctx.Err() == nil {
			s.logger.Warn("mirror sync failed", slog.Any("err", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// SyncNow runs a sync, or waits for the one already running, and returns its record.
func (s *Syncer) SyncNow(ctx context.Context) (db.SyncRun, error) {
	s.mu.Lock()
	if done := s.running; done != nil {
		s.mu.Unlock()
		select {
		case <-done:
		case <-ctx.Done():
			return db.SyncRun{}, ctx.Err()
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.last, s.lastErr
	}
	done := make(chan struct{})
	s.running = done
	s.mu.Unlock()

	run, err := s.syncOnce(ctx)

	s.mu.Lock()
	s.last, s.lastErr, s.running = run, err, nil
	s.mu.Unlock()
	close(done)
	return run, err
}

// Running reports whether a sync is in progress.
func (s *Syncer) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.running != nil
}

func (s *Syncer) syncOnce(ctx context.Context) (db.SyncRun, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	run := db.SyncRun{StartedAt: time.Now().UTC()}
	snap, err := s.fetch(ctx)
	if err == nil {
		snap.At = time.Now().UTC()
		err = s.store.ApplySync(ctx, snap)
	}
	run.FinishedAt = time.Now().UTC()
	run.OK = err == nil
	if err != nil {
		run.Error = upstream.ErrorText(err)
	} else {
		run.Properties, run.Hubs, run.Devices = len(snap.Properties), len(snap.Hubs), len(snap.Devices)
	}
	// Record even when ctx is done (shutdown mid-sync), so the page tells the truth.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer rcancel()
	if rerr := s.store.RecordSync(rctx, run); rerr != nil {
		err = errors.Join(err, rerr)
	}
	s.runs.invalidate()
	s.mu.Lock()
	after, onRun := s.after, s.onRun
	s.mu.Unlock()
	for _, fn := range onRun {
		fn(run)
	}
	if err == nil {
		for _, fn := range after {
			fn(ctx)
		}
		s.logger.Info("mirror synced", slog.Int("properties", run.Properties), slog.Int("hubs", run.Hubs),
			slog.Int("devices", run.Devices), slog.Duration("duration", run.FinishedAt.Sub(run.StartedAt)))
	}
	return run, err
}

// Interval is the time between periodic syncs: the portfolio pages call the mirror stale after two of them.
func (s *Syncer) Interval() time.Duration { return s.opts.Interval }
