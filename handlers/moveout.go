package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// moveOutPlan is what a move-out of one resident (or everyone) at a property would remove.
type moveOutPlan struct {
	prop  db.Property
	email string // the resident, or db.MoveOutAll
	invs  []db.Invitation
	links []db.GuestLink // the invitations' guest links that still work
}

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

// planMoveOut re-reads the property's invitations from the upstream (a move-out must act on the truth, not on a
// mirror that may be behind) and lists what the move-out would remove. A failed read is returned with the plan
// built from the mirror.
func (a *access) planMoveOut(ctx context.Context, prop db.Property, email string) (moveOutPlan, error) {
	plan := moveOutPlan{prop: prop, email: email}
	rctx, cancel := context.WithTimeout(ctx, accessRefreshWait)
	refreshErr := a.refreshPropertyInvitations(rctx, prop.ID, a.now())
	cancel()
	invs, err := a.Store.ActiveInvitations(ctx, prop.ID, email)
	if err != nil {
		return plan, err
	}
	plan.invs = invs
	for _, inv := range invs {
		links, err := a.Store.GuestLinksByInvitation(ctx, inv.ID)
		if err != nil {
			return plan, err
		}
		for _, l := range links {
			if l.RevokedAt == nil {
				plan.links = append(plan.links, l)
			}
		}
	}
	return plan, refreshErr
}

func (a *access) moveOutConfirm(r *http.Request, plan moveOutPlan) views.MoveOutConfirmData {
	loc := tz.Load(plan.prop.TimeZone)
	d := views.MoveOutConfirmData{PropertyID: strconv.FormatInt(plan.prop.ID, 10), Property: plan.prop.Name,
		All: plan.email == db.MoveOutAll, Action: moveOutURL(plan.prop.ID)}
	if !d.All {
		d.Email = plan.email
	}
	for _, inv := range plan.invs {
		d.Invitations = append(d.Invitations, invitationRow(inv, plan.prop.Name))
	}
	for _, l := range plan.links {
		d.Links = append(d.Links, views.GuestLinkRowData{ID: strconv.FormatInt(l.ID, 10), GuestName: l.GuestName,
			Window: spanText(l.StartsAt, l.EndsAt, loc)})
	}
	return d
}

func (a *access) loadMoveOutProperty(r *http.Request) (db.Property, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return db.Property{}, notFound()
	}
	return a.Store.Property(r.Context(), id)
}

// handleMoveOutConfirm is GET /properties/{id}/move-out?email=…|all=1: what would be removed, and the button.
func handleMoveOutConfirm(a *access) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		prop, err := a.loadMoveOutProperty(r)
		if err != nil {
			return err
		}
		return a.renderMoveOutConfirm(w, r, prop, r.URL.Query().Get, http.StatusOK, "")
	})
}

func (a *access) renderMoveOutConfirm(w http.ResponseWriter, r *http.Request, prop db.Property, values func(string) string,
	status int, errMsg string) error {
	meta := a.meta(r, "Move-out", views.NavProperties)
	email, problem := moveOutWho(r, values)
	if problem != "" {
		d := views.MoveOutConfirmData{PropertyID: strconv.FormatInt(prop.ID, 10), Property: prop.Name, Email: email,
			Error: problem + " Open the move-out from the resident's invitation instead."}
		return render(w, r, http.StatusUnprocessableEntity, views.MoveOutConfirmPage(meta, d))
	}
	plan, err := a.planMoveOut(r.Context(), prop, email)
	d := a.moveOutConfirm(r, plan)
	d.Notice, d.Error = a.refreshNotice(r, err), errMsg
	if len(plan.invs) == 0 && status == http.StatusOK && r.Method == http.MethodPost {
		status = http.StatusUnprocessableEntity
	}
	return render(w, r, status, views.MoveOutConfirmPage(meta, d))
}

