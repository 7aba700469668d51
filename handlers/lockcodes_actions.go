package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/views"
)

// row is the code's row for the viewer, in the lock scope of ?device= when that lock carries the code.
func (s *lockCodeRoutes) row(r *http.Request, c db.LockCode, sc lcScope) views.LockCodeRowData {
	dev := r.URL.Query().Get("device")
	if !slices.ContainsFunc(c.Devices, func(d db.LockCodeDevice) bool { return d.DeviceID == dev }) {
		dev = ""
	}
	return lcRowData(currentUser(r.Context()), c, sc.lockNames(), sc.loc, dev, time.Now().UTC())
}

// listURL is where a plain (non-htmx) action returns to.
func (s *lockCodeRoutes) listURL(r *http.Request, c db.LockCode) string {
	if dev := r.URL.Query().Get("device"); dev != "" && slices.ContainsFunc(c.Devices, func(d db.LockCodeDevice) bool { return d.DeviceID == dev }) {
		return lcDeviceURL(dev) + "/lock-codes"
	}
	return lcPropertyPath(c.PropertyID) + "/lock-codes"
}

func lcDeviceURL(id string) string { return "/devices/" + url.PathEscape(id) }

// handleLockCodeFragment answers GET /lock-codes/{id}/row, /pin and /actions: the row, its masked PIN, its actions.
func handleLockCodeFragment(s *lockCodeRoutes, part string) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		c, sc, err := s.liveCode(r)
		if err != nil {
			return err
		}
		rd := s.row(r, c, sc)
		w.Header().Set("Cache-Control", "no-store")
		switch part {
		case "pin":
			return render(w, r, http.StatusOK, views.LockCodePIN(rd, ""))
		case "actions":
			return render(w, r, http.StatusOK, views.LockCodeActions(rd))
		}
		return render(w, r, http.StatusOK, views.LockCodeRow(rd))
	})
}

// handleLockCodeDeleteConfirm asks before deleting: inside the row for htmx, as a page otherwise.
func handleLockCodeDeleteConfirm(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		c, sc, err := s.liveCode(r)
		if err != nil {
			return err
		}
		rd := s.row(r, c, sc)
		rd.Confirming = true
		w.Header().Add("Vary", "HX-Request")
		if isHTMX(r) && !wantsPage(r) {
			return render(w, r, http.StatusOK, views.LockCodeRow(rd))
		}
		meta := pageMeta(r, "Delete “"+c.Name+"”", views.NavProperties)
		return render(w, r, http.StatusOK, views.LockCodeConfirmPage(meta, rd, s.listURL(r, c)))
	})
}

// rowResult answers an action with the row (htmx) or by returning to the list.
func (s *lockCodeRoutes) rowResult(w http.ResponseWriter, r *http.Request, status int, done, msg, problem string) error {
	c, sc, err := s.liveCode(r)
	if err != nil {
		return err
	}
	if !isHTMX(r) || wantsPage(r) {
		if problem != "" {
			return &httpError{status, problem, nil}
		}
		redirect(w, r, s.listURL(r, c)+"?done="+done)
		return nil
	}
	rd := s.row(r, c, sc)
	rd.Message, rd.Error = msg, problem
	return render(w, r, status, views.LockCodeRow(rd))
}

func handleLockCodeDelete(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		c, _, err := s.liveCode(r)
		if err != nil {
			return err
		}
		if c.DeletedAt != nil {
			return s.rowResult(w, r, http.StatusOK, "deleted", "Already being removed.", "")
		}
		rec := auditRecord{action: "lock_code.delete", targetType: "lock_code", targetID: c.ID, propertyID: &c.PropertyID,
			detail: "“" + c.Name + "”"}
		ctx := r.Context()
		gone, err := s.svc.Withdraw(ctx, c.ID)
		if err != nil {
			rec.outcome, rec.detail = db.OutcomeFailed, rec.detail+": "+upstream.Message(err)
			audit(r, s.d.Store, s.d.Logger, rec)
			status, msg := classify(err)
			return s.rowResult(w, r, status, "", "", msg+" The code was not deleted; try again.")
		}
		if err := s.svc.MarkDeleted(ctx, c, gone); err != nil {
			return err
		}
		rec.outcome = db.OutcomeOK
		audit(r, s.d.Store, s.d.Logger, rec)
		return s.rowResult(w, r, http.StatusOK, "deleted", "Being removed from its locks.", "")
	})
}

