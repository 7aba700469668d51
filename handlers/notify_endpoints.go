package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/notify"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// handleNotifyEndpointCreate registers a webhook endpoint with a fresh secret and shows its page (with the secret).
func handleNotifyEndpointCreate(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseSmallForm(w, r); err != nil {
			return err
		}
		name, u, problems := notify.CheckEndpoint(r.PostForm.Get("name"), r.PostForm.Get("url"))
		form := views.NotifyEndpointFormData{Name: name, URL: u, Errors: problems}
		if len(problems) > 0 {
			return renderNotifyPage(w, r, d, http.StatusUnprocessableEntity, views.NotifyPageData{EndpointForm: form})
		}
		e, err := d.Store.CreateNotifyEndpoint(r.Context(), db.NotifyEndpoint{Name: name, URL: u, Secret: notify.NewSecret(), CreatedAt: nowUTC()})
		if errors.Is(err, db.ErrConflict) {
			form.Errors = []string{"An endpoint with that name already exists; choose another name."}
			return renderNotifyPage(w, r, d, http.StatusConflict, views.NotifyPageData{EndpointForm: form})
		}
		if err != nil {
			return err
		}
		audit(r, d.Store, d.Logger, auditRecord{action: "notify.endpoint.create", targetType: "notify_endpoint",
			targetID: strconv.FormatInt(e.ID, 10), outcome: db.OutcomeOK, detail: e.Name + " " + e.URL})
		http.Redirect(w, r, "/notifications/endpoints/"+strconv.FormatInt(e.ID, 10), http.StatusSeeOther)
		return nil
	})
}

// handleNotifyEndpoint shows an endpoint, its secret and its attempts log.
func handleNotifyEndpoint(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		return renderEndpoint(w, r, d, http.StatusOK, nil, "")
	})
}

func renderEndpoint(w http.ResponseWriter, r *http.Request, d Deps, status int, res *views.NotifyResultData, problem string) error {
	e, err := endpointOf(r, d)
	if err != nil {
		return err
	}
	users, err := d.Store.NotifyEndpointUsers(r.Context(), e.ID)
	if err != nil {
		return err
	}
	attempts, err := d.Store.EndpointAttempts(r.Context(), e.ID, 100)
	if err != nil {
		return err
	}
	data := views.NotifyEndpointPageData{Endpoint: endpointRow(e), Secret: e.Secret, UsedBy: users, Result: res, Error: problem}
	for _, a := range attempts {
		data.Attempts = append(data.Attempts, attemptRow(a, tz.Load("")))
	}
	return render(w, r, status, views.NotifyEndpointPage(pageMeta(r, e.Name, views.NavNotifications), data))
}

func endpointOf(r *http.Request, d Deps) (db.NotifyEndpoint, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return db.NotifyEndpoint{}, notFound()
	}
	return d.Store.NotifyEndpointByID(r.Context(), id)
}

// handleNotifyEndpointTest sends a test notification to the endpoint through the real path; the attempt is logged.
func handleNotifyEndpointTest(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		e, err := endpointOf(r, d)
		if err != nil {
			return err
		}
		if e.Disabled {
			return renderEndpoint(w, r, d, http.StatusConflict, nil, "The endpoint is disabled: enable it to send a test.")
		}
		a, err := d.Notify.SendTest(r.Context(), db.ChannelWebhook, "", e.ID)
		if err != nil && a.ID == 0 {
			return err
		}
		res := attemptResult(a, err, "The test delivery")
		audit(r, d.Store, d.Logger, auditRecord{action: "notify.endpoint.test", targetType: "notify_endpoint",
			targetID: strconv.FormatInt(e.ID, 10), outcome: outcomeOf(res), detail: res.Message})
		return renderEndpoint(w, r, d, http.StatusOK, res, "")
	})
}

// handleNotifyEndpointDisabled turns an endpoint off (cancelling what waits for it) or back on.
func handleNotifyEndpointDisabled(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		e, err := endpointOf(r, d)
		if err != nil {
			return err
		}
		if err := parseSmallForm(w, r); err != nil {
			return err
		}
		off := r.PostForm.Get("disabled") == "1"
		if err := d.Store.SetNotifyEndpointDisabled(r.Context(), e.ID, off, nowUTC()); err != nil {
			return err
		}
		action := "notify.endpoint.enable"
		if off {
			action = "notify.endpoint.disable"
		}
		audit(r, d.Store, d.Logger, auditRecord{action: action, targetType: "notify_endpoint",
			targetID: strconv.FormatInt(e.ID, 10), outcome: db.OutcomeOK, detail: e.Name})
		http.Redirect(w, r, "/notifications/endpoints/"+strconv.FormatInt(e.ID, 10), http.StatusSeeOther)
		return nil
	})
}

// handleNotifyEndpointDelete deletes an endpoint no rule uses; one in use is refused with the rules named.
func handleNotifyEndpointDelete(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		e, err := endpointOf(r, d)
		if err != nil {
			return err
		}
		err = d.Store.DeleteNotifyEndpoint(r.Context(), e.ID, nowUTC())
		if errors.Is(err, db.ErrConflict) {
			users, _ := d.Store.NotifyEndpointUsers(r.Context(), e.ID)
			return renderEndpoint(w, r, d, http.StatusConflict, nil,
				"This endpoint is a step of "+strings.Join(users, ", ")+": remove it from those rules first, or disable it.")
		}
		if err != nil {
			return err
		}
		audit(r, d.Store, d.Logger, auditRecord{action: "notify.endpoint.delete", targetType: "notify_endpoint",
			targetID: strconv.FormatInt(e.ID, 10), outcome: db.OutcomeOK, detail: e.Name})
		http.Redirect(w, r, "/notifications", http.StatusSeeOther)
		return nil
	})
}

func endpointRow(e db.NotifyEndpoint) views.NotifyEndpointRowData {
	return views.NotifyEndpointRowData{ID: strconv.FormatInt(e.ID, 10), Name: e.Name, URL: e.URL,
		Created: e.CreatedAt.Format(tz.Layout), Disabled: e.Disabled}
}
