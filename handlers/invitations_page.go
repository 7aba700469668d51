package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// loadInvitation reads the path's invitation and its property from the mirror.
func (a *stayPages) loadInvitation(r *http.Request) (db.Invitation, db.Property, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return db.Invitation{}, db.Property{}, notFound()
	}
	inv, err := a.Store.Invitation(r.Context(), id)
	if err != nil {
		return db.Invitation{}, db.Property{}, err
	}
	p, err := a.Store.Property(r.Context(), inv.PropertyID)
	return inv, p, err
}

// invitationPageParts are the submitted forms (and the link just made) an invitation page shows instead of fresh ones.
type invitationPageParts struct {
	form     *views.InvitationFormData
	linkForm *views.GuestLinkFormData
	newLink  *views.NewGuestLinkData
}

func (a *stayPages) invitationPage(r *http.Request, inv db.Invitation, p db.Property, parts invitationPageParts) (views.InvitationPageData, error) {
	loc := tz.Load(p.TimeZone)
	id := strconv.FormatInt(inv.ID, 10)
	d := views.InvitationPageData{Row: invitationRow(inv, p.Name), TimeZone: p.TimeZone, NewLink: parts.newLink}
	names, err := a.lockNames(r.Context(), p.ID)
	if err != nil {
		return d, err
	}
	d.CodeStatus = a.codeStatus(r.Context(), inv.LockCodeID, names, loc, "invitation-code-status-"+id, invitationURL(inv.ID)+"/code")
	links, err := a.Store.GuestLinksByInvitation(r.Context(), inv.ID)
	if err != nil {
		return d, err
	}
	for _, l := range links {
		d.Links = append(d.Links, a.linkRow(r, l, inv, names, loc))
	}
	if parts.form == nil {
		parts.form = &views.InvitationFormData{Name: inv.Name, From: inv.FromDate, To: inv.ToDate}
	}
	parts.form.Action, parts.form.Editing = invitationURL(inv.ID), true
	d.Form = *parts.form
	if parts.linkForm == nil {
		parts.linkForm = &views.GuestLinkFormData{GuestName: clip.String(inv.Name, stays.MaxLinkGuestName)}
	}
	parts.linkForm.Action = invitationURL(inv.ID) + "/links"
	d.LinkForm = *parts.linkForm
	return d, nil
}

// guestLinkStatus is how a guest link reads now.
func guestLinkStatus(l db.GuestLink, inv db.Invitation, now time.Time) (label, kind string) {
	switch {
	case l.RevokedAt != nil || inv.Status != db.InvitationActive:
		return "Revoked", "danger"
	case now.Before(l.StartsAt):
		return "Scheduled", "info"
	case now.Before(l.EndsAt):
		return "Active", "ok"
	default:
		return "Expired", "muted"
	}
}

func (a *stayPages) linkRow(r *http.Request, l db.GuestLink, inv db.Invitation, names map[string]string, loc *time.Location) views.GuestLinkRowData {
	row := views.GuestLinkRowData{ID: strconv.FormatInt(l.ID, 10), GuestName: l.GuestName, Uses: l.Uses,
		Unlocks: l.Unlocks, AllowUnlock: l.AllowUnlock, Window: stays.SpanText(l.StartsAt, l.EndsAt, loc)}
	row.Status, row.StatusKind = guestLinkStatus(l, inv, a.Stays.Now())
	row.LastUsed, row.LastUsedISO = localTimes(l.LastUsedAt, loc)
	if l.RevokedAt == nil {
		row.RevokeURL = guestLinkURL(l.ID) + "/revoke"
	}
	if l.LockCodeID != "" && (l.RevokedAt == nil || a.Stays.Now().Sub(*l.RevokedAt) < time.Hour) {
		row.CodeStatus = a.codeStatus(r.Context(), l.LockCodeID, names, loc, "link-code-"+row.ID, "")
	}
	return row
}

func guestLinkURL(id int64) string { return "/guest-links/" + strconv.FormatInt(id, 10) }

func handleInvitation(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		inv, p, err := a.loadInvitation(r)
		if err != nil {
			return err
		}
		d, err := a.invitationPage(r, inv, p, invitationPageParts{})
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.InvitationPage(a.meta(r, inv.Email, views.NavInvitations), d))
	})
}

// handleInvitationUpdate changes the name or dates upstream (the resident's code follows), then mirrors and audits.
func handleInvitationUpdate(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		inv, p, err := a.loadInvitation(r)
		if err != nil {
			return err
		}
		if err := parseAccessForm(w, r); err != nil {
			return err
		}
		in, form, probs := a.parseInvitationForm(r, &inv, p)
		if inv.Status != db.InvitationActive {
			probs = append(probs, "This invitation was removed and can no longer be changed.")
		}
		status := http.StatusUnprocessableEntity
		if len(probs) == 0 {
			m, err := a.Stays.UpdateInvitation(r.Context(), inv, in.update())
			if err == nil {
				return a.savedInvitation(w, r, inv, m, p)
			}
			if errors.Is(err, stays.ErrNotRecorded) {
				return err
			}
			var msg string
			status, msg = a.failForm(r, err, auditRecord{action: "invitation.update", targetType: "invitation",
				targetID: strconv.FormatInt(inv.ID, 10), propertyID: &p.ID})
			probs = []string{msg}
		}
		form.Errors = probs
		d, err := a.invitationPage(r, inv, p, invitationPageParts{form: &form})
		if err != nil {
			return err
		}
		return render(w, r, status, views.InvitationPage(a.meta(r, inv.Email, views.NavInvitations), d))
	})
}

// savedInvitation audits a saved change and sends the browser back to the invitation.
func (a *stayPages) savedInvitation(w http.ResponseWriter, r *http.Request, old, m db.Invitation, p db.Property) error {
	audit(r, a.Store, a.Logger, auditRecord{action: "invitation.update", targetType: "invitation",
		targetID: strconv.FormatInt(old.ID, 10), propertyID: &p.ID, outcome: db.OutcomeOK,
		detail: old.FromDate + " – " + dashIfEmptyText(old.ToDate) + " → " + m.FromDate + " – " + dashIfEmptyText(m.ToDate)})
	redirect(w, r, invitationURL(old.ID)+"?flash=invitation-saved")
	return nil
}

// handleInvitationCode answers the code-state fragment the invitation page polls while the code changes.
func handleInvitationCode(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		inv, p, err := a.loadInvitation(r)
		if err != nil {
			return err
		}
		names, err := a.lockNames(r.Context(), p.ID)
		if err != nil {
			return err
		}
		s := a.codeStatus(r.Context(), inv.LockCodeID, names, tz.Load(p.TimeZone),
			"invitation-code-status-"+strconv.FormatInt(inv.ID, 10), invitationURL(inv.ID)+"/code")
		return render(w, r, http.StatusOK, views.CodeStatus(s))
	})
}

func dashIfEmptyText(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
