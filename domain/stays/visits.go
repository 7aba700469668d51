package stays

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/keyless/dashboard/db"
)

// GuestState is where a link stands for its guest: it cannot be used (invalid, expired), or its window is ahead or
// open.
type GuestState int

// Where a guest link stands.
const (
	GuestInvalid GuestState = iota // unknown, revoked, or its invitation was removed: one answer for all
	GuestExpired
	GuestBefore
	GuestOpen
)

// Visit is a resolved guest link: the link, its property and where it stands.
type Visit struct {
	Link     db.GuestLink
	Property db.Property
	State    GuestState
}

// Usable reports whether the link's page may be shown (its window is ahead or open).
func (v Visit) Usable() bool { return v.State == GuestBefore || v.State == GuestOpen }

// ResolveGuestLink finds the link of a token hash and where it stands at now. Store failures are errors; an unknown
// token is GuestInvalid.
func (s *Service) ResolveGuestLink(ctx context.Context, tokenHash string, now time.Time) (Visit, error) {
	l, err := s.store.GuestLinkByTokenHash(ctx, tokenHash)
	if errors.Is(err, db.ErrNotFound) {
		return Visit{State: GuestInvalid}, nil
	}
	if err != nil {
		return Visit{}, err
	}
	v := Visit{Link: l, State: GuestInvalid}
	inv, err := s.store.Invitation(ctx, l.InvitationID)
	if err != nil {
		return Visit{}, err
	}
	if v.Property, err = s.store.Property(ctx, l.PropertyID); err != nil {
		return Visit{}, err
	}
	switch {
	case l.RevokedAt != nil || inv.Status != db.InvitationActive:
	case !now.Before(l.EndsAt):
		v.State = GuestExpired
	case now.Before(l.StartsAt):
		v.State = GuestBefore
	default:
		v.State = GuestOpen
	}
	return v, nil
}

// ErrNoGuestCode is why a guest's code is not shown: the window is not open, the link has no code, or the upstream
// could not be read.
var ErrNoGuestCode = errors.New("stays: the guest's code cannot be shown")

// GuestCode reads the visit's PIN from the upstream, only while its window is open; it is never stored.
func (s *Service) GuestCode(ctx context.Context, v Visit) (string, error) {
	if v.State != GuestOpen {
		return "", ErrNoGuestCode
	}
	lc, err := s.up.CodeState(ctx, v.Link.LockCodeID)
	if err != nil || v.Link.LockCodeID == "" {
		return "", errors.Join(ErrNoGuestCode, err)
	}
	return lc.Code.Reveal(), nil
}

// UnlockOutcome is how a guest's unlock went; it names the message the page shows after the redirect.
type UnlockOutcome string

// How a guest's unlock went.
const (
	UnlockSent   UnlockOutcome = "sent"   // every lock took the command
	UnlockFailed UnlockOutcome = "failed" // one did not, or the locks could not be listed
	UnlockNone   UnlockOutcome = "none"   // the property has no lock
)

// UnlockProperty sends the unlock command to every lock of the visit's property.
func (s *Service) UnlockProperty(ctx context.Context, v Visit) UnlockOutcome {
	devs, err := s.store.DevicesByProperty(ctx, v.Property.ID)
	if err != nil {
		s.logger.Error("guest unlock: list locks", slog.Int64("link_id", v.Link.ID), slog.Any("err", err))
		return UnlockFailed
	}
	sent, failed := 0, 0
	for _, d := range devs {
		if d.Type != "lock" {
			continue
		}
		if err := s.up.GuestUnlock(ctx, d.ID); err != nil {
			s.logger.Warn("guest unlock: command refused", slog.Int64("link_id", v.Link.ID), slog.String("device_id", d.ID),
				slog.Any("err", err))
			failed++
			continue
		}
		sent++
	}
	switch {
	case failed > 0:
		return UnlockFailed
	case sent == 0:
		return UnlockNone
	}
	return UnlockSent
}