// handleMoveOut is POST /properties/{id}/move-out: without confirm=yes it shows the confirm step; with it, it removes
// the guest links' codes, then moves the resident(s) out upstream, then records the move-out (invitations removed,
// links revoked) and sends the browser to its progress page.
func handleMoveOut(a *access) http.Handler {
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
		plan, err := a.planMoveOut(r.Context(), prop, email)
		if err != nil {
			_, msg := upstreamProblem(err)
			return a.renderMoveOutConfirm(w, r, prop, values, http.StatusBadGateway, "The invitations could not be read "+
				"from the Smart Home service, so nothing was removed. "+msg)
		}
		if len(plan.invs) == 0 {
			return a.renderMoveOutConfirm(w, r, prop, values, http.StatusUnprocessableEntity, "")
		}
		rec := auditRecord{action: "move_out", targetType: "property", targetID: strconv.FormatInt(prop.ID, 10), propertyID: &prop.ID}
		if err := a.performMoveOut(r, plan); err != nil {
			status, msg := a.failForm(r, err, rec)
			return a.renderMoveOutConfirm(w, r, prop, values, status, msg)
		}
		m, err := a.recordMoveOut(r, plan)
		if err != nil {
			return err
		}
		rec.outcome = db.OutcomeOK
		rec.detail = fmt.Sprintf("%s: %s, %s", moveOutWhoText(email), plural(len(plan.invs), "invitation"),
			plural(len(plan.links), "guest link"))
		audit(r, a.Store, a.Logger, rec)
		redirect(w, r, "/move-outs/"+strconv.FormatInt(m.ID, 10))
		return nil
	})
}

// performMoveOut removes the guest links' codes (each removal may be repeated safely), then moves out upstream. A
// link whose code is gone is revoked at once, so a retry after a failure does not ask again.
func (a *access) performMoveOut(r *http.Request, plan moveOutPlan) error {
	me := currentUser(r.Context()).user.ID
	for _, l := range plan.links {
		if l.LockCodeID != "" {
			if err := a.Upstream.DeleteTourCode(r.Context(), l.LockCodeID); err != nil {
				return fmt.Errorf("remove the code of guest link %d: %w", l.ID, err)
			}
		}
		if err := a.Store.RevokeGuestLink(r.Context(), l.ID, &me, a.now()); err != nil {
			return err
		}
	}
	err := a.Upstream.MoveOut(r.Context(), plan.prop.ID, plan.email)
	if errors.Is(err, smarthome.ErrNotFound) { // moved out meanwhile, elsewhere: the outcome is the one asked for
		return nil
	}
	return err
}

func (a *access) recordMoveOut(r *http.Request, plan moveOutPlan) (db.MoveOut, error) {
	me := currentUser(r.Context()).user.ID
	m := db.MoveOut{PropertyID: plan.prop.ID, Email: plan.email, RequestedBy: &me, RequestedAt: a.now()}
	for _, inv := range plan.invs {
		label := inv.Email
		if inv.Name != "" {
			label = inv.Name + " (" + inv.Email + ")"
		}
		m.Items = append(m.Items, db.MoveOutItem{Kind: db.MoveOutInvitation, RefID: inv.ID, Label: "Invitation of " + label,
			LockCodeID: inv.LockCodeID})
		a.codes.forget(inv.LockCodeID)
	}
	for _, l := range plan.links {
		m.Items = append(m.Items, db.MoveOutItem{Kind: db.MoveOutGuestLink, RefID: l.ID, Label: "Guest link of " + l.GuestName,
			LockCodeID: l.LockCodeID})
		a.codes.forget(l.LockCodeID)
	}
	return a.Store.RecordMoveOut(r.Context(), m)
}

func moveOutWhoText(email string) string {
	if email == db.MoveOutAll {
		return "everyone"
	}
	return email
}

// moveOutTimeout bounds the progress page's upstream reads.
const moveOutTimeout = 5 * time.Second
