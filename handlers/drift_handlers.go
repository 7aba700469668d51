package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/views"
)

// handleDriftIndex picks the property whose locks to compare (?property= goes straight to it).
func handleDriftIndex(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		if v := q.Get("property"); v != "" {
			id, err := parseID(v)
			if err != nil {
				return notFound()
			}
			if _, err := s.d.Store.Property(r.Context(), id); err != nil {
				return err
			}
			redirect(w, r, driftURL(id))
			return nil
		}
		d := views.DriftIndexData{Q: clip.String(q.Get("q"), maxQuery)}
		res, err := s.d.Store.ListProperties(r.Context(), db.PropertyFilter{Query: d.Q, Page: 1, PerPage: 25})
		if err != nil {
			return err
		}
		d.Total = res.Total
		for _, p := range res.Items {
			d.Rows = append(d.Rows, views.DriftPropertyData{ID: strconv.FormatInt(p.ID, 10), Name: p.Name, City: p.City})
		}
		return render(w, r, http.StatusOK, views.DriftIndexPage(pageMeta(r, "Code drift", views.NavDrift), d))
	})
}

// handleDrift is the comparison page of one property.
func handleDrift(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		sc, err := s.formScope(r)
		if err != nil {
			return err
		}
		d, err := s.driftReport(r.Context(), sc)
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		meta := pageMeta(r, "Code drift · "+sc.property.Name, views.NavDrift)
		return render(w, r, http.StatusOK, views.DriftPage(meta, d))
	})
}

// driftRemedy is one remedy: it re-checks the difference against the upstream before acting, so a stale page can
// not remove a code that is now legitimate. It answers with a short result for the report.
type driftRemedy func(ctx context.Context, sc lcScope, r *http.Request) (msg string, rec auditRecord, err error)

// handleDriftRemedy runs a remedy, audits it, and answers with the report read again.
func handleDriftRemedy(s *lockCodeRoutes, remedy driftRemedy) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		sc, err := s.formScope(r)
		if err != nil {
			return err
		}
		if err := lcReadForm(w, r); err != nil {
			return err
		}
		msg, rec, err := remedy(r.Context(), sc, r)
		rec.propertyID = &sc.property.ID
		status, problem := http.StatusOK, ""
		if err != nil {
			status, problem = classify(err)
			rec.outcome, rec.detail = db.OutcomeFailed, rec.detail+": "+problem
			if rec.action != "" {
				audit(r, s.d.Store, s.d.Logger, rec)
			}
		} else {
			rec.outcome = db.OutcomeOK
			audit(r, s.d.Store, s.d.Logger, rec)
		}
		if !isHTMX(r) || wantsPage(r) {
			if err != nil {
				return err
			}
			redirect(w, r, driftURL(sc.property.ID))
			return nil
		}
		d, rerr := s.driftReport(r.Context(), sc)
		if rerr != nil {
			return rerr
		}
		d.Message, d.Error = msg, problem
		w.Header().Set("Cache-Control", "no-store")
		return render(w, r, status, views.DriftReport(d))
	})
}

// driftCode is the code named by the form, which must belong to the property and still be live.
func (s *lockCodeRoutes) driftCode(ctx context.Context, sc lcScope, r *http.Request) (db.LockCode, error) {
	c, err := s.d.Store.LockCode(ctx, r.PostForm.Get("code"))
	if errors.Is(err, db.ErrNotFound) || (err == nil && c.PropertyID != sc.property.ID) {
		return c, &httpError{http.StatusUnprocessableEntity, "That code is not a code of this property. Nothing was changed.", err}
	}
	if err == nil && c.DeletedAt != nil {
		return c, &httpError{http.StatusConflict, "That code is already being removed. Nothing was changed.", nil}
	}
	return c, err
}

// remedyRemoveExpired deletes a code whose window ended but which a lock still holds.
func (s *lockCodeRoutes) remedyRemoveExpired(ctx context.Context, sc lcScope, r *http.Request) (string, auditRecord, error) {
	rec := auditRecord{action: "lock_code.drift.remove_expired", targetType: "lock_code", targetID: r.PostForm.Get("code")}
	c, err := s.driftCode(ctx, sc, r)
	if err != nil {
		return "", rec, err
	}
	rec.detail = "“" + c.Name + "”"
	if v, verr := access.ValidityOf(c); verr != nil || !v.Ended(time.Now()) {
		return "", rec, &httpError{http.StatusConflict, "That code's window has not ended. Nothing was changed.", verr}
	}
	gone, err := s.svc.Withdraw(ctx, c.ID)
	if err != nil {
		return "", rec, err
	}
	if err := s.svc.MarkDeleted(ctx, c, gone); err != nil {
		return "", rec, err
	}
	return "“" + c.Name + "” is being removed from its locks.", rec, nil
}

// remedyResend sends an issued code to its locks again.
func (s *lockCodeRoutes) remedyResend(ctx context.Context, sc lcScope, r *http.Request) (string, auditRecord, error) {
	rec := auditRecord{action: "lock_code.drift.resend", targetType: "lock_code", targetID: r.PostForm.Get("code")}
	c, err := s.driftCode(ctx, sc, r)
	if err != nil {
		return "", rec, err
	}
	rec.detail = "“" + c.Name + "”"
	if err := s.svc.Resend(ctx, c); err != nil {
		return "", rec, err
	}
	return "“" + c.Name + "” was sent to its locks again.", rec, nil
}

// remedyClearSlot empties a slot holding a PIN that no live code here accounts for, after reading the lock again.
func (s *lockCodeRoutes) remedyClearSlot(ctx context.Context, sc lcScope, r *http.Request) (string, auditRecord, error) {
	dev, slotText := r.PostForm.Get("device"), r.PostForm.Get("slot")
	rec := auditRecord{action: "lock_code.drift.clear_slot", targetType: "device", targetID: dev, detail: "slot " + clip.String(slotText, 10)}
	if !s.svc.CanClearSlots() {
		return "", rec, &httpError{http.StatusNotImplemented, "This Smart Home service cannot clear a slot remotely: clear it at the lock's keypad with the master code.", nil}
	}
	slot, err := strconv.Atoi(slotText)
	var lock *db.Device
	for i := range sc.locks {
		if sc.locks[i].ID == dev {
			lock = &sc.locks[i]
		}
	}
	if err != nil || slot < 1 || slot > 10_000 || lock == nil {
		return "", rec, &httpError{http.StatusUnprocessableEntity, "Unknown lock or slot. Nothing was changed.", err}
	}
	err = s.svc.ClearSlot(ctx, sc.property.ID, *lock, slot)
	if errors.Is(err, access.ErrSlotKnown) {
		return "", rec, &httpError{http.StatusConflict, "Slot " + slotText + " no longer holds an unknown code. Nothing was changed.", nil}
	}
	if err != nil {
		return "", rec, err
	}
	return "Slot " + slotText + " of " + deviceName(*lock) + " is being cleared; check again in a moment.", rec, nil
}
