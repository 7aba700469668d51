package stays

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// CreateInvitation invites the resident upstream (which makes their code), then mirrors the invitation as made by
// user by, and returns its id. A failure after the upstream step is ErrNotRecorded.
func (s *Service) CreateInvitation(ctx context.Context, req smarthome.InvitationRequest, by int64) (int64, error) {
	id, err := s.up.CreateInvitation(ctx, req)
	if err != nil {
		return 0, err
	}
	if err := s.mirrorNewInvitation(ctx, id, req, by); err != nil {
		return id, fmt.Errorf("%w: invitation %d: %w", ErrNotRecorded, id, err)
	}
	return id, nil
}

// mirrorNewInvitation reads the invitation the upstream just made (its create answer carries only the id) and
// stores it; if the read fails, the mirror gets the invitation as it was asked for, and a refresh corrects it.
func (s *Service) mirrorNewInvitation(ctx context.Context, id int64, req smarthome.InvitationRequest, by int64) error {
	now := s.now()
	m := db.Invitation{ID: id, PropertyID: req.PropertyID, Email: req.Email, Name: req.Name,
		FromDate: req.From.Format(DateLayout), Status: db.InvitationActive, CreatedAt: now, UpdatedAt: now}
	if !req.To.IsZero() {
		m.ToDate = req.To.Format(DateLayout)
	}
	list, err := s.up.InvitationsOf(ctx, req.PropertyID, req.Email)
	for _, inv := range list {
		if inv.ID == id {
			if got, merr := MirrorInvitation(inv); merr == nil {
				m = got
			}
		}
	}
	if err != nil {
		s.logger.Warn("read new invitation", slog.Int64("invitation_id", id), slog.Any("err", err))
	}
	m.CreatedBy, m.SyncedAt = &by, now
	return s.store.UpsertInvitation(ctx, m)
}

// UpdateInvitation changes an invitation's name or dates upstream (the resident's code follows), then mirrors it.
// A failure after the upstream step is ErrNotRecorded.
func (s *Service) UpdateInvitation(ctx context.Context, old db.Invitation, upd smarthome.InvitationUpdate) (db.Invitation, error) {
	updated, err := s.up.UpdateInvitation(ctx, old.ID, upd)
	if err != nil {
		return db.Invitation{}, err
	}
	m, err := MirrorInvitation(*updated)
	if err != nil {
		return m, fmt.Errorf("%w: invitation %d: %w", ErrNotRecorded, old.ID, err)
	}
	m.SyncedAt = s.now()
	if err := s.store.UpsertInvitation(ctx, m); err != nil {
		return m, fmt.Errorf("%w: invitation %d: %w", ErrNotRecorded, old.ID, err)
	}
	s.codes.Forget(old.LockCodeID)
	return m, nil
}
