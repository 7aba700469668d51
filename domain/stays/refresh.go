package stays

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
)

// recentStays is how long after check-out a reservation still shows on its property's page.
const recentStays = 7 * 24 * time.Hour

// scope names what a refresh of a property's reservations or invitations stamps (db.AccessRefreshedAt).
func scope(kind string, propertyID int64) string {
	return kind + ":" + strconv.FormatInt(propertyID, 10)
}

// Stale reports whether a property's reservations or invitations were last read from the upstream longer than
// RefreshAfter ago (or never): the page then asks for a refresh once it has loaded.
func (s *Service) Stale(ctx context.Context, propertyID int64) (bool, error) {
	now := s.now()
	for _, kind := range []string{"reservations", "invitations"} {
		at, err := s.store.AccessRefreshedAt(ctx, scope(kind, propertyID))
		if err != nil || now.Sub(at) >= RefreshAfter {
			return err == nil, err
		}
	}
	return false, nil
}

// RefreshProperty re-reads a property's reservations and invitations from the upstream when the mirror's copy is
// older than RefreshAfter, waiting at most RefreshWait. A failure is returned for the page to mention; the mirror
// then stays as it was.
func (s *Service) RefreshProperty(ctx context.Context, propertyID int64) error {
	ctx, cancel := context.WithTimeout(ctx, RefreshWait)
	defer cancel()
	now := s.now()
	if at, err := s.store.AccessRefreshedAt(ctx, scope("reservations", propertyID)); err != nil {
		return err
	} else if now.Sub(at) >= RefreshAfter {
		rs, err := s.up.ReservationsOf(ctx, propertyID)
		if err != nil {
			return fmt.Errorf("reservations of property %d: %w", propertyID, err)
		}
		mirror := make([]db.Reservation, 0, len(rs))
		for _, r := range rs {
			mirror = append(mirror, MirrorReservation(r))
		}
		if err := s.store.ReplacePropertyReservations(ctx, propertyID, mirror, now); err != nil {
			return err
		}
	}
	if at, err := s.store.AccessRefreshedAt(ctx, scope("invitations", propertyID)); err != nil {
		return err
	} else if now.Sub(at) >= RefreshAfter {
		return s.refreshInvitations(ctx, propertyID, now)
	}
	return nil
}

func (s *Service) refreshInvitations(ctx context.Context, propertyID int64, now time.Time) error {
	list, err := s.up.InvitationsOf(ctx, propertyID, "")
	if err != nil {
		return fmt.Errorf("invitations of property %d: %w", propertyID, err)
	}
	mirror, err := mirrorInvitations(list)
	if err != nil {
		return err
	}
	return s.store.ReplacePropertyInvitations(ctx, propertyID, mirror, now)
}

// RefreshAllInvitations re-reads invitations across properties for the search page, when older than
// RefreshAfter. A list longer than the refresh reads is merged as far as it was read.
func (s *Service) RefreshAllInvitations(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, RefreshWait)
	defer cancel()
	now := s.now()
	at, err := s.store.AccessRefreshedAt(ctx, "invitations:all")
	if err != nil || now.Sub(at) < RefreshAfter {
		return err
	}
	list, err := s.up.AllInvitations(ctx)
	if err != nil && !errors.Is(err, upstream.ErrListCapped) {
		return fmt.Errorf("invitations: %w", err)
	}
	mirror, err := mirrorInvitations(list)
	if err != nil {
		return err
	}
	_, err = s.store.MergeInvitations(ctx, mirror, "invitations:all", now)
	return err
}

// PropertyStays are the reservations and invitations a property's page lists.
type PropertyStays struct {
	Reservations []db.Reservation // those not ended more than a week ago
	Invitations  []db.Invitation
}

// OfProperty reads a property's stays from the mirror, never waiting on the upstream.
func (s *Service) OfProperty(ctx context.Context, propertyID int64) (PropertyStays, error) {
	var out PropertyStays
	var err error
	if out.Reservations, err = s.store.ReservationsByProperty(ctx, propertyID, s.now().Add(-recentStays)); err != nil {
		return out, err
	}
	out.Invitations, err = s.store.InvitationsByProperty(ctx, propertyID)
	return out, err
}

// MirrorReservation is the mirror's copy of an upstream reservation, in UTC.
func MirrorReservation(r smarthome.Reservation) db.Reservation {
	return db.Reservation{ID: r.ID, PropertyID: r.PropertyID, GuestName: r.GuestName, GuestEmail: r.GuestEmail,
		GuestPhone: r.GuestPhone, CheckIn: r.CheckIn.UTC(), CheckOut: r.CheckOut.UTC(),
		BufferBeforeMinutes: r.BufferBeforeMinutes, BufferAfterMinutes: r.BufferAfterMinutes, LockCodeID: r.LockCodeID,
		Status: r.Status, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// MirrorInvitation is the mirror's copy of an upstream invitation: it maps the upstream's MM/DD/YYYY dates to the
// mirror's YYYY-MM-DD.
func MirrorInvitation(inv smarthome.Invitation) (db.Invitation, error) {
	m := db.Invitation{ID: inv.ID, PropertyID: inv.PropertyID, Email: inv.Email, Name: inv.Name, Status: inv.Status,
		LockCodeID: inv.LockCodeID, CreatedAt: inv.CreatedAt.UTC(), UpdatedAt: inv.UpdatedAt.UTC()}
	from, err := time.Parse(smarthome.InvitationDateLayout, inv.FromTime)
	if err != nil {
		return m, fmt.Errorf("invitation %d: from_time %q: %w", inv.ID, clip.String(inv.FromTime, 20), err)
	}
	m.FromDate = from.Format(DateLayout)
	if inv.ToTime != nil && *inv.ToTime != "" {
		to, err := time.Parse(smarthome.InvitationDateLayout, *inv.ToTime)
		if err != nil {
			return m, fmt.Errorf("invitation %d: to_time %q: %w", inv.ID, clip.String(*inv.ToTime, 20), err)
		}
		m.ToDate = to.Format(DateLayout)
	}
	return m, nil
}

func mirrorInvitations(list []smarthome.Invitation) ([]db.Invitation, error) {
	mirror := make([]db.Invitation, 0, len(list))
	for _, inv := range list {
		m, err := MirrorInvitation(inv)
		if err != nil {
			return nil, err
		}
		mirror = append(mirror, m)
	}
	return mirror, nil
}
