package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// Adopting a drifted keypad code (access.Service.Adopt): the drift page links an unknown slot to a form that asks
// for what the lock code form asks, minus the PIN (the lock's) and the locks (that one).

const lcAdoptTitle = "Adopt a keypad code"

// adoptTarget reads the lock and slot of an adoption from values (the query or the form).
func adoptTarget(sc lcScope, device, slotText string) (db.Device, int, error) {
	slot, err := strconv.Atoi(slotText)
	for _, l := range sc.locks {
		if l.ID == device && err == nil && slot >= 1 && slot <= 10_000 {
			return l, slot, nil
		}
	}
	return db.Device{}, 0, &httpError{http.StatusUnprocessableEntity, "Unknown lock or slot. Nothing was changed.", err}
}

func (s *lockCodeRoutes) adoptForm(sc lcScope, f lcForm, lock db.Device, slot int, problems map[string]string) views.LockCodeFormData {
	v := f.view(sc, lcPropertyPath(sc.property.ID)+"/drift/adopt", false, problems)
	v.AdoptLock, v.AdoptSlot, v.AdoptName, v.CancelURL = lock.ID, slot, deviceName(lock), driftURL(sc.property.ID)
	return v
}

// handleDriftAdoptForm is the empty adoption form of ?device=&slot=.
func handleDriftAdoptForm(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		sc, err := s.formScope(r)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		lock, slot, err := adoptTarget(sc, q.Get("device"), q.Get("slot"))
		if err != nil {
			return err
		}
		f := lcForm{validity: smarthome.ValidityNeverExpires, kind: db.CodeKindStandard}
		return s.renderForm(w, r, http.StatusOK, lcAdoptTitle, s.adoptForm(sc, f, lock, slot, nil))
	})
}

// handleDriftAdopt adopts the keypad code, audited as lock_code.drift.adopt whatever the outcome.
func handleDriftAdopt(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		sc, err := s.formScope(r)
		if err != nil {
			return err
		}
		if err := lcReadForm(w, r); err != nil {
			return err
		}
		ctx := r.Context()
		rec := auditRecord{action: "lock_code.drift.adopt", targetType: "device", propertyID: &sc.property.ID,
			targetID: clip.String(r.PostForm.Get("device"), 64), detail: "slot " + clip.String(r.PostForm.Get("slot"), 10)}
		lock, slot, err := adoptTarget(sc, r.PostForm.Get("device"), r.PostForm.Get("slot"))
		if err != nil {
			rec.outcome = db.OutcomeFailed
			audit(r, s.d.Store, s.d.Logger, rec)
			return err
		}
		f := lcReadCodeForm(r)
		in, problems := f.validateAdopt(sc, time.Now().UTC())
		fail := func(status int, problem, advice string) error {
			v := s.adoptForm(sc, f, lock, slot, problems)
			v.Problem, v.Advice = problem, advice
			return s.renderForm(w, r, status, lcAdoptTitle, v)
		}
		if len(problems) > 0 {
			return fail(http.StatusUnprocessableEntity, lcMsgFixFields, "")
		}
		rec.detail = fmt.Sprintf("slot %d as %q, %s", slot, in.name, in.validity.Summary(sc.loc)) + lcTermsDetail(in.terms)
		loc, err := access.TargetZone(ctx, s.d.Store, sc.property.TimeZone, []db.Device{lock})
		if err != nil {
			return err
		}
		lc, err := s.svc.Adopt(ctx, access.Adoption{PropertyID: sc.property.ID, Lock: lock, Slot: slot, Name: in.name,
			Validity: in.validity, Zone: loc, Issuer: currentUser(ctx).user.ID, Terms: in.terms})
		if err != nil {
			rec.outcome, rec.detail = db.OutcomeFailed, rec.detail+": "+upstream.Message(err)
			audit(r, s.d.Store, s.d.Logger, rec)
			status, problem, advice := adoptError(err)
			return fail(status, problem, advice)
		}
		rec.outcome, rec.targetType, rec.targetID = db.OutcomeOK, "lock_code", lc.ID
		audit(r, s.d.Store, s.d.Logger, rec)
		redirect(w, r, lcCreateURL(sc)+"?done=adopted")
		return nil
	})
}

// adoptError says what stopped an adoption and what to do.
func adoptError(err error) (int, string, string) {
	switch {
	case errors.Is(err, access.ErrCannotClear):
		return http.StatusNotImplemented, "This Smart Home service cannot clear a slot remotely, so it cannot take over a keypad code.",
			"Issue a new code for this person, then clear the slot at the keypad with the master code."
	case errors.Is(err, access.ErrNoKey):
		return http.StatusServiceUnavailable, "Lock codes cannot be issued: the dashboard has no lock-code key.", "Ask an administrator to set SESSION_SECRET."
	case errors.Is(err, access.ErrSlotKnown):
		return http.StatusConflict, "That slot no longer holds a code nobody issued here. Nothing was changed.", "Check the drift page again."
	case errors.Is(err, access.ErrAdoptFailed):
		_, msg := classify(err)
		return http.StatusBadGateway, "The keypad code was cleared from the lock, but the Smart Home service did not take it as a managed code: " + msg,
			"The PIN no longer opens the lock: issue a code for this person from the lock codes page."
	}
	status, problem, advice := lcUpstreamFormError(err, false)
	return status, problem, "Nothing was changed. " + advice
}

// validateAdopt checks the fields an adoption asks for: name, validity, kind, company, entries.
func (f lcForm) validateAdopt(sc lcScope, now time.Time) (lcInput, map[string]string) {
	in := lcInput{name: f.name}
	problems := map[string]string{}
	if p := lcTextProblem("Name", f.name, smarthome.MaxCodeNameLength, true); p != "" {
		problems["name"] = p
	}
	in.terms = f.validateTerms(problems)
	var field, p string
	if in.validity, field, p = f.validateValidity(sc.loc, now); p != "" {
		problems[field] = p
	}
	return in, problems
}
