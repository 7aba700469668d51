package access

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// Create asks the upstream for a new code (one bounded call). The caller mirrors it with StoreNew; an unanswered
// request may still have created it, which the next sync of the property shows.
func (s *Service) Create(ctx context.Context, req smarthome.LockCodeRequest) (*smarthome.LockCode, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return s.up.CreateLockCode(ctx, req)
}

// StoreNew mirrors a code just created upstream, as issued by the person issuer, and watches it until its locks
// answer. If the mirror cannot take it, the code is withdrawn upstream, so that nothing exists that the dashboard
// does not know it issued.
func (s *Service) StoreNew(ctx context.Context, propertyID int64, lc *smarthome.LockCode, issuer int64, now time.Time) error {
	return s.StoreNewWith(ctx, propertyID, lc, issuer, now, Terms{})
}

// StoreNewWith is StoreNew for a code with terms (a vendor code, a limited-use code, an adopted one), written in
// the same transaction as the code.
func (s *Service) StoreNewWith(ctx context.Context, propertyID int64, lc *smarthome.LockCode, issuer int64, now time.Time, t Terms) error {
	c, err := s.mirrorCode(s.zones(ctx), lc, propertyID, nil, now)
	if err == nil {
		c.CreatedBy = &issuer
		c.SetTerms, c.Kind, c.Company, c.MaxUses, c.AdoptedFrom = true, t.Kind, t.Company, t.MaxUses, t.AdoptedFrom
		err = s.store.UpsertLockCode(ctx, c)
	}
	if err == nil {
		s.tracker.Track(lc.ID)
		return nil
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callTimeout)
	defer cancel()
	if derr := s.up.DeleteLockCode(dctx, lc.ID); derr != nil {
		s.logger.Error("lock code created upstream but neither stored nor withdrawn",
			slog.String("code_id", lc.ID), slog.Any("err", derr))
	}
	return fmt.Errorf("store new lock code %s: %w", lc.ID, err)
}

// ApplyUpdate sends a change (or a retry) upstream, then mirrors the answer, pushes the new states and watches
// the code until its locks answer.
func (s *Service) ApplyUpdate(ctx context.Context, c db.LockCode, u smarthome.LockCodeUpdate) error {
	if s.sealer == nil {
		return ErrNoKey
	}
	uctx, cancel := context.WithTimeout(ctx, callTimeout)
	lc, err := s.up.UpdateLockCode(uctx, c.ID, u)
	cancel()
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	row, err := s.mirrorCode(s.zones(ctx), lc, c.PropertyID, &c, now)
	if err == nil {
		err = s.store.UpsertLockCode(ctx, row)
	}
	s.tracker.Track(c.ID) // even if the mirror failed: the tracker re-reads it
	if err != nil {
		return fmt.Errorf("mirror updated lock code %s: %w", c.ID, err)
	}
	if cur, err := s.store.LockCode(ctx, c.ID); err == nil {
		s.notify(ctx, &c, cur)
	}
	return nil
}

// Resend sends a code to its locks again, unchanged (the upstream re-sets every lock on any update).
func (s *Service) Resend(ctx context.Context, c db.LockCode) error {
	name := c.Name
	return s.ApplyUpdate(ctx, c, smarthome.LockCodeUpdate{Name: &name})
}

// Withdraw asks the upstream to remove a code from its locks. gone means the upstream no longer had it, which
// counts as withdrawn; any other error means nothing changed.
func (s *Service) Withdraw(ctx context.Context, id string) (gone bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	err = s.up.DeleteLockCode(ctx, id)
	if errors.Is(err, smarthome.ErrNotFound) {
		return true, nil
	}
	return false, err
}

// MarkDeleted records a withdrawn code as deleted in the mirror (removed at once when gone), pushes its new
// states and watches it until its locks let it go. Whatever the mirror says, the tracker brings it along.
func (s *Service) MarkDeleted(ctx context.Context, c db.LockCode, gone bool) error {
	if err := s.store.MarkLockCodeDeleted(ctx, c.ID, time.Now().UTC(), gone); err != nil {
		s.tracker.Track(c.ID) // the upstream deleted it: the tracker brings the mirror along
		return err
	}
	if cur, err := s.store.LockCode(ctx, c.ID); err == nil {
		s.notify(ctx, &c, cur)
	}
	s.tracker.Track(c.ID)
	return nil
}

// IssueHubUnlock asks the upstream for a one-off code for every lock of a hub (one bounded call). The PIN is only
// shown, never stored.
func (s *Service) IssueHubUnlock(ctx context.Context, req smarthome.HubUnlockRequest) (smarthome.PIN, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return s.up.IssueHubUnlock(ctx, req)
}

// IssueUnlock asks the upstream for a one-off lockbox, Rently Blue or Smart Bolt code (one bounded call). The PIN
// is only shown, never stored.
func (s *Service) IssueUnlock(ctx context.Context, req smarthome.UnlockV2Request) (smarthome.PIN, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	return s.up.IssueUnlockV2(ctx, req)
}
