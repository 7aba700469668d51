package handlers

import (
	"errors"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/notify"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// handleNotifyPage is the notifications overview: rules, endpoints, mail status and the latest deliveries.
func handleNotifyPage(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		return renderNotifyPage(w, r, d, http.StatusOK, views.NotifyPageData{})
	})
}

func renderNotifyPage(w http.ResponseWriter, r *http.Request, d Deps, status int, data views.NotifyPageData) error {
	ctx := r.Context()
	rules, err := d.Store.ListNotifyRules(ctx)
	if err != nil {
		return err
	}
	eps, err := d.Store.ListNotifyEndpoints(ctx)
	if err != nil {
		return err
	}
	ns, err := d.Store.ListNotifications(ctx, db.NotificationFilter{Limit: 50})
	if err != nil {
		return err
	}
	for _, rule := range rules {
		data.Rules = append(data.Rules, ruleRow(rule))
	}
	for _, e := range eps {
		data.Endpoints = append(data.Endpoints, endpointRow(e))
	}
	for _, n := range ns {
		data.Notifications = append(data.Notifications, notificationRow(n))
	}
	data.MailEnabled, data.MailFrom = d.Notify.MailEnabled(), d.Notify.MailFrom()
	return render(w, r, status, views.NotifyPage(pageMeta(r, "Notifications", views.NavNotifications), data))
}

// handleNotifyTestEmail sends a test message to one address through the real path and shows the outcome.
func handleNotifyTestEmail(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		if err := parseSmallForm(w, r); err != nil {
			return err
		}
		to := strings.TrimSpace(r.PostForm.Get("email"))
		data := views.NotifyPageData{TestEmail: to}
		if addr, err := mail.ParseAddress(to); err != nil || addr.Address != to {
			data.Result = &views.NotifyResultData{Message: "Enter one email address, like name@example.com."}
			return renderNotifyPage(w, r, d, http.StatusUnprocessableEntity, data)
		}
		a, err := d.Notify.SendTest(r.Context(), db.ChannelEmail, to, 0)
		if err != nil && a.ID == 0 {
			return err
		}
		data.Result = attemptResult(a, err, "The test email to "+to)
		audit(r, d.Store, d.Logger, auditRecord{action: "notify.test_email", targetType: "email", targetID: to,
			outcome: outcomeOf(data.Result), detail: data.Result.Message})
		return renderNotifyPage(w, r, d, http.StatusOK, data)
	})
}

// handleNotification shows one notification and every attempt at it.
func handleNotification(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		return renderNotification(w, r, d, nil)
	})
}

func renderNotification(w http.ResponseWriter, r *http.Request, d Deps, result *views.NotifyResultData) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return notFound()
	}
	n, err := d.Store.NotificationByID(r.Context(), id)
	if err != nil {
		return err
	}
	attempts, err := d.Store.NotificationAttempts(r.Context(), id)
	if err != nil {
		return err
	}
	data := views.NotificationPageData{Notification: notificationRow(n), Result: result}
	_, loc := notify.Summary(n)
	for _, a := range attempts {
		data.Attempts = append(data.Attempts, attemptRow(a, loc))
	}
	return render(w, r, http.StatusOK, views.NotificationPage(pageMeta(r, "Notification", views.NavNotifications), data))
}

// handleNotificationResend makes one new attempt at a notification now, whatever its state.
func handleNotificationResend(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return notFound()
		}
		if _, err := d.Store.NotificationByID(r.Context(), id); err != nil {
			return err
		}
		a, err := d.Notify.Resend(r.Context(), id)
		if err != nil && a.ID == 0 && !errors.Is(err, db.ErrBusy) {
			return err
		}
		res := attemptResult(a, err, "The resend")
		audit(r, d.Store, d.Logger, auditRecord{action: "notify.resend", targetType: "notification",
			targetID: strconv.FormatInt(id, 10), outcome: outcomeOf(res), detail: res.Message})
		return renderNotification(w, r, d, res)
	})
}

// attemptResult words an attempt just made for the page.
func attemptResult(a db.NotifyAttempt, err error, what string) *views.NotifyResultData {
	switch {
	case errors.Is(err, db.ErrBusy):
		return &views.NotifyResultData{Message: what + " was not made: an attempt is already in progress. Reload in a minute."}
	case err != nil:
		return &views.NotifyResultData{Message: what + " could not be recorded; see the attempts log."}
	case a.State == db.AttemptOK:
		return &views.NotifyResultData{OK: true, Message: what + " was delivered" + statusSuffix(a.StatusCode) + "."}
	}
	return &views.NotifyResultData{Message: what + " failed" + statusSuffix(a.StatusCode) + ": " + a.Error}
}

func statusSuffix(code int) string {
	if code == 0 {
		return ""
	}
	return " (" + strconv.Itoa(code) + ")"
}

func outcomeOf(r *views.NotifyResultData) string {
	if r.OK {
		return db.OutcomeOK
	}
	return db.OutcomeFailed
}

func parseSmallForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	if err := r.ParseForm(); err != nil {
		return badRequest("The form could not be read.", err)
	}
	return nil
}

func notificationRow(n db.Notification) views.NotificationRowData {
	what, loc := notify.Summary(n)
	row := views.NotificationRowData{ID: strconv.FormatInt(n.ID, 10), Alert: what, Event: n.Event, Rule: n.RuleName,
		Channel: n.Channel, Target: n.Target, State: n.State, Step: n.Step + 1, Attempts: n.Attempts, LastError: n.LastError}
	if n.State == db.NotifyPending {
		row.Due, row.DueISO = n.DueAt.In(loc).Format(tz.Layout), n.DueAt.Format("2006-01-02T15:04:05Z")
	}
	if n.Step > 0 {
		row.Rule += " · step " + strconv.Itoa(n.Step+1)
	}
	return row
}

func attemptRow(a db.NotifyAttempt, loc *time.Location) views.NotifyAttemptRowData {
	row := views.NotifyAttemptRowData{ID: strconv.FormatInt(a.ID, 10), NotificationID: strconv.FormatInt(a.NotificationID, 10),
		StartedISO: a.StartedAt.Format("2006-01-02T15:04:05Z"), State: a.State, Status: a.StatusCode, Reply: a.Reply,
		Error: a.Error, Manual: a.Manual, Target: a.Target, Event: a.Event}
	row.Started = a.StartedAt.In(loc).Format(tz.Layout)
	return row
}