func handleLockCodeRetry(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		c, _, err := s.liveCode(r)
		if err != nil {
			return err
		}
		if c.DeletedAt != nil {
			return errLCDeleted
		}
		if !slices.ContainsFunc(c.Devices, func(d db.LockCodeDevice) bool { return d.Status == db.LockCodeFailed }) {
			return s.rowResult(w, r, http.StatusOK, "retried", "Nothing to retry: no lock reported a failure.", "")
		}
		rec := auditRecord{action: "lock_code.retry", targetType: "lock_code", targetID: c.ID, propertyID: &c.PropertyID,
			detail: "“" + c.Name + "”", outcome: db.OutcomeOK}
		if err := s.svc.Resend(r.Context(), c); err != nil {
			rec.outcome, rec.detail = db.OutcomeFailed, rec.detail+": "+upstream.Message(err)
			audit(r, s.d.Store, s.d.Logger, rec)
			_, problem, advice := lcUpstreamFormError(err, false)
			status, _ := classify(err)
			return s.rowResult(w, r, status, "", "", problem+" "+advice)
		}
		audit(r, s.d.Store, s.d.Logger, rec)
		return s.rowResult(w, r, http.StatusOK, "retried", "Sent to its locks again.", "")
	})
}

// handleLockCodeReveal shows a code's PIN to its issuer, or to someone who may reveal any code. Every attempt,
// allowed or not, is audited; the answer is never cached.
func handleLockCodeReveal(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		c, sc, err := s.liveCode(r)
		if err != nil {
			return err
		}
		p := currentUser(r.Context())
		rec := auditRecord{action: "lock_code.reveal", targetType: "lock_code", targetID: c.ID, propertyID: &c.PropertyID,
			detail: "“" + c.Name + "”", outcome: db.OutcomeDenied}
		rd := s.row(r, c, sc)
		switch {
		case !rd.CanReveal:
			rec.detail += ": not its issuer"
			audit(r, s.d.Store, s.d.Logger, rec)
			return forbidden("Only the person who issued this code, or an admin, may reveal it.")
		case c.DeletedAt != nil:
			return errLCDeleted
		case !s.svc.AllowPerson(p.user.ID):
			rec.detail += ": too many reveals"
			audit(r, s.d.Store, s.d.Logger, rec)
			return &httpError{http.StatusTooManyRequests, "Too many codes revealed in a short time. Wait a minute.", nil}
		}
		pin, err := s.svc.OpenPIN(c)
		if err != nil { // sealed under an older key: read it again from the upstream, then retry once
			if _, rerr := s.svc.RefreshCode(r.Context(), c.ID); rerr == nil {
				if fresh, ferr := s.d.Store.LockCode(r.Context(), c.ID); ferr == nil {
					pin, err = s.svc.OpenPIN(fresh)
				}
			}
		}
		if err != nil {
			rec.outcome, rec.detail = db.OutcomeFailed, rec.detail+": PIN unreadable"
			audit(r, s.d.Store, s.d.Logger, rec)
			return &httpError{http.StatusBadGateway, "The PIN could not be read. Try again after the next sync.", err}
		}
		rec.outcome = db.OutcomeOK
		audit(r, s.d.Store, s.d.Logger, rec)
		w.Header().Set("Cache-Control", "no-store")
		if isHTMX(r) && !wantsPage(r) {
			return render(w, r, http.StatusOK, views.LockCodePIN(rd, pin.Reveal()))
		}
		meta := pageMeta(r, "PIN of "+c.Name, views.NavProperties)
		return render(w, r, http.StatusOK, views.LockCodeRevealPage(meta, rd, pin.Reveal(), s.listURL(r, c)))
	})
}
