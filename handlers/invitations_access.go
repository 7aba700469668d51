package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
)

// Limits and defaults of the access features (reservations, invitations, guest links, move-outs).
const (
	accessRefreshAfter = 30 * time.Second // a property's reservations and invitations are re-read when older
	accessRefreshWait  = 3 * time.Second  // how long a re-read waits for the upstream before showing the mirror
	accessCodeStateTTL = 2 * time.Second  // per-lock code states are cached this long (progress views poll)
	accessFormBytes    = 64 << 10         // the largest form body an access form accepts
)

// access is what the reservation, invitation, guest-link and move-out handlers share: the server's collaborators,
// a clock (tests move it), the cache of lock-code states and the guest-link rate limits.
type access struct {
	Deps
	now   func() time.Time
	codes *accessCodeStates
	limit guestLimits
}

func newAccess(d Deps) *access {
	return &access{Deps: d, now: nowUTC, codes: newAccessCodeStates(accessCodeStateTTL), limit: newGuestLimits()}
}

// accessScope names what a refresh of a property's reservations or invitations stamps (db.AccessRefreshedAt).
func accessScope(kind string, propertyID int64) string {
	return kind + ":" + strconv.FormatInt(propertyID, 10)
}

// accessStale reports whether a property's reservations or invitations were last read from the upstream longer
// than accessRefreshAfter ago (or never).
func (a *access) accessStale(ctx context.Context, propertyID int64) (bool, error) {
	now := a.now()
	for _, kind := range []string{"reservations", "invitations"} {
		at, err := a.Store.AccessRefreshedAt(ctx, accessScope(kind, propertyID))
		if err != nil || now.Sub(at) >= accessRefreshAfter {
			return err == nil, err
		}
	}
	return false, nil
}

// refreshProperty re-reads a property's reservations and invitations from the upstream when the mirror's copy is
// older than accessRefreshAfter, waiting at most accessRefreshWait. A failure is returned for the page to mention;
// the mirror then stays as it was.
func (a *access) refreshProperty(ctx context.Context, propertyID int64) error {
	ctx, cancel := context.WithTimeout(ctx, accessRefreshWait)
	defer cancel()
	now := a.now()
	if at, err := a.Store.AccessRefreshedAt(ctx, accessScope("reservations", propertyID)); err != nil {
		return err
	} else if now.Sub(at) >= accessRefreshAfter {
		rs, err := a.Upstream.ReservationsOf(ctx, propertyID)
		if err != nil {
			return fmt.Errorf("reservations of property %d: %w", propertyID, err)
		}
		mirror := make([]db.Reservation, 0, len(rs))
		for _, r := range rs {
			mirror = append(mirror, mirrorReservation(r))
		}
		if err := a.Store.ReplacePropertyReservations(ctx, propertyID, mirror, now); err != nil {
			return err
		}
	}
	if at, err := a.Store.AccessRefreshedAt(ctx, accessScope("invitations", propertyID)); err != nil {
		return err
	} else if now.Sub(at) >= accessRefreshAfter {
		return a.refreshPropertyInvitations(ctx, propertyID, now)
	}
	return nil
}

func (a *access) refreshPropertyInvitations(ctx context.Context, propertyID int64, now time.Time) error {
	list, err := a.Upstream.InvitationsOf(ctx, propertyID, "")
	if err != nil {
		return fmt.Errorf("invitations of property %d: %w", propertyID, err)
	}
	mirror := make([]db.Invitation, 0, len(list))
	for _, inv := range list {
		m, err := mirrorInvitation(inv)
		if err != nil {
			return err
		}
		mirror = append(mirror, m)
	}
	return a.Store.ReplacePropertyInvitations(ctx, propertyID, mirror, now)
}

// refreshAllInvitations re-reads invitations across properties for the search page, when older than
// accessRefreshAfter. A list longer than the refresh reads is merged as far as it was read.
func (a *access) refreshAllInvitations(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, accessRefreshWait)
	defer cancel()
	now := a.now()
	at, err := a.Store.AccessRefreshedAt(ctx, "invitations:all")
	if err != nil || now.Sub(at) < accessRefreshAfter {
		return err
	}
	list, err := a.Upstream.AllInvitations(ctx)
	if err != nil && !errors.Is(err, upstream.ErrListCapped) {
		return fmt.Errorf("invitations: %w", err)
	}
	mirror := make([]db.Invitation, 0, len(list))
	for _, inv := range list {
		m, err := mirrorInvitation(inv)
		if err != nil {
			return err
		}
		mirror = append(mirror, m)
	}
	_, err = a.Store.MergeInvitations(ctx, mirror, "invitations:all", now)
	return err
}

