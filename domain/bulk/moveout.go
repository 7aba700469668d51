package bulk

import (
	"context"
	"errors"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/stays"
)

// MoveOutAction moves a resident (or everyone, db.MoveOutAll) out of many properties.
type MoveOutAction struct {
	Token      string
	Email      string
	By         int64
	Properties []db.Property
}

// StartMoveOut records the action (one item per property) and runs each property's move-out in the background
// through the single move-out's path (stays.Service PlanMoveOut, then MoveOut); each item links to that property's
// move-out record. Over MaxItems properties it is ErrTooMany, nothing sent.
func (s *Service) StartMoveOut(ctx context.Context, a MoveOutAction) (db.BulkAction, bool, error) {
	if s.stays == nil {
		return db.BulkAction{}, false, errors.New("bulk: move-outs are not available")
	}
	rec := db.BulkAction{Kind: db.BulkMoveOut, Token: a.Token, Label: a.Email, RequestedBy: &a.By}
	for _, p := range a.Properties {
		rec.Items = append(rec.Items, db.BulkItem{PropertyID: p.ID, Label: p.Name})
	}
	b, created, err := s.create(ctx, rec)
	if err != nil || !created {
		return b, false, err
	}
	items := make([]Item, 0, len(b.Items))
	for _, it := range b.Items {
		items = append(items, Item{BulkItem: it})
	}
	s.start(b.ID, func(ctx context.Context) { s.moveOuts(ctx, b.ID, a.By, items) })
	return b, true, nil
}

// moveOuts runs each item's move-out, Concurrency at a time, and links the item to its record.
func (s *Service) moveOuts(ctx context.Context, id, by int64, items []Item) {
	email := ""
	if b, err := s.store.BulkAction(ctx, id); err == nil {
		email = b.Label
	}
	s.each(len(items), func(i int) {
		it := items[i]
		prop, err := s.store.Property(ctx, it.PropertyID)
		if err != nil {
			s.set(ctx, id, []int{it.Seq}, db.BulkFailed, "", "the property is no longer in the portfolio")
			return
		}
		plan, err := s.stays.PlanMoveOut(ctx, prop, email)
		if err != nil {
			s.set(ctx, id, []int{it.Seq}, db.BulkFailed, "", Reason(err))
			return
		}
		if len(plan.Invitations) == 0 {
			s.set(ctx, id, []int{it.Seq}, db.BulkFailed, "", "no active invitation to move out here")
			return
		}
		m, err := s.stays.MoveOut(ctx, plan, by)
		if err != nil {
			problem := Reason(err)
			if errors.Is(err, stays.ErrNotRecorded) {
				problem = "done upstream, but not recorded here"
			}
			s.set(ctx, id, []int{it.Seq}, db.BulkFailed, "", problem)
			return
		}
		if err := s.store.SetBulkMoveOut(ctx, id, it.Seq, m.ID, s.now()); err != nil {
			s.logger.Error("bulk move-out not linked", "bulk_id", id, "err", err)
		}
	})
}
