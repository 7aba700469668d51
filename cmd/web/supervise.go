package main

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// supervisor runs the dashboard's background loops (mirror sync, command and lock-code trackers, hub watchdog,
// checkpoints, session pruning): one place that starts them with a context, restarts one that panics, and on Stop
// cancels them all and waits for each to return, so nothing writes to a store that is being closed. Work that must run on one instance only (a leader
// lock, later) wraps this one place.
type supervisor struct {
	logger  *slog.Logger
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	restart time.Duration // pause before a panicked loop runs again
}

func newSupervisor(parent context.Context, logger *slog.Logger) *supervisor {
	ctx, cancel := context.WithCancel(parent)
	return &supervisor{logger: logger.With(slog.String("component", "supervisor")), ctx: ctx, cancel: cancel,
		restart: time.Second}
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
