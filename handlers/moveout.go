package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// moveOutWho reads the request's resident (email) or everyone (all=1); a bad email is a problem for the page.
func moveOutWho(r *http.Request, values func(string) string) (email, problem string) {
	if values("all") != "" {
		return db.MoveOutAll, ""
	}
	email = strings.TrimSpace(values("email"))
	var p formProblems
	p.checkEmail("The resident's email", clip.String(email, maxAccessFieldBytes), true)
	if len(p) > 0 {
		return clip.String(email, maxAccessEmail), p[0]
	}
	return email, ""
}

// moveOutConfirm shows what the move-out would remove.
func (a *stayPages) moveOutConfirm(plan stays.MoveOutPlan) views.MoveOutConfirmData {
	loc := tz.Load(plan.Property.TimeZone)
	d := views.MoveOutConfirmData{PropertyID: strconv.FormatInt(plan.Property.ID, 10), Property: plan.Property.Name,
		All: plan.Email == db.MoveOutAll, Action: moveOutURL(plan.Property.ID)}
	if !d.All {
		d.Email = plan.Email
	}
	for _, inv := range plan.Invitations {
		d.Invitations = append(d.Invitations, invitationRow(inv, plan.Property.Name))
	}
	for _, l := range plan.Links {
		d.Links = append(d.Links, views.GuestLinkRowData{ID: strconv.FormatInt(l.ID, 10), GuestName: l.GuestName,
			Window: stays.SpanText(l.StartsAt, l.EndsAt, loc)})
	}
	return d
}

func (a *stayPages) loadMoveOutProperty(r *http.Request) (db.Property, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return db.Property{}, notFound()
	}
	return a.Store.Property(r.Context(), id)
}

// handleMoveOutConfirm is GET /properties/{id}/move-out?email=…|all=1: what would be removed, and the button.
func handleMoveOutConfirm(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		prop, err := a.loadMoveOutProperty(r)
		if err != nil {
			return err
		}
		return a.renderMoveOutConfirm(w, r, prop, r.URL.Query().Get, http.StatusOK, "")
	})
}

func (a *stayPages) renderMoveOutConfirm(w http.ResponseWriter, r *http.Request, prop db.Property, values func(string) string,
	status int, errMsg string) error {
	meta := a.meta(r, "Move-out", views.NavProperties)
	email, problem := moveOutWho(r, values)
	if problem != "" {
		d := views.MoveOutConfirmData{PropertyID: strconv.FormatInt(prop.ID, 10), Property: prop.Name, Email: email,
			Error: problem + " Open the move-out from the resident's invitation instead."}
		return render(w, r, http.StatusUnprocessableEntity, views.MoveOutConfirmPage(meta, d))
	}
	plan, err := a.Stays.PlanMoveOut(r.Context(), prop, email)
	d := a.moveOutConfirm(plan)
	d.Notice, d.Error = a.refreshNotice(r, err), errMsg
	if len(plan.Invitations) == 0 && status == http.StatusOK && r.Method == http.MethodPost {
		status = http.StatusUnprocessableEntity
	}
	return render(w, r, status, views.MoveOutConfirmPage(meta, d))
}

// handleMoveOut is POST /properties/{id}/move-out: without confirm=yes it shows the confirm step; with it, it removes
// the guest links' codes, then moves the resident(s) out upstream, then records the move-out (invitations removed,
// links revoked) and sends the browser to its progress page.
func handleMoveOut(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		prop, err := a.loadMoveOutProperty(r)
		if err != nil {
			return err
		}
		if err := parseAccessForm(w, r); err != nil {
			return err
		}
		values := r.PostForm.Get
		email, problem := moveOutWho(r, values)
		if problem != "" || values("confirm") != "yes" {
			return a.renderMoveOutConfirm(w, r, prop, values, http.StatusOK, "")
		}
		plan, err := a.Stays.PlanMoveOut(r.Context(), prop, email)
		if err != nil {
			_, msg := upstreamProblem(err)
			return a.renderMoveOutConfirm(w, r, prop, values, http.StatusBadGateway, "The invitations could not be read "+
				"from the Smart Home service, so nothing was removed. "+msg)
		}
		if len(plan.Invitations) == 0 {
			return a.renderMoveOutConfirm(w, r, prop, values, http.StatusUnprocessableEntity, "")
		}
		rec := auditRecord{action: "move_out", targetType: "property", targetID: strconv.FormatInt(prop.ID, 10), propertyID: &prop.ID}
		m, err := a.Stays.MoveOut(r.Context(), plan, currentUser(r.Context()).user.ID)
		switch {
		case errors.Is(err, stays.ErrNotRecorded):
			return err
		case err != nil:
			status, msg := a.failForm(r, err, rec)
			return a.renderMoveOutConfirm(w, r, prop, values, status, msg)
		}
		rec.outcome = db.OutcomeOK
		rec.detail = fmt.Sprintf("%s: %s, %s", moveOutWhoText(email), plural(len(plan.Invitations), "invitation"),
			plural(len(plan.Links), "guest link"))
		audit(r, a.Store, a.Logger, rec)
		redirect(w, r, "/move-outs/"+strconv.FormatInt(m.ID, 10))
		return nil
	})
}

func moveOutWhoText(email string) string {
	if email == db.MoveOutAll {
		return "everyone"
	}
	return email
}
