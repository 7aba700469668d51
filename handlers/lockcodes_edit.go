package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
)

// liveCode loads the code of the {id} path value with its property's scope; a deleted code cannot be changed.
func (s *lockCodeRoutes) liveCode(r *http.Request) (db.LockCode, lcScope, error) {
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
	v, err := access.ValidityOf(c)
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

func handleLockCodeEdit(s *lockCodeRoutes) http.Handler {
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

func handleLockCodeUpdate(s *lockCodeRoutes) http.Handler {
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
			if pin, err = s.svc.OpenPIN(c); err != nil {
				return fail(http.StatusConflict, "The current PIN of this code cannot be read here, so the new times cannot be checked.",
					"Type the PIN again (or a new one) and save.")
			}
		}
		if problems, err = s.conflicts(ctx, sc, access.Draft{Targets: targets, PIN: pin, Validity: in.validity, ExceptID: c.ID}); err != nil {
			return err
		}
		if len(problems) > 0 {
			return fail(http.StatusConflict, "The changes were not saved: they conflict with what the locks hold.", "")
		}
		loc, _ := access.TargetZone(ctx, s.d.Store, sc.property.TimeZone, targets)
		u := smarthome.LockCodeUpdate{Name: &in.name}
		if in.pin != "" {
			u.Code = &in.pin
		}
		in.validity.Update(&u, loc)
		rec := auditRecord{action: "lock_code.update", targetType: "lock_code", targetID: c.ID, propertyID: &c.PropertyID,
			detail: fmt.Sprintf("%q, %s, PIN %s", in.name, in.validity.Summary(sc.loc), map[bool]string{true: "changed", false: "kept"}[in.pin != ""])}
		if err := s.svc.ApplyUpdate(ctx, c, u); err != nil {
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
