package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/views"
)

// recentStays is how long after check-out a reservation still shows on its property's page.
const recentStays = 7 * 24 * time.Hour

// accessPropertySection adds the reservations and invitations of a property to its page, for staff who manage
// access. It re-reads them from the upstream when the mirror's copy is stale; if that fails the page says so and
// shows the mirror.
func accessPropertySection(r *http.Request, d Deps, p db.Property) (templ.Component, error) {
	if !currentUser(r.Context()).can(capManageAccess) || d.Upstream == nil {
		return nil, nil
	}
	a := &access{Deps: d, now: nowUTC}
	data := views.AccessSectionData{PropertyID: strconv.FormatInt(p.ID, 10), TimeZone: p.TimeZone,
		Notice: a.refreshNotice(r, a.refreshProperty(r.Context(), p.ID))}
	pid := url.QueryEscape(data.PropertyID)
	data.NewReservationURL = "/reservations/new?property_id=" + pid
	data.NewInvitationURL = "/invitations/new?property_id=" + pid
	loc := loadZone(p.TimeZone)
	rs, err := d.Store.ReservationsByProperty(r.Context(), p.ID, a.now().Add(-recentStays))
	if err != nil {
		return nil, err
	}
	for _, res := range rs {
		data.Reservations = append(data.Reservations, a.reservationRow(res, loc))
	}
	invs, err := d.Store.InvitationsByProperty(r.Context(), p.ID)
	if err != nil {
		return nil, err
	}
	for _, inv := range invs {
		row := invitationRow(inv, p.Name)
		data.Invitations = append(data.Invitations, row)
		if row.Active {
			data.MoveOutAllURL = moveOutURL(p.ID) + "?all=1"
		}
	}
	return views.AccessSection(data), nil
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
	d, err := parseDateField(s)
	if err != nil {
		return s
	}
	return d.Format("Jan 2, 2006")
}

func invitationURL(id int64) string { return "/invitations/" + strconv.FormatInt(id, 10) }
func moveOutURL(propertyID int64) string {
	return "/properties/" + strconv.FormatInt(propertyID, 10) + "/move-out"
}
