package auth

import (
	"context"
	"log/slog"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/throttle"
)

// PruneEvery is how often the Pruner runs. Nothing reads a dead session row, so the interval only bounds how large
// the sessions table grows between passes; hourly costs one short write an hour.
const PruneEvery = time.Hour

// Pruner deletes the sessions nobody can use any more (and stale throttle buckets): past their absolute expiry, or revoked. Without it every
// sign-in leaves a row behind for good. A session that is only idle stays until its absolute expiry (at most the
// session lifetime), which the sign-in check already refuses.
type Pruner struct {
	store  *db.Store
	logger *slog.Logger
	every  time.Duration
	now    func() time.Time
}

// NewPruner returns a pruner of store's sessions that runs every PruneEvery.
func NewPruner(logger *slog.Logger, store *db.Store) *Pruner {
	return &Pruner{store: store, logger: logger, every: PruneEvery, now: time.Now}
}

// Run prunes at once (a restart after a long stop finds the most), then every PruneEvery, until ctx ends.
func (p *Pruner) Run(ctx context.Context) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		p.prune(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (p *Pruner) prune(ctx context.Context) {
	// The shared throttles' buckets (PostgreSQL; an empty table on SQLite) idle and full for an hour go too.
	if t, err := p.store.DeleteStaleThrottles(ctx, p.now().Add(-throttle.PruneAge)); err != nil && ctx.Err() == nil {
		p.logger.Warn("prune throttles", slog.Any("err", err))
	} else if t > 0 {
		p.logger.Info("pruned throttles", slog.Int64("removed", t))
	}
	n, err := p.store.DeleteExpiredSessions(ctx, p.now())
	switch {
	case ctx.Err() != nil: // shutting down: the next start prunes
	case err != nil:
		p.logger.Warn("prune sessions", slog.Any("err", err))
	case n > 0:
		p.logger.Info("pruned sessions", slog.Int64("removed", n))
	default:
		p.logger.Debug("pruned sessions", slog.Int64("removed", n))
	}
}
