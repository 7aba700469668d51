package handlers

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/alerts"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/views"
)

// alertAction is what one lifecycle button does, given the alert id, the person and the form.
type alertAction func(ctx context.Context, svc *alerts.Service, id, userID int64, r *http.Request) (db.Alert, error)

func acknowledgeAlert(ctx context.Context, svc *alerts.Service, id, userID int64, r *http.Request) (db.Alert, error) {
	return svc.Acknowledge(ctx, id, userID, r.PostFormValue("note"))
}

func resolveAlert(ctx context.Context, svc *alerts.Service, id, userID int64, _ *http.Request) (db.Alert, error) {
	return svc.Resolve(ctx, id, userID)
}

// handleAlertAction serves POST /alerts/{id}/acknowledge and /resolve: the action, audited whatever its outcome,
// answered with the row as it is now (htmx) or a redirect back to the page the button was on.
func handleAlertAction(d Deps, action string, do alertAction) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		ctx := r.Context()
		p := currentUser(ctx)
		a, err := do(ctx, d.Alerts, id, p.user.ID, r)
		rec := auditRecord{action: action, targetType: "alert", targetID: strconv.FormatInt(id, 10), outcome: db.OutcomeOK}
		if err == nil {
			rec.propertyID, rec.detail = a.PropertyID, a.Kind+" on "+alertSubject(a)
			if a.AckNote != "" && action == "alert.acknowledge" {
				rec.detail += "; note: " + a.AckNote
			}
		} else {
			rec.outcome, rec.detail = db.OutcomeFailed, alertActionProblem(err)
		}
		audit(r, d.Store, d.Logger, rec)
		switch {
		case errors.Is(err, db.ErrConflict):
			return &httpError{status: http.StatusConflict, msg: "Someone else changed this alert first: " +
				"reload to see who, and what state it is in now.", err: err}
		case errors.Is(err, alerts.ErrNoteTooLong):
			return &httpError{status: http.StatusUnprocessableEntity, msg: "The note is too long: keep it under " +
				strconv.Itoa(alerts.MaxNoteLen) + " characters.", err: err}
		case err != nil:
			return err
		}
		if !isHTMX(r) {
			redirect(w, r, backTo(r, "/alerts"))
			return nil
		}
		v, err := d.Store.AlertView(ctx, id)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.AlertRow(alertRowData(v, p.can(auth.HandleAlerts))))
	})
}

// alertActionProblem is the audit detail of a failed action.
func alertActionProblem(err error) string {
	switch {
	case errors.Is(err, db.ErrConflict):
		return "not open any more"
	case errors.Is(err, db.ErrNotFound):
		return "no such alert"
	case errors.Is(err, alerts.ErrNoteTooLong):
		return "note too long"
	}
	return "storage failed"
}

func alertSubject(a db.Alert) string {
	if a.DeviceID != "" {
		return "device " + a.DeviceID
	}
	return "hub " + a.HubID
}

// backTo is the local page the request came from (its Referer's path and query), else fallback. Only a same-host
// referrer counts, so a redirect never leaves the dashboard.
func backTo(r *http.Request, fallback string) string {
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host != r.Host || ref.Path == "" || ref.Path[0] != '/' || (len(ref.Path) > 1 && ref.Path[1] == '/') {
		return fallback
	}
	return (&url.URL{Path: ref.Path, RawQuery: ref.RawQuery}).String()
}
