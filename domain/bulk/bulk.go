// Package bulk runs the bulk access actions of leasing staff: one lock code on many locks across properties, a
// person's codes revoked everywhere, move-outs at many properties. Each action is a db.BulkAction with one item per
// lock, code or property, sent by a background worker this package owns, through the same domain paths the single
// actions use (access.Service for codes, stays.Service for move-outs), at most Concurrency upstream calls at a time
// across all actions. A worker stamps its action's heartbeat as it goes; an action whose heartbeat is older than
// StaleAfter was cut short by a restart, and its unsent items are marked interrupted and may be retried.
package bulk

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/stays"
)

// Limits of a bulk action.
const (
	MaxItems    = 500             // locks (a code), codes (a revoke) or properties (a move-out) in one action
	Concurrency = 4               // upstream calls in flight at once, over every running action
	StaleAfter  = 2 * time.Minute // a running action silent this long was interrupted by a restart
)

// Errors a caller shows.
var (
	ErrTooMany = errors.New("bulk: too many items in one action")
	ErrEmpty   = errors.New("bulk: nothing to do")
	ErrRunning = errors.New("bulk: the action is still running")
	ErrNoPIN   = errors.New("bulk: no lock took the code, so its PIN is not kept: issue it again")
	ErrNoRetry = errors.New("bulk: nothing failed")
)

// Service starts bulk actions and owns their workers.
type Service struct {
	logger *slog.Logger
	store  *db.Store
	codes  *access.Service
	stays  *stays.Service
	sem    chan struct{}
	now    func() time.Time
	beat   time.Duration // how often a running worker stamps its heartbeat
	wg     sync.WaitGroup
}

// New builds the service; codes and stays are the services the single actions use.
func New(logger *slog.Logger, store *db.Store, codes *access.Service, st *stays.Service) *Service {
	return &Service{logger: logger, store: store, codes: codes, stays: st, sem: make(chan struct{}, Concurrency),
		now: func() time.Time { return time.Now().UTC() }, beat: StaleAfter / 4}
}

// CanIssue reports whether codes can be issued at all (the lock-code service has its key).
func (s *Service) CanIssue() bool { return s.codes.CanIssue() }

// Wait blocks until every worker has stopped (tests; a clean shutdown).
func (s *Service) Wait() { s.wg.Wait() }

// start runs work in the background, detached from the request that asked for it, and finishes the action when
// work returns.
func (s *Service) start(id int64, work func(ctx context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		ctx := context.Background()
		stop := s.heartbeat(ctx, id)
		work(ctx)
		stop()
		if err := s.store.FinishBulkAction(ctx, id, s.now()); err != nil {
			s.logger.Error("bulk action not finished", slog.Int64("bulk_id", id), slog.Any("err", err))
		}
	}()
}

// heartbeat stamps the action every s.beat until stop is called, so a worker waiting for a free upstream
// slot behind another action is never taken for one a restart cut short.
func (s *Service) heartbeat(ctx context.Context, id int64) (stop func()) {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(s.beat)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := s.store.TouchBulkAction(ctx, id, s.now()); err != nil {
					s.logger.Warn("bulk heartbeat", slog.Int64("bulk_id", id), slog.Any("err", err))
				}
			}
		}
	}()
	return func() { close(done); <-stopped }
}

// each runs fn for every group, at most Concurrency at a time across the service, and returns when all are done.
func (s *Service) each(n int, fn func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		s.sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-s.sem; wg.Done() }()
			fn(i)
		}()
	}
	wg.Wait()
}

// set records items' outcome; a failure to record is logged (the page then shows them as still pending).
func (s *Service) set(ctx context.Context, id int64, seqs []int, state, codeID, problem string) {
	if err := s.store.SetBulkItems(ctx, id, seqs, state, codeID, problem, s.now()); err != nil {
		s.logger.Error("bulk item outcome not stored", slog.Int64("bulk_id", id), slog.Any("err", err))
	}
}

// create stores a new action; an existing one with the same token is returned with created false.
func (s *Service) create(ctx context.Context, a db.BulkAction) (db.BulkAction, bool, error) {
	switch {
	case len(a.Items) == 0:
		return db.BulkAction{}, false, ErrEmpty
	case len(a.Items) > MaxItems:
		return db.BulkAction{}, false, ErrTooMany
	}
	a.RequestedAt = s.now()
	return s.store.CreateBulkAction(ctx, a)
}
