package stays

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/smarthome"
)

// Guest link limits.
const (
	MaxLinkGuestName = smarthome.MaxCodeNameLength - len(tourCodePrefix) // the code is named "Tour: <guest>"
	MaxLinkWindow    = 14 * 24 * time.Hour                               // the longest visit a link allows
	tourCodePrefix   = "Tour: "
	tourCodeAttempts = 3 // a drawn PIN that is already on a lock (409) is drawn again this often
)

// Why a guest link's window is refused (CheckLinkWindow), so the form can say how to correct it.
var (
	ErrWindowOrder   = errors.New("stays: the window ends before it starts")
	ErrWindowOver    = errors.New("stays: the window has already ended")
	ErrWindowTooLong = errors.New("stays: the window is longer than MaxLinkWindow")
	ErrWindowOutside = errors.New("stays: the window is outside the invitation's dates")
)

// LinkRequest is a guest link staff asked for, its fields checked.
type LinkRequest struct {
	GuestName, Instructions string
	Starts, Ends            time.Time
	AllowUnlock             bool
}

// CheckLinkWindow reports whether a link's window may be given for invitation inv, whose dates are days in loc:
// it ends after it starts and after now, lasts at most MaxLinkWindow and falls within the invitation's days.
func CheckLinkWindow(inv db.Invitation, loc *time.Location, starts, ends, now time.Time) error {
	from, _ := DayStart(inv.FromDate, loc)
	to, toErr := DayEnd(inv.ToDate, loc)
	switch {
	case !ends.After(starts):
		return ErrWindowOrder
	case !ends.After(now):
		return ErrWindowOver
	case ends.Sub(starts) > MaxLinkWindow:
		return ErrWindowTooLong
	case starts.Before(from) || (toErr == nil && ends.After(to)):
		return ErrWindowOutside
	}
	return nil
}

// newTourPIN draws a 6-digit PIN from the system's random source.
func newTourPIN() (smarthome.PIN, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return smarthome.PIN(fmt.Sprintf("%06d", n.Int64())), nil
}

// createTourCode puts a code valid exactly for the window on every lock of the property, drawing a new PIN when
// the drawn one is already on a lock.
func (s *Service) createTourCode(ctx context.Context, p db.Property, in LinkRequest) (*smarthome.LockCode, error) {
	var lastErr error
	for range tourCodeAttempts {
		pin, err := newTourPIN()
		if err != nil {
			return nil, err
		}
		req := smarthome.LockCodeRequest{Name: tourCodePrefix + in.GuestName, Code: pin, PropertyID: p.ID}
		req.SetSpecificPeriod(in.Starts, in.Ends, tz.Load(p.TimeZone))
		lc, err := s.up.CreateTourCode(ctx, req)
		if !errors.Is(err, smarthome.ErrConflict) {
			return lc, err
		}
		lastErr = err
	}
	return nil, lastErr
}

// CreateGuestLink makes a guest link of invitation inv: the code on the locks first (upstream), then the link
// (store) under tokenHash, made by user by. If the store fails, the code is deleted again so nothing is left
// half-made, and the error is ErrNotRecorded; any other error is the upstream's.
func (s *Service) CreateGuestLink(ctx context.Context, inv db.Invitation, p db.Property, in LinkRequest, tokenHash string,
	by int64) (db.GuestLink, error) {
	lc, err := s.createTourCode(ctx, p, in)
	if err != nil {
		return db.GuestLink{}, err
	}
	link, err := s.store.CreateGuestLink(ctx, db.GuestLink{TokenHash: tokenHash, InvitationID: inv.ID,
		PropertyID: p.ID, GuestName: in.GuestName, StartsAt: in.Starts, EndsAt: in.Ends, Instructions: in.Instructions,
		AllowUnlock: in.AllowUnlock, LockCodeID: lc.ID, CreatedBy: &by, CreatedAt: s.now()})
	if err != nil {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if derr := s.up.DeleteTourCode(ctx, lc.ID); derr != nil {
			s.logger.LogAttrs(ctx, slog.LevelError, "orphan tour code left on the locks", slog.String("lock_code_id", lc.ID),
				slog.Any("err", derr))
		}
		return db.GuestLink{}, fmt.Errorf("%w: guest link: %w", ErrNotRecorded, err)
	}
	return link, nil
}

// RevokeGuestLink removes the link's code from the locks upstream, then revokes the link as user by. An upstream
// failure leaves the link working; a store failure after it is ErrNotRecorded.
func (s *Service) RevokeGuestLink(ctx context.Context, l db.GuestLink, by int64) error {
	if l.LockCodeID != "" {
		if err := s.up.DeleteTourCode(ctx, l.LockCodeID); err != nil {
			return err
		}
		s.codes.Forget(l.LockCodeID)
	}
	if err := s.store.RevokeGuestLink(ctx, l.ID, &by, s.now()); err != nil {
		return fmt.Errorf("%w: guest link %d: %w", ErrNotRecorded, l.ID, err)
	}
	return nil
}
