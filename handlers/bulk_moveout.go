package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/bulk"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/views"
)

// bulkMoveOutWho reads the resident's email; empty means everyone (db.MoveOutAll).
func bulkMoveOutWho(v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return db.MoveOutAll, nil
	}
	var p formProblems
	p.checkEmail("The resident's email", clip.String(v, maxAccessFieldBytes), true)
	if len(p) > 0 {
		return "", badRequest(p[0], nil)
	}
	return v, nil
}

func (b *bulkRoutes) moveOutView(sc bulkScope, email string) views.BulkMoveOutData {
	d := views.BulkMoveOutData{Token: bulkToken(), All: email == db.MoveOutAll}
	if !d.All {
		d.Email = email
	}
	for _, p := range sc.props {
		d.PropertyIDs = append(d.PropertyIDs, strconv.FormatInt(p.ID, 10))
		d.Properties = append(d.Properties, p.Name)
	}
	if len(sc.props) == 0 {
		d.Problem = "Choose at least one property on the bulk access page."
	}
	return d
}

// handleBulkMoveOutConfirm is GET /bulk/move-out?property=…&email=…: who moves out of which properties, and the
// confirm button.
func handleBulkMoveOutConfirm(b *bulkRoutes) http.Handler {
	return withErrors(b.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		email, err := bulkMoveOutWho(r.URL.Query().Get("email"))
		if err != nil {
			return err
		}
		sc, err := b.bulkProperties(r, r.URL.Query()["property"])
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.BulkMoveOutPage(pageMeta(r, "Bulk move-out", views.NavBulk), b.moveOutView(sc, email)))
	})
}

// handleBulkMoveOut is POST /bulk/move-outs: the single move-out (stays.Service) at each property, in the
// background, each linked to its own progress page.
func handleBulkMoveOut(b *bulkRoutes) http.Handler {
	return withErrors(b.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseAccessForm(w, r); err != nil {
			return err
		}
		token, err := bulkFormToken(r)
		if err != nil {
			return err
		}
		email, err := bulkMoveOutWho(r.PostForm.Get("email"))
		if err != nil {
			return err
		}
		sc, err := b.bulkProperties(r, r.PostForm["property"])
		if err != nil {
			return err
		}
		rec := auditRecord{action: "bulk.move_out", targetType: "bulk"}
		act, created, err := b.svc.StartMoveOut(r.Context(), bulk.MoveOutAction{Token: token, Email: email,
			By: currentUser(r.Context()).user.ID, Properties: sc.props})
		if status, msg := bulkStartError(err, len(sc.props), "properties"); status != 0 {
			d := b.moveOutView(sc, email)
			d.Problem = msg
			return render(w, r, status, views.BulkMoveOutPage(pageMeta(r, "Bulk move-out", views.NavBulk), d))
		}
		if err != nil {
			return err
		}
		if created {
			rec.outcome, rec.targetID = db.OutcomeOK, strconv.FormatInt(act.ID, 10)
			rec.detail = fmt.Sprintf("%s at %s: %s", moveOutWhoText(email), propertiesText(len(sc.props)), bulkURL(act.ID))
			audit(r, b.d.Store, b.d.Logger, rec)
		}
		redirect(w, r, bulkURL(act.ID))
		return nil
	})
}
