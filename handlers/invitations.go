package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// handleInvitations lists and searches invitations across properties (GET /invitations?q=&status=&page=).
func handleInvitations(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		d := views.InvitationListData{Q: clip.String(strings.TrimSpace(q.Get("q")), maxQuery), Status: q.Get("status")}
		if d.Status != db.InvitationActive && d.Status != db.InvitationRemoved {
			d.Status = ""
		}
		d.Notice = a.refreshNotice(r, a.Stays.RefreshAllInvitations(r.Context()))
		pageNo, _ := strconv.Atoi(q.Get("page"))
		res, err := a.Store.SearchInvitations(r.Context(), db.InvitationFilter{Query: d.Q, Status: d.Status, Page: pageNo})
		if err != nil {
			return err
		}
		d.Total = res.Total
		d.Pages = views.Paginate("/invitations", q, res.Page, (res.Total+res.PerPage-1)/res.PerPage, "#invitation-results")
		for _, it := range res.Items {
			d.Rows = append(d.Rows, invitationRow(it.Invitation, it.PropertyName))
		}
		return page(w, r, views.InvitationsPage(a.meta(r, "Invitations", views.NavInvitations), d), views.InvitationResults(d))
	})
}

func handleInvitationNew(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		form := views.InvitationFormData{Action: "/invitations", From: stays.Today(a.Stays.Now(), time.UTC)}
		if raw := r.URL.Query().Get("property_id"); raw != "" {
			id, err := parseID(raw)
			if err != nil {
				return notFound()
			}
			p, err := a.Store.Property(r.Context(), id)
			if err != nil {
				return err
			}
			form.PropertyID, form.PropertyName, form.From = strconv.FormatInt(p.ID, 10), p.Name, stays.Today(a.Stays.Now(), tz.Load(p.TimeZone))
		} else {
			var err error
			if form.Properties, err = a.propertyChoices(r, ""); err != nil {
				return err
			}
		}
		return render(w, r, http.StatusOK, views.InvitationFormPage(a.meta(r, "Invite a resident", views.NavInvitations), form))
	})
}

// handleInvitationCreate invites the resident upstream (which makes their code), then mirrors and audits it.
func handleInvitationCreate(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseAccessForm(w, r); err != nil {
			return err
		}
		in, form, probs := a.parseInvitationForm(r, nil, db.Property{})
		form.Action, form.PropertyName = "/invitations", in.property.Name
		meta := a.meta(r, "Invite a resident", views.NavInvitations)
		rerender := func(status int) error {
			if in.property.ID == 0 { // no valid property chosen: offer the choice again
				var err error
				if form.Properties, err = a.propertyChoices(r, form.PropertyID); err != nil {
					return err
				}
			}
			return render(w, r, status, views.InvitationFormPage(meta, form))
		}
		if len(probs) > 0 {
			form.Errors = probs
			return rerender(http.StatusUnprocessableEntity)
		}
		pid := in.property.ID
		id, err := a.Stays.CreateInvitation(r.Context(), in.request(), currentUser(r.Context()).user.ID)
		switch {
		case errors.Is(err, stays.ErrNotRecorded):
			return err
		case err != nil:
			status, msg := a.failForm(r, err, auditRecord{action: "invitation.create", targetType: "invitation", propertyID: &pid})
			form.Errors = []string{msg}
			return rerender(status)
		}
		audit(r, a.Store, a.Logger, auditRecord{action: "invitation.create", targetType: "invitation",
			targetID: strconv.FormatInt(id, 10), propertyID: &pid, outcome: db.OutcomeOK,
			detail: "resident " + in.email + ", " + in.from.Format(stays.DateLayout) + " – " + dateOrNoEnd(in.to)})
		redirect(w, r, invitationURL(id)+"?flash=invitation-created")
		return nil
	})
}

func dateOrNoEnd(t time.Time) string {
	if t.IsZero() {
		return "no end"
	}
	return t.Format(stays.DateLayout)
}
