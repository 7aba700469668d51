package handlers

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/bulk"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// handleBulkCodeCreate is POST /bulk/codes: one code (name, PIN, validity) on every chosen lock, sent in the
// background; the browser goes to the action's progress page. Over bulk.MaxItems locks it is refused, audited,
// and nothing is sent.
func handleBulkCodeCreate(b *bulkRoutes) http.Handler {
	return withErrors(b.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		if err := lcReadForm(w, r); err != nil {
			return err
		}
		token, err := bulkFormToken(r)
		if err != nil {
			return err
		}
		rec := auditRecord{action: "bulk.lock_code.create", targetType: "bulk"}
		f := lcReadCodeForm(r)
		if len(f.devices) > bulk.MaxItems {
			rec.outcome, rec.detail = db.OutcomeDenied, fmt.Sprintf("%d locks chosen, over the limit of %d", len(f.devices), bulk.MaxItems)
			audit(r, b.d.Store, b.d.Logger, rec)
			_, msg := bulkStartError(bulk.ErrTooMany, len(f.devices), "locks")
			return &httpError{http.StatusUnprocessableEntity, msg, nil}
		}
		sc, err := b.bulkProperties(r, r.PostForm["property"])
		if err != nil {
			return err
		}
		problems := map[string]string{}
		if p := lcTextProblem("Name", f.name, smarthome.MaxCodeNameLength, true); p != "" {
			problems["name"] = p
		}
		pin := r.PostForm.Get("pin")
		if p := lcPINProblem(pin); p != "" {
			problems["pin"] = p
		}
		b.checkLocks(sc, f.devices, problems)
		groups, n := b.bulkGroups(r, sc, f, smarthome.PIN(pin), problems)
		fail := func(status int, problem string) error {
			v := sc.view(token, f, problems)
			v.Problem = problem
			return render(w, r, status, views.BulkCodePage(pageMeta(r, "One code on many locks", views.NavBulk), v))
		}
		if len(problems) > 0 {
			return fail(http.StatusUnprocessableEntity, "Nothing was sent: correct the fields marked below.")
		}
		if !b.svc.CanIssue() {
			return fail(http.StatusServiceUnavailable, "Lock codes cannot be issued: the dashboard has no lock-code key. Ask an administrator to set SESSION_SECRET.")
		}
		act, created, err := b.svc.StartCode(r.Context(), bulk.CodeAction{Token: token, Name: f.name,
			By: currentUser(r.Context()).user.ID, Groups: groups})
		if status, msg := bulkStartError(err, n, "locks"); status != 0 {
			return fail(status, msg)
		}
		if err != nil {
			return err
		}
		if created {
			rec.outcome, rec.targetID = db.OutcomeOK, strconv.FormatInt(act.ID, 10)
			rec.detail = fmt.Sprintf("“%s” on %s at %s: %s", f.name, plural(n, "lock"), propertiesText(len(sc.props)), bulkURL(act.ID))
			audit(r, b.d.Store, b.d.Logger, rec)
		}
		redirect(w, r, bulkURL(act.ID))
		return nil
	})
}

// checkLocks: every chosen lock must be a lock of a chosen property, and at least one must be chosen.
func (b *bulkRoutes) checkLocks(sc bulkScope, devices []string, problems map[string]string) {
	if len(devices) == 0 {
		problems["device"] = "Choose at least one lock."
		return
	}
	for _, id := range devices {
		found := false
		for _, locks := range sc.locks {
			found = found || slices.ContainsFunc(locks, func(l db.Device) bool { return l.ID == id })
		}
		if !found {
			problems["device"] = "One of the chosen locks is not a lock of the chosen properties (was it removed?). Reload the form."
			return
		}
	}
}

func propertiesText(n int) string {
	if n == 1 {
		return "1 property"
	}
	return strconv.Itoa(n) + " properties"
}
