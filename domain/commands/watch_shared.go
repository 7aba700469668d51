package commands

import (
	"context"
	"log/slog"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
)

// observeShared is observe on PostgreSQL. The observation is taken with every other one already queued, and the
// pending set is read once for all of them, after they arrived: a record is committed before its command goes
// upstream, so any record a webhook can confirm, whichever instance created it, is in that read. Observations
// about devices and hubs without a pending record then cost nothing more; under a flood the reads run back to
// back, each covering everything that queued during the one before, so their number stays far below the
// webhooks'.
func (t *Tracker) observeShared(ctx context.Context, first observe.Observation) {
	batch := []observe.Observation{first}
drain:
	for len(batch) < cap(t.seen) {
		select {
		case ob := <-t.seen:
			batch = append(batch, ob)
		default:
			break drain
		}
	}
	pending, err := t.store.PendingCommands(ctx, db.MaxCommandLimit)
	if err != nil {
		if ctx.Err() == nil {
			t.logger.Warn("read pending commands", slog.Any("err", err))
		}
		return // the leader's sweeps still re-read every pending record
	}
	watch := watchSet(pending)
	for _, ob := range batch {
		if len(pending) >= db.MaxCommandLimit || concernsSet(watch, ob) { // a cut list may miss records
			t.observe(ctx, ob)
		}
	}
}