// refreshNotice is what a page says when the upstream could not be read: the mirror it shows may be behind.
func (a *access) refreshNotice(r *http.Request, err error) string {
	if err == nil {
		return ""
	}
	a.Logger.LogAttrs(r.Context(), slog.LevelWarn, "access refresh failed", slog.Any("err", err))
	return "The Smart Home service could not be read just now (" + upstream.ErrorText(err) +
		"); this shows what the dashboard last knew. Reload in a minute."
}

func mirrorReservation(r smarthome.Reservation) db.Reservation {
	return db.Reservation{ID: r.ID, PropertyID: r.PropertyID, GuestName: r.GuestName, GuestEmail: r.GuestEmail,
		GuestPhone: r.GuestPhone, CheckIn: r.CheckIn.UTC(), CheckOut: r.CheckOut.UTC(),
		BufferBeforeMinutes: r.BufferBeforeMinutes, BufferAfterMinutes: r.BufferAfterMinutes, LockCodeID: r.LockCodeID,
		Status: r.Status, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// mirrorInvitation maps the upstream's MM/DD/YYYY dates to the mirror's YYYY-MM-DD.
func mirrorInvitation(inv smarthome.Invitation) (db.Invitation, error) {
	m := db.Invitation{ID: inv.ID, PropertyID: inv.PropertyID, Email: inv.Email, Name: inv.Name, Status: inv.Status,
		LockCodeID: inv.LockCodeID, CreatedAt: inv.CreatedAt.UTC(), UpdatedAt: inv.UpdatedAt.UTC()}
	from, err := time.Parse(smarthome.InvitationDateLayout, inv.FromTime)
	if err != nil {
		return m, fmt.Errorf("invitation %d: from_time %q: %w", inv.ID, clip.String(inv.FromTime, 20), err)
	}
	m.FromDate = from.Format(accessDateLayout)
	if inv.ToTime != nil && *inv.ToTime != "" {
		to, err := time.Parse(smarthome.InvitationDateLayout, *inv.ToTime)
		if err != nil {
			return m, fmt.Errorf("invitation %d: to_time %q: %w", inv.ID, clip.String(*inv.ToTime, 20), err)
		}
		m.ToDate = to.Format(accessDateLayout)
	}
	return m, nil
}

// upstreamProblem turns an upstream failure into the status and message a form shows: what failed and what to do.
// The upstream's own message is included where it explains a refusal (templ escapes it).
func upstreamProblem(err error) (int, string) {
	var apiErr *smarthome.ErrorResponse
	msg := strings.TrimSuffix(upstream.Message(err), ".")
	if !errors.As(err, &apiErr) && errors.Is(err, smarthome.ErrValidation) {
		msg = strings.TrimPrefix(err.Error(), smarthome.ErrValidation.Error()+": ") // the client's check, before sending
	}
	switch {
	case upstream.Class(err) != "":
		return faultAnswer(upstream.Class(err))
	case errors.Is(err, smarthome.ErrValidation):
		return http.StatusUnprocessableEntity, "The Smart Home service did not accept this: " + msg +
			". Nothing was changed; correct the form and send it again."
	case errors.Is(err, smarthome.ErrConflict):
		return http.StatusConflict, "The Smart Home service refused this because of a conflict: " + msg +
			". Nothing was changed; reload the page to see the current state."
	case errors.Is(err, smarthome.ErrNotFound):
		return http.StatusNotFound, "The Smart Home service no longer has this item (" + msg +
			"). Nothing was changed; reload the property page."
	case errors.Is(err, smarthome.ErrRateLimited):
		return http.StatusServiceUnavailable, "The Smart Home service is busy. Nothing was changed; send the form again in a minute."
	case errors.Is(err, smarthome.ErrUnauthorized):
		return http.StatusBadGateway, "The Smart Home service rejected the dashboard's credentials. Nothing was changed; " +
			"ask an administrator to check SMARTHOME_USERNAME and SMARTHOME_PASSWORD."
	case errors.Is(err, smarthome.ErrForbidden):
		return http.StatusForbidden, "The Smart Home service does not allow this for the dashboard's account: " + msg +
			". Nothing was changed; ask an administrator."
	default:
		return http.StatusBadGateway, "The Smart Home service failed or did not answer. Nothing was saved in the " +
			"dashboard; reload the page in a minute to check whether the change arrived before sending it again."
	}
}
