package handlers

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
)

// liveCode loads the code of the {id} path value with its property's scope; a deleted code cannot be changed.
func (s *lockCodeService) liveCode(r *http.Request) (db.LockCode, lcScope, error) {
	c, err := s.d.Store.LockCode(r.Context(), r.PathValue("id"))
	if err != nil {
		return c, lcScope{}, err
	}
	sc, err := lcPropertyScope(r.Context(), s.d.Store, c.PropertyID)
	return c, sc, err
}

var errLCDeleted = &httpError{http.StatusConflict, "This code has been deleted; it can no longer be changed.", nil}

// lcFormFromCode fills the edit form with a code's current values, its times in the property's zone.
func lcFormFromCode(c db.LockCode, sc lcScope) lcForm {
	f := lcForm{name: c.Name, validity: c.ValidityType, scope: "some"}
	for _, d := range c.Devices {
		if d.Status != db.LockCodeRemoved {
			f.devices = append(f.devices, d.DeviceID)
		}
	}
	v, err := lcValidityOf(c)
	if err != nil {
		return f
	}
	switch v.Kind {
	case smarthome.ValiditySpecificPeriod:
		f.starts, f.ends = v.Start.In(sc.loc).Format(lcLocalLayout), v.End.In(sc.loc).Format(lcLocalLayout)
	case smarthome.ValidityDayOfWeek:
		for _, w := range v.Windows {
			for _, d := range w.Days {
				f.weekly[d].on, f.weekly[d].from, f.weekly[d].to = true, w.From, w.To
			}
		}
	case smarthome.ValidityDailyRepeating:
		if len(v.Windows) > 0 {
			f.dailyFrom, f.dailyTo = v.Windows[0].From, v.Windows[0].To
			for _, d := range v.Windows[0].Days {
				f.dailyDays[d] = true
			}
		}
	}
	return f
}

func lcEditURL(c db.LockCode) string { return "/lock-codes/" + url.PathEscape(c.ID) }

func handleLockCodeEdit(s *lockCodeService) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		c, sc, err := s.liveCode(r)
		if err != nil {
			return err
		}
		if c.DeletedAt != nil {
			return errLCDeleted
		}
		v := lcFormFromCode(c, sc).view(sc, lcEditURL(c), true, nil)
		v.CodeID = c.ID
		return s.renderForm(w, r, http.StatusOK, "Edit “"+c.Name+"”", v)
	})
}

func handleLockCodeUpdate(s *lockCodeService) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		c, sc, err := s.liveCode(r)
		if err != nil {
			return err
		}
		if c.DeletedAt != nil {
			return errLCDeleted
		}
		if err := lcReadForm(w, r); err != nil {
			return err
		}
		ctx, now := r.Context(), time.Now().UTC()
		f := lcReadCodeForm(r)
		f.scope, f.devices = "some", lcFormFromCode(c, sc).devices // a code keeps its locks
		in, problems := f.validate(sc, true, r.PostForm.Get("pin"), now)
		fail := func(status int, problem, advice string) error {
			v := f.view(sc, lcEditURL(c), true, problems)
			v.CodeID, v.Problem, v.Advice = c.ID, problem, advice
			return s.renderForm(w, r, status, "Edit “"+c.Name+"”", v)
		}
		if len(problems) > 0 {
			return fail(http.StatusUnprocessableEntity, lcMsgFixFields, "")
		}
		var targets []db.Device
		for _, l := range sc.locks {
			if slices.Contains(f.devices, l.ID) {
				targets = append(targets, l)
			}
		}
		pin := in.pin
		if pin == "" {
			if pin, err = s.sealer.open(c.ID, c.PINSealed); err != nil {
				return fail(http.StatusConflict, "The current PIN of this code cannot be read here, so the new times cannot be checked.",
					"Type the PIN again (or a new one) and save.")
			}
		}
		if problems, err = s.conflicts(ctx, sc, targets, pin, in.validity, c.ID, false); err != nil {
			return err
		}
		if len(problems) > 0 {
			return fail(http.StatusConflict, "The changes were not saved: they conflict with what the locks hold.", "")
		}
		loc, _ := lcTargetZone(ctx, s.d.Store, sc, targets)
		u := smarthome.LockCodeUpdate{Name: &in.name}
		if in.pin != "" {
			u.Code = &in.pin
		}
		in.validity.update(&u, loc)
		rec := auditRecord{action: "lock_code.update", targetType: "lock_code", targetID: c.ID, propertyID: &c.PropertyID,
			detail: fmt.Sprintf("%q, %s, PIN %s", in.name, in.validity.summary(sc.loc), map[bool]string{true: "changed", false: "kept"}[in.pin != ""])}
		if err := s.applyUpdate(ctx, c, u); err != nil {
			rec.outcome, rec.detail = db.OutcomeFailed, rec.detail+": "+upstream.Message(err)
			audit(r, s.d.Store, s.d.Logger, rec)
			status, problem, advice := lcUpstreamFormError(err, false)
			return fail(status, problem, advice)
		}
		rec.outcome = db.OutcomeOK
		audit(r, s.d.Store, s.d.Logger, rec)
		redirect(w, r, lcCreateURL(sc)+"?done=saved")
		return nil
	})
}

// applyUpdate sends a change (or a retry) upstream, then mirrors the answer, pushes the new states and watches
// the code until its locks answer.
func (s *lockCodeService) applyUpdate(ctx context.Context, c db.LockCode, u smarthome.LockCodeUpdate) error {
	if s.sealer == nil {
		return errLCNoKey
	}
	uctx, cancel := context.WithTimeout(ctx, lockCodeCallTimeout)
	lc, err := s.d.Upstream.UpdateLockCode(uctx, c.ID, u)
	cancel()
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	row, err := s.mirrorCode(s.lcZones(ctx), lc, c.PropertyID, &c, now)
	if err == nil {
		err = s.d.Store.UpsertLockCode(ctx, row)
	}
	s.tracker.track(c.ID) // even if the mirror failed: the tracker re-reads it
	if err != nil {
		return fmt.Errorf("mirror updated lock code %s: %w", c.ID, err)
	}
	if cur, err := s.d.Store.LockCode(ctx, c.ID); err == nil {
		s.publishChanges(ctx, &c, cur)
	}
	return nil
}
