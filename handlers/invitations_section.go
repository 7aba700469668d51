package handlers

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// accessPropertySection adds the reservations and invitations of a property to its page, for staff who manage
// access. It shows the mirror at once, so the page never waits on the upstream; when the mirror's copy is older
// than stays.RefreshAfter the section re-reads itself once the page has loaded (handleAccessSection).
func accessPropertySection(r *http.Request, d Deps, p propertyView) (templ.Component, error) {
	if !currentUser(r.Context()).can(auth.ManageAccess) || d.Upstream == nil {
		return nil, nil
	}
	a := &stayPages{Deps: d}
	stale, err := d.Stays.Stale(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	data, err := a.accessSection(r.Context(), p.Property)
	if err != nil {
		return nil, err
	}
	data.Refresh = stale
	return views.AccessSection(data), nil
}

// handleAccessSection re-reads a property's reservations and invitations from the upstream (waiting at most
// stays.RefreshWait) and answers the section for htmx to swap in; if the upstream fails, the section says so and
// shows the mirror. A plain request (no htmx) goes back to the property page.
func handleAccessSection(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		p, err := a.Store.Property(r.Context(), id)
		if err != nil {
			return err
		}
		refreshErr := a.Stays.RefreshProperty(r.Context(), id)
		if !isHTMX(r) || wantsPage(r) {
			to := "/properties/" + strconv.FormatInt(id, 10)
			if refreshErr != nil {
				a.refreshNotice(r, refreshErr) // logged
				to += "?flash=access-unreadable"
			}
			redirect(w, r, to)
			return nil
		}
		data, err := a.accessSection(r.Context(), p)
		if err != nil {
			return err
		}
		data.Notice = a.refreshNotice(r, refreshErr)
		w.Header().Add("Vary", "HX-Request")
		return render(w, r, http.StatusOK, views.AccessSection(data))
	})
}

// accessSection builds the section from the mirror.
func (a *stayPages) accessSection(ctx context.Context, p db.Property) (views.AccessSectionData, error) {
	data := views.AccessSectionData{PropertyID: strconv.FormatInt(p.ID, 10), TimeZone: p.TimeZone}
	pid := url.QueryEscape(data.PropertyID)
	data.NewReservationURL = "/reservations/new?property_id=" + pid
	data.NewInvitationURL = "/invitations/new?property_id=" + pid
	loc := tz.Load(p.TimeZone)
	ps, err := a.Stays.OfProperty(ctx, p.ID)
	if err != nil {
		return data, err
	}
	for _, res := range ps.Reservations {
		data.Reservations = append(data.Reservations, a.reservationRow(res, loc))
	}
	for _, inv := range ps.Invitations {
		row := invitationRow(inv, p.Name)
		data.Invitations = append(data.Invitations, row)
		if row.Active {
			data.MoveOutAllURL = moveOutURL(p.ID) + "?all=1"
		}
	}
	return data, nil
}

// invitationRow shows an invitation in a list.
func invitationRow(inv db.Invitation, propertyName string) views.InvitationRowData {
	row := views.InvitationRowData{ID: strconv.FormatInt(inv.ID, 10), URL: invitationURL(inv.ID), Email: inv.Email,
		Name: inv.Name, PropertyID: strconv.FormatInt(inv.PropertyID, 10), Property: propertyName,
		From: inviteDateText(inv.FromDate), To: "no end", Active: inv.Status == db.InvitationActive}
	if inv.ToDate != "" {
		row.To = inviteDateText(inv.ToDate)
	}
	row.Status, row.StatusKind = "Removed", "muted"
	if row.Active {
		row.Status, row.StatusKind = "Active", "ok"
		row.MoveOutURL = moveOutURL(inv.PropertyID) + "?email=" + url.QueryEscape(inv.Email)
	}
	return row
}

// inviteDateText shows a YYYY-MM-DD date as "Mar 13, 2027".
func inviteDateText(s string) string {
	d, err := stays.ParseDate(s)
	if err != nil {
		return s
	}
	return d.Format("Jan 2, 2006")
}

func invitationURL(id int64) string { return "/invitations/" + strconv.FormatInt(id, 10) }
func moveOutURL(propertyID int64) string {
	return "/properties/" + strconv.FormatInt(propertyID, 10) + "/move-out"
}
