package main

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
)

// supervisor runs the dashboard's background loops (mirror sync, command and lock-code trackers, hub watchdog,
// checkpoints, session pruning): one place that starts them with a context, restarts one that panics, and on Stop
// cancels them all and waits for each to return, so nothing writes to a store that is being closed. Work that must
// run on one instance of a cluster only is added with GoLeader and runs while Lead holds the leader lock.
type supervisor struct {
	logger  *slog.Logger
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	restart time.Duration // pause before a panicked loop runs again

	leaderJobs []leaderJob
	poll, ping time.Duration // leaderPoll and leaderPing; tests shorten them
}

func newSupervisor(parent context.Context, logger *slog.Logger) *supervisor {
	ctx, cancel := context.WithCancel(parent)
	return &supervisor{logger: logger.With(slog.String("component", "supervisor")), ctx: ctx, cancel: cancel,
		restart: time.Second, poll: leaderPoll, ping: leaderPing}
}

// Go runs loop until it returns or Stop is called. A panic is logged and the loop started again after a pause:
// a bug in one background job must not stop the others or the server.
func (s *supervisor) Go(name string, loop func(context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			if !s.runOnce(name, loop) || s.ctx.Err() != nil {
				return
			}
			select {
			case <-s.ctx.Done():
				return
			case <-time.After(s.restart):
			}
		}
	}()
}

// runOnce reports whether loop panicked.
func (s *supervisor) runOnce(name string, loop func(context.Context)) (panicked bool) {
	defer func() {
		if v := recover(); v != nil {
			panicked = true
			s.logger.Error("background job panicked; restarting it", slog.String("job", name), slog.Any("panic", v))
		}
	}()
	loop(s.ctx)
	if s.ctx.Err() == nil {
		s.logger.Warn("background job ended before shutdown", slog.String("job", name))
	}
	return false
}

// Stop cancels every loop and waits for each to return.
func (s *supervisor) Stop() {
	s.cancel()
	s.wg.Wait()
}

// Leadership: the jobs that must run once per cluster (the mirror sync, the command sweeps, the hub watchdog,
// checkpoints, pruning) run only while this instance holds the leader lock. Not leading, it asks again every
// leaderPoll; leading, it checks the lock's connection every leaderPing, and the moment the check fails the
// jobs' context is cancelled and the supervisor waits for them before asking again. The gap in which an old
// leader and a new one both run is at most leaderPing plus the ping's timeout, and only when the old one's
// session was cut without its process dying; every leader job is safe to overlap for that long (idempotent
// writes, conditional updates).
const (
	leaderPoll = time.Second
	leaderPing = 2 * time.Second
)

// leaderLock is a held leader lock (*db.LeaderLock).
type leaderLock interface {
	Alive(ctx context.Context) error
	Release(ctx context.Context) error
}

// elector takes the leader lock, or fails with db.ErrNotLeader while another instance holds it.
type elector func(ctx context.Context) (leaderLock, error)

// storeElector is the elector of a store: PostgreSQL's advisory lock, SQLite's lock that always holds.
func storeElector(store *db.Store) elector {
	return func(ctx context.Context) (leaderLock, error) {
		l, err := store.TryLead(ctx)
		if err != nil {
			return nil, err // not a nil *db.LeaderLock in a non-nil interface
		}
		return l, nil
	}
}

// leaderJob is one job that runs only on the leader.
type leaderJob struct {
	name string
	loop func(context.Context)
}

// GoLeader adds loop to the jobs Lead runs while leading. Call it before Lead.
func (s *supervisor) GoLeader(name string, loop func(context.Context)) {
	s.leaderJobs = append(s.leaderJobs, leaderJob{name, loop})
}

// Lead campaigns for the leader lock until Stop, running the GoLeader jobs whenever this instance holds it.
func (s *supervisor) Lead(e elector) {
	jobs := slices.Clone(s.leaderJobs)
	s.Go("leader election", func(ctx context.Context) {
		for {
			lock, err := e(ctx)
			switch {
			case err == nil:
				s.lead(ctx, lock, jobs)
			case !errors.Is(err, db.ErrNotLeader) && ctx.Err() == nil:
				s.logger.Warn("leader: cannot ask for the lock", slog.Any("err", err))
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(s.poll):
			}
		}
	})
}

// lead runs jobs under a supervisor of their own until ctx ends or the lock is lost, then stops them (waiting for
// each) and releases the lock.
func (s *supervisor) lead(ctx context.Context, lock leaderLock, jobs []leaderJob) {
	s.logger.Info("leader: this instance now runs the background jobs", slog.Int("jobs", len(jobs)))
	inner := newSupervisor(ctx, s.logger)
	inner.restart = s.restart
	for _, j := range jobs {
		inner.Go(j.name, j.loop)
	}
	tick := time.NewTicker(s.ping)
	defer tick.Stop()
	for lost := false; !lost; {
		select {
		case <-ctx.Done():
			lost = true
		case <-tick.C:
			if err := lock.Alive(ctx); err != nil {
				s.logger.Warn("leader: lost the lock; stopping the background jobs", slog.Any("err", err))
				lost = true
			}
		}
	}
	inner.Stop()
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = lock.Release(rctx) // a broken connection has nothing to release
	s.logger.Info("leader: this instance no longer leads")
}
