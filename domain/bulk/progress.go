package bulk

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/keyless/dashboard/db"
)

// An item's status as the page shows it.
const (
	StatusPending = "pending" // not sent yet, or sent and the lock has not answered
	StatusOK      = "ok"      // set on its lock (a code), removed from every lock (a revoke), confirmed (a move-out)
	StatusFailed  = "failed"  // Reason says why; Retry sends it again
)

// Item is a bulk item with its status read from the lock codes (or move-outs) it is about.
type Item struct {
	db.BulkItem
	Status string
	Reason string
}

// Reason is one failure reason and how many items it stopped.
type ReasonCount struct {
	Reason string
	N      int
}

// Progress is a bulk action as it stands.
type Progress struct {
	Action                   db.BulkAction
	Items                    []Item
	OK, Failed, Pending      int
	Reasons                  []ReasonCount // most frequent first
	Running                  bool          // its worker is still sending
	Done                     bool          // nothing is pending any more: the page stops asking
	Interrupted, RetryFailed bool          // some items were cut short by a restart; some failure may be retried
}

// Progress reads a bulk action and the state of each item. An action left running by a dashboard that stopped
// (no heartbeat for StaleAfter) is marked interrupted first, so its page never waits forever.
func (s *Service) Progress(ctx context.Context, id int64) (Progress, error) {
	b, err := s.store.BulkAction(ctx, id)
	if err != nil {
		return Progress{}, err
	}
	if b.FinishedAt == nil && b.HeartbeatAt.Before(s.now().Add(-StaleAfter)) {
		if _, err := s.store.InterruptBulkAction(ctx, id, s.now().Add(-StaleAfter), s.now()); err != nil {
			return Progress{}, err
		}
		if b, err = s.store.BulkAction(ctx, id); err != nil {
			return Progress{}, err
		}
	}
	return s.progress(ctx, b)
}

func (s *Service) progress(ctx context.Context, b db.BulkAction) (Progress, error) {
	p := Progress{Action: b, Running: b.FinishedAt == nil}
	codes := map[string]*db.LockCode{} // nil: gone from the mirror
	reasons := map[string]int{}
	for _, it := range b.Items {
		item := Item{BulkItem: it, Status: StatusPending}
		switch it.State {
		case db.BulkFailed, db.BulkInterrupted:
			item.Status, item.Reason = StatusFailed, it.Error
			p.Interrupted = p.Interrupted || it.State == db.BulkInterrupted
		case db.BulkSent:
			if err := s.readItem(ctx, b.Kind, &item, codes); err != nil {
				return Progress{}, err
			}
		}
		switch item.Status {
		case StatusOK:
			p.OK++
		case StatusFailed:
			p.Failed++
			item.Reason = cmp.Or(item.Reason, "no reason given")
			reasons[item.Reason]++
		default:
			p.Pending++
		}
		p.Items = append(p.Items, item)
	}
	for r, n := range reasons {
		p.Reasons = append(p.Reasons, ReasonCount{r, n})
	}
	slices.SortFunc(p.Reasons, func(a, b ReasonCount) int { return cmp.Or(b.N-a.N, cmp.Compare(a.Reason, b.Reason)) })
	p.Done = !p.Running && p.Pending == 0
	p.RetryFailed = !p.Running && p.Failed > 0
	return p, nil
}

// readItem sets a sent item's status from what it is about.
func (s *Service) readItem(ctx context.Context, kind string, it *Item, codes map[string]*db.LockCode) error {
	if kind == db.BulkMoveOut {
		m, err := s.store.MoveOut(ctx, it.RefID)
		if err != nil {
			return err
		}
		if m.CompletedAt == nil && s.stays != nil {
			if m, _, err = s.stays.ConfirmRemovals(ctx, m); err != nil {
				return err
			}
		}
		if m.CompletedAt != nil {
			it.Status = StatusOK
		}
		return nil
	}
	c, seen := codes[it.LockCodeID]
	if !seen {
		got, err := s.store.LockCode(ctx, it.LockCodeID)
		switch {
		case errors.Is(err, db.ErrNotFound):
		case err != nil:
			return err
		default:
			c = &got
		}
		codes[it.LockCodeID] = c
	}
	if kind == db.BulkRevoke {
		it.Status = revokeStatus(c)
		return nil
	}
	it.Status, it.Reason = StatusFailed, "the code is no longer in the mirror"
	if c == nil {
		return nil
	}
	for _, d := range c.Devices {
		if d.DeviceID != it.DeviceID {
			continue
		}
		switch d.Status {
		case db.LockCodeSet:
			it.Status, it.Reason = StatusOK, ""
		case db.LockCodeSetting:
			it.Status, it.Reason = StatusPending, ""
		case db.LockCodeFailed:
			it.Reason = d.Error
		default:
			it.Reason = "removed from the lock since"
		}
		return nil
	}
	it.Status, it.Reason = StatusPending, "" // sent; the mirror has not listed this lock yet
	return nil
}

// revokeStatus: a code is revoked once every lock let it go (or the mirror forgot it).
func revokeStatus(c *db.LockCode) string {
	if c == nil {
		return StatusOK
	}
	for _, d := range c.Devices {
		if d.Status != db.LockCodeRemoved {
			return StatusPending
		}
	}
	return StatusOK
}
