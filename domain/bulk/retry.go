package bulk

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// Retry sends the failed items of a finished action again, in the background, and returns how many it resends.
// A code's lock that failed (hub offline, duplicate PIN) has its code sent to its locks again (access.Service's
// Resend, as the single code's retry); a group the upstream refused or never got (interrupted) is created again
// with the PIN of a code this action did create (ErrNoPIN when none did: the PIN is kept nowhere else). Revokes and
// move-outs are simply done again.
func (s *Service) Retry(ctx context.Context, id, by int64) (int, error) {
	b, err := s.store.BulkAction(ctx, id)
	if err != nil {
		return 0, err
	}
	if b.FinishedAt == nil {
		return 0, ErrRunning
	}
	p, err := s.progress(ctx, b)
	if err != nil {
		return 0, err
	}
	var failed []Item
	for _, it := range p.Items {
		if it.Status == StatusFailed {
			failed = append(failed, it)
		}
	}
	if len(failed) == 0 {
		return 0, ErrNoRetry
	}
	switch b.Kind {
	case db.BulkCode:
		return s.retryCodes(ctx, b, by, failed)
	case db.BulkRevoke:
		return s.restart(ctx, b, failed, func(ctx context.Context) { s.withdraw(ctx, b.ID, failed) })
	case db.BulkMoveOut:
		return s.restart(ctx, b, failed, func(ctx context.Context) { s.moveOuts(ctx, b.ID, by, failed) })
	}
	return 0, ErrNoRetry
}

// restart queues items again and runs work; ErrRunning when someone else restarted the action first.
func (s *Service) restart(ctx context.Context, b db.BulkAction, items []Item, work func(context.Context)) (int, error) {
	seqs := make([]int, 0, len(items))
	for _, it := range items {
		seqs = append(seqs, it.Seq)
	}
	ok, err := s.store.RestartBulkAction(ctx, b.ID, seqs, s.now())
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, ErrRunning
	}
	s.start(b.ID, work)
	return len(items), nil
}

func (s *Service) retryCodes(ctx context.Context, b db.BulkAction, by int64, failed []Item) (int, error) {
	resend := map[string][]int{} // code → its failed items
	var recreate []Item
	for _, it := range failed {
		if it.LockCodeID != "" {
			resend[it.LockCodeID] = append(resend[it.LockCodeID], it.Seq)
		} else {
			recreate = append(recreate, it)
		}
	}
	var sends []codeSend
	if len(recreate) > 0 {
		pin, err := s.pinOf(ctx, b)
		if err != nil && len(resend) == 0 {
			return 0, err
		}
		if err == nil {
			if sends, err = regroup(recreate, pin); err != nil {
				return 0, err
			}
		} else {
			recreate = nil // only the resends go; the page still shows these failed
		}
	}
	items := slices.Clone(recreate)
	for _, it := range failed {
		if it.LockCodeID != "" {
			items = append(items, it)
		}
	}
	return s.restart(ctx, b, items, func(ctx context.Context) {
		codes := make([]string, 0, len(resend))
		for c := range resend {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		s.each(len(codes), func(i int) {
			seqs := resend[codes[i]]
			c, err := s.store.LockCode(ctx, codes[i])
			if err == nil {
				err = s.codes.Resend(ctx, c)
			}
			if err != nil {
				s.set(ctx, b.ID, seqs, db.BulkFailed, "", Reason(err))
				return
			}
			s.set(ctx, b.ID, seqs, db.BulkSent, "", "")
		})
		s.sendCodes(ctx, b.ID, by, sends)
	})
}

// pinOf opens the PIN of any code the action created.
func (s *Service) pinOf(ctx context.Context, b db.BulkAction) (smarthome.PIN, error) {
	for _, it := range b.Items {
		if it.LockCodeID == "" {
			continue
		}
		if c, err := s.store.LockCode(ctx, it.LockCodeID); err == nil {
			if pin, err := s.codes.OpenPIN(c); err == nil {
				return pin, nil
			}
		}
	}
	return "", ErrNoPIN
}

// regroup rebuilds the upstream creates of items from their stored requests.
func regroup(items []Item, pin smarthome.PIN) ([]codeSend, error) {
	byGroup := map[int]*codeSend{}
	var order []int
	for _, it := range items {
		g := byGroup[it.Group]
		if g == nil {
			var req smarthome.LockCodeRequest
			if err := json.Unmarshal([]byte(it.Request), &req); err != nil {
				return nil, errors.Join(errors.New("bulk: stored request unreadable"), err)
			}
			req.Code = pin
			g = &codeSend{propertyID: it.PropertyID}
			g.req = req
			byGroup[it.Group], order = g, append(order, it.Group)
		}
		g.seqs = append(g.seqs, it.Seq)
	}
	out := make([]codeSend, 0, len(order))
	for _, k := range order {
		g := byGroup[k]
		g.req = withLocks(g.req, locksOf(items, k))
		out = append(out, *g)
	}
	return out, nil
}

// locksOf are the failed locks of group g: a retry sends the code only to them.
func locksOf(items []Item, g int) []Lock {
	var out []Lock
	for _, it := range items {
		if it.Group == g {
			out = append(out, Lock{ID: it.DeviceID})
		}
	}
	return out
}
