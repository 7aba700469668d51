package bulk

import (
	"context"
	"errors"
	"strconv"

	"github.com/keyless/dashboard/db"
)

// RevokeAction removes every code of one person (by the name the codes carry) from every lock.
type RevokeAction struct {
	Token  string
	Person string
	By     int64
	Codes  []db.LockCode // as found by PersonCodes and confirmed by the person asking
}

// PersonCodes finds the live codes named person, in every property.
func (s *Service) PersonCodes(ctx context.Context, person string) ([]db.LockCode, error) {
	return s.store.LiveLockCodesNamed(ctx, person)
}

// StartRevoke records the action (one item per code) and withdraws the codes in the background through the single
// delete's path (access.Service Withdraw, then MarkDeleted). Over MaxItems codes it is ErrTooMany, nothing sent.
func (s *Service) StartRevoke(ctx context.Context, a RevokeAction) (db.BulkAction, bool, error) {
	rec := db.BulkAction{Kind: db.BulkRevoke, Token: a.Token, Label: a.Person, RequestedBy: &a.By}
	for _, c := range a.Codes {
		rec.Items = append(rec.Items, db.BulkItem{PropertyID: c.PropertyID, LockCodeID: c.ID,
			Label: "“" + c.Name + "” on " + strconv.Itoa(len(c.Devices)) + " lock(s)"})
	}
	b, created, err := s.create(ctx, rec)
	if err != nil || !created {
		return b, false, err
	}
	items := make([]Item, 0, len(b.Items))
	for _, it := range b.Items {
		items = append(items, Item{BulkItem: it})
	}
	s.start(b.ID, func(ctx context.Context) { s.withdraw(ctx, b.ID, items) })
	return b, true, nil
}

// withdraw removes each item's code, Concurrency at a time.
func (s *Service) withdraw(ctx context.Context, id int64, items []Item) {
	s.each(len(items), func(i int) {
		it := items[i]
		c, err := s.store.LockCode(ctx, it.LockCodeID)
		if errors.Is(err, db.ErrNotFound) { // gone already: the outcome asked for
			s.set(ctx, id, []int{it.Seq}, db.BulkSent, "", "")
			return
		}
		if err != nil {
			s.set(ctx, id, []int{it.Seq}, db.BulkFailed, "", "the dashboard could not read the code")
			return
		}
		gone, err := s.codes.Withdraw(ctx, c.ID)
		if err != nil {
			s.set(ctx, id, []int{it.Seq}, db.BulkFailed, "", Reason(err))
			return
		}
		if err := s.codes.MarkDeleted(ctx, c, gone); err != nil {
			s.logger.Warn("bulk revoke: withdrawn upstream, mirror behind", "code_id", c.ID, "err", err)
		}
		s.set(ctx, id, []int{it.Seq}, db.BulkSent, "", "")
	})
}
