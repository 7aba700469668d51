package stays

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// progressTimeout bounds the upstream reads of one look at a move-out's progress.
const progressTimeout = 5 * time.Second

// MoveOutPlan is what a move-out of one resident (or everyone) at a property would remove.
type MoveOutPlan struct {
	Property    db.Property
	Email       string // the resident, or db.MoveOutAll
	Invitations []db.Invitation
	Links       []db.GuestLink // the invitations' guest links that still work
}

// PlanMoveOut re-reads the property's invitations from the upstream (a move-out must act on the truth, not on a
// mirror that may be behind) and lists what the move-out would remove. A failed read is returned with the plan
// built from the mirror.
func (s *Service) PlanMoveOut(ctx context.Context, prop db.Property, email string) (MoveOutPlan, error) {
	plan := MoveOutPlan{Property: prop, Email: email}
	rctx, cancel := context.WithTimeout(ctx, RefreshWait)
	refreshErr := s.refreshInvitations(rctx, prop.ID, s.now())
	cancel()
	invs, err := s.store.ActiveInvitations(ctx, prop.ID, email)
	if err != nil {
		return plan, err
	}
	plan.Invitations = invs
	for _, inv := range invs {
		links, err := s.store.GuestLinksByInvitation(ctx, inv.ID)
		if err != nil {
			return plan, err
		}
		for _, l := range links {
			if l.RevokedAt == nil {
				plan.Links = append(plan.Links, l)
			}
		}
	}
	return plan, refreshErr
}

// MoveOut carries out a plan as user by: it removes the guest links' codes (each removal may be repeated safely),
// then moves the resident(s) out upstream, then records the move-out (invitations removed, links revoked) for its
// progress page. A link whose code is gone is revoked at once, so a retry after a failure does not ask again. A
// failure to record is ErrNotRecorded; any other error means the move-out is not finished upstream.
func (s *Service) MoveOut(ctx context.Context, plan MoveOutPlan, by int64) (db.MoveOut, error) {
	if err := s.performMoveOut(ctx, plan, by); err != nil {
		return db.MoveOut{}, err
	}
	m, err := s.recordMoveOut(ctx, plan, by)
	if err != nil {
		return m, fmt.Errorf("%w: move-out: %w", ErrNotRecorded, err)
	}
	return m, nil
}

func (s *Service) performMoveOut(ctx context.Context, plan MoveOutPlan, by int64) error {
	for _, l := range plan.Links {
		if l.LockCodeID != "" {
			if err := s.up.DeleteTourCode(ctx, l.LockCodeID); err != nil {
				return fmt.Errorf("remove the code of guest link %d: %w", l.ID, err)
			}
		}
		if err := s.store.RevokeGuestLink(ctx, l.ID, &by, s.now()); err != nil {
			return err
		}
	}
	err := s.up.MoveOut(ctx, plan.Property.ID, plan.Email)
	if errors.Is(err, smarthome.ErrNotFound) { // moved out meanwhile, elsewhere: the outcome is the one asked for
		return nil
	}
	return err
}

func (s *Service) recordMoveOut(ctx context.Context, plan MoveOutPlan, by int64) (db.MoveOut, error) {
	m := db.MoveOut{PropertyID: plan.Property.ID, Email: plan.Email, RequestedBy: &by, RequestedAt: s.now()}
	for _, inv := range plan.Invitations {
		label := inv.Email
		if inv.Name != "" {
			label = inv.Name + " (" + inv.Email + ")"
		}
		m.Items = append(m.Items, db.MoveOutItem{Kind: db.MoveOutInvitation, RefID: inv.ID, Label: "Invitation of " + label,
			LockCodeID: inv.LockCodeID})
		s.codes.Forget(inv.LockCodeID)
	}
	for _, l := range plan.Links {
		m.Items = append(m.Items, db.MoveOutItem{Kind: db.MoveOutGuestLink, RefID: l.ID, Label: "Guest link of " + l.GuestName,
			LockCodeID: l.LockCodeID})
		s.codes.Forget(l.LockCodeID)
	}
	return s.store.RecordMoveOut(ctx, m)
}

// ConfirmRemovals reads, for every removal of m not yet confirmed, its code's state from the upstream, and records
// the ones the hardware has now confirmed gone from every lock, so a finished move-out stops asking. It returns the
// move-out as stored afterwards and, by item, what was read (zero for items confirmed before).
func (s *Service) ConfirmRemovals(ctx context.Context, m db.MoveOut) (db.MoveOut, []Reading, error) {
	ctx, cancel := context.WithTimeout(ctx, progressTimeout)
	defer cancel()
	var confirmed []string
	readings := make([]Reading, len(m.Items))
	for i, it := range m.Items {
		if it.ConfirmedAt != nil {
			continue
		}
		st, err := s.CodeState(ctx, it.LockCodeID)
		readings[i] = Reading{State: st, Err: err}
		if err == nil && st.Removed() {
			confirmed = append(confirmed, it.LockCodeID)
		}
	}
	if len(confirmed) == 0 {
		return m, readings, nil
	}
	if err := s.store.ConfirmMoveOutCodes(ctx, m.ID, confirmed, s.now()); err != nil {
		return m, nil, err
	}
	m, err := s.store.MoveOut(ctx, m.ID)
	return m, readings, err
}
