package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// handleLockCodeNew is the empty issue form; ?device= pre-selects one lock.
func handleLockCodeNew(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		sc, err := s.formScope(r)
		if err != nil {
			return err
		}
		f := lcForm{scope: "all", validity: smarthome.ValidityNeverExpires}
		if dev := r.URL.Query().Get("device"); slices.ContainsFunc(sc.locks, func(l db.Device) bool { return l.ID == dev }) {
			f.scope, f.devices = "some", []string{dev}
		}
		return s.renderForm(w, r, http.StatusOK, "New lock code", f.view(sc, lcCreateURL(sc), false, nil))
	})
}

// handleLockCodeValidityFields answers the validity select with the fields of the chosen type.
func handleLockCodeValidityFields(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		sc, err := s.formScope(r)
		if err != nil {
			return err
		}
		f := lcForm{validity: r.URL.Query().Get("validity")}
		return render(w, r, http.StatusOK, views.LockCodeValidityFields(f.view(sc, "", false, nil)))
	})
}

func (s *lockCodeRoutes) formScope(r *http.Request) (lcScope, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return lcScope{}, notFound()
	}
	return lcPropertyScope(r.Context(), s.d.Store, id)
}

func lcCreateURL(sc lcScope) string { return lcPropertyPath(sc.property.ID) + "/lock-codes" }

func (s *lockCodeRoutes) renderForm(w http.ResponseWriter, r *http.Request, status int, title string, f views.LockCodeFormData) error {
	w.Header().Add("Vary", "HX-Request")
	if isHTMX(r) && !wantsPage(r) {
		return render(w, r, status, views.LockCodeForm(f))
	}
	meta := pageMeta(r, title, views.NavProperties)
	return render(w, r, status, views.LockCodeFormPage(meta, views.LockCodeFormPageData{Title: title, Form: f}))
}

// lcReadForm reads a bounded form body; an oversized one is refused before anything is parsed.
func lcReadForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, lcMaxForm)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &httpError{http.StatusRequestEntityTooLarge, "The form is too large. Nothing was saved.", err}
		}
		return badRequest("The form could not be read. Nothing was saved.", err)
	}
	return nil
}

const lcMsgFixFields = "The code was not saved: correct the fields marked below."

func handleLockCodeCreate(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		sc, err := s.formScope(r)
		if err != nil {
			return err
		}
		if err := lcReadForm(w, r); err != nil {
			return err
		}
		ctx, now := r.Context(), time.Now().UTC()
		f := lcReadCodeForm(r)
		in, problems := f.validate(sc, false, r.PostForm.Get("pin"), now)
		fail := func(status int, problem, advice string) error {
			v := f.view(sc, lcCreateURL(sc), false, problems)
			v.Problem, v.Advice = problem, advice
			return s.renderForm(w, r, status, "New lock code", v)
		}
		if len(problems) > 0 {
			return fail(http.StatusUnprocessableEntity, lcMsgFixFields, "")
		}
		if !s.svc.CanIssue() {
			return fail(http.StatusServiceUnavailable, "Lock codes cannot be issued: the dashboard has no lock-code key.", "Ask an administrator to set SESSION_SECRET.")
		}
		targets := in.targets(sc)
		loc, err := access.TargetZone(ctx, s.d.Store, sc.property.TimeZone, targets)
		var clash *access.ZoneClash
		if errors.As(err, &clash) {
			problems["device"] = "These locks are on hubs in different time zones (" + clash.First + ", " + clash.Second + "). Issue one code per hub."
			return fail(http.StatusUnprocessableEntity, lcMsgFixFields, "")
		}
		if problems, err = s.conflicts(ctx, sc, access.Draft{Targets: targets, PIN: in.pin, Validity: in.validity, New: true}); err != nil {
			return err
		}
		if len(problems) > 0 {
			return fail(http.StatusConflict, "The code was not saved: it conflicts with what the locks hold.", "")
		}
		req := smarthome.LockCodeRequest{Name: in.name, Code: in.pin}
		in.validity.Request(&req, loc)
		switch {
		case in.all:
			req.PropertyID = sc.property.ID
		case len(in.devices) == 1:
			req.DeviceID = in.devices[0]
		default:
			req.DeviceIDs = in.devices
		}
		rec := auditRecord{action: lcCreateAction(in.terms), targetType: "lock_code", propertyID: &sc.property.ID,
			detail: fmt.Sprintf("%q on %d lock(s), %s", in.name, len(targets), in.validity.Summary(sc.loc)) + lcTermsDetail(in.terms)}
		lc, err := s.svc.Create(ctx, req)
		if err != nil {
			rec.outcome, rec.detail = db.OutcomeFailed, rec.detail+": "+upstream.Message(err)
			audit(r, s.d.Store, s.d.Logger, rec)
			status, problem, advice := lcUpstreamFormError(err, true)
			if status >= 500 { // it may have been created after all: make the list show it if so
				_, _ = s.svc.SyncProperty(context.WithoutCancel(ctx), sc.property.ID, 0)
			}
			return fail(status, problem, advice)
		}
		if err := s.svc.StoreNewWith(ctx, sc.property.ID, lc, currentUser(ctx).user.ID, now, in.terms); err != nil {
			rec.outcome, rec.targetID, rec.detail = db.OutcomeFailed, lc.ID, rec.detail+": not stored here, withdrawn upstream"
			audit(r, s.d.Store, s.d.Logger, rec)
			return err
		}
		rec.outcome, rec.targetID = db.OutcomeOK, lc.ID
		audit(r, s.d.Store, s.d.Logger, rec) // StoreNew handed the code to the tracker
		redirect(w, r, lcCreateURL(sc)+"?done=created")
		return nil
	})
}

// lcCreateAction is the audit action of issuing a code: vendor codes have a category of their own.
func lcCreateAction(t access.Terms) string {
	if t.Kind == db.CodeKindVendor {
		return "lock_code.vendor.create"
	}
	return "lock_code.create"
}

// lcTermsDetail words a new code's terms for the audit log.
func lcTermsDetail(t access.Terms) string {
	out := ""
	if t.Kind == db.CodeKindVendor && t.Company != "" {
		out += fmt.Sprintf(", vendor %q", t.Company)
	}
	if t.MaxUses > 0 {
		out += fmt.Sprintf(", %d entries", t.MaxUses)
	}
	return out
}

// targets are the locks a validated form sends a code to.
func (in lcInput) targets(sc lcScope) []db.Device {
	if in.all {
		return sc.locks
	}
	var out []db.Device
	for _, l := range sc.locks {
		if slices.Contains(in.devices, l.ID) {
			out = append(out, l)
		}
	}
	return out
}

// conflicts checks a code about to be saved in scope sc against the mirror, and says what stops it by form field.
func (s *lockCodeRoutes) conflicts(ctx context.Context, sc lcScope, d access.Draft) (map[string]string, error) {
	d.PropertyID, d.Zone = sc.property.ID, sc.loc
	cf, err := s.svc.Conflicts(ctx, d)
	if err != nil {
		return nil, err
	}
	problems := map[string]string{}
	if c := cf.PIN; c != nil {
		problems["pin"] = fmt.Sprintf("This PIN is already used by “%s” on %s at an overlapping time (%s). "+
			"Choose another PIN, or change that code's times.", c.Code.Name, sc.lockNames()[c.DeviceID], c.Validity.Summary(sc.loc))
	}
	if f := cf.Full; f != nil {
		problems["device"] = fmt.Sprintf("%s has no free code slot (%d of %d in use). Delete a code from it, "+
			"or leave it out.", deviceName(f.Lock), f.Used, f.Total)
	}
	return problems, nil
}

// lcUpstreamFormError says, for a form, what the upstream's refusal means and what to do; creating tells whether an
// unanswered request may have created something.
func lcUpstreamFormError(err error, creating bool) (int, string, string) {
	status, msg := classify(err)
	switch {
	case errors.Is(err, smarthome.ErrConflict):
		return http.StatusConflict, msg, "The PIN is probably in use on one of these locks already: choose another PIN."
	case errors.Is(err, smarthome.ErrValidation):
		return http.StatusUnprocessableEntity, msg, "Nothing was saved. Correct the form and save again."
	case errors.Is(err, smarthome.ErrNotFound):
		return http.StatusUnprocessableEntity, "The Smart Home service does not know this code, property or one of its locks.",
			"Nothing was saved. Sync the portfolio (Sync now), then try again."
	case errors.Is(err, smarthome.ErrRateLimited), errors.Is(err, smarthome.ErrForbidden):
		return status, msg, "Nothing was saved."
	case creating:
		return status, "The Smart Home service did not confirm the code: " + msg,
			"It may have been created anyway: check the list of codes (it re-reads the service) before trying again."
	}
	return status, "The Smart Home service did not confirm the change: " + msg,
		"Check the code's state in the list before trying again."
}
