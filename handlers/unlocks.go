package handlers

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// Limits of the one-off code forms.
const (
	maxUnlockSerial = 32
	maxUnlockPhone  = 20
)

func hubUnlockForm(h db.Hub) views.UnlockCodeData {
	u := views.UnlockCodeData{Action: "/hubs/" + url.PathEscape(h.ID) + "/unlock-code", Kind: "hub", TargetID: h.ID,
		Serial: h.SerialNo, TimeZone: h.TimeZone}
	if !h.Online {
		u.Disabled = "The hub is offline: one-off codes can be issued once it is back online."
	}
	return u
}

func lockUnlockForm(dev db.Device, zone string) views.UnlockCodeData {
	return views.UnlockCodeData{Action: "/devices/" + url.PathEscape(dev.ID) + "/unlock-code", Kind: "lock",
		TargetID: dev.ID, TimeZone: cmp.Or(zone, "UTC")}
}

// unlockHubSection is the one-off code form of a hub page, for people who manage codes.
func unlockHubSection(r *http.Request, _ Deps, h db.Hub) (templ.Component, error) {
	if !currentUser(r.Context()).can(auth.ManageAccess) {
		return nil, nil
	}
	return views.UnlockCodeForm(hubUnlockForm(h)), nil
}

// unlockDeviceSection is the one-off code form of a lock page (v2: lockbox, Rently Blue, Smart Bolt by serial).
func unlockDeviceSection(r *http.Request, d Deps, dev db.Device, _ db.Hub) (templ.Component, error) {
	if !currentUser(r.Context()).can(auth.ManageAccess) || !lcIsLock(dev.Type) || dev.PropertyID == nil {
		return nil, nil
	}
	p, err := d.Store.Property(r.Context(), *dev.PropertyID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	return views.UnlockCodeForm(lockUnlockForm(dev, p.TimeZone)), nil
}

// unlockPhoneProblem accepts an optional phone number: digits and the usual separators, at most maxUnlockPhone.
func unlockPhoneProblem(v string) string {
	switch {
	case v == "":
		return ""
	case len(v) > maxUnlockPhone:
		return "The phone number must be at most 20 characters."
	case strings.Trim(v, "0123456789+-() .") != "":
		return "A phone number has only digits, spaces and + - ( )."
	}
	return ""
}

func unlockPeopleFields(r *http.Request, u *views.UnlockCodeData) {
	u.Name, u.Phone = strings.TrimSpace(r.PostForm.Get("name")), strings.TrimSpace(r.PostForm.Get("phone"))
	u.Errors = map[string]string{}
	if p := lcTextProblem("Name", u.Name, smarthome.MaxCodeNameLength, false); p != "" {
		u.Errors["name"] = p
	}
	if p := unlockPhoneProblem(u.Phone); p != "" {
		u.Errors["phone"] = p
	}
}

// issueUnlock runs one issue: limits, the upstream call, the audit record (never the code), the answer (never
// cached). ask returns the code and what it allows; the service bounds its upstream call.
func (s *lockCodeRoutes) issueUnlock(w http.ResponseWriter, r *http.Request, u views.UnlockCodeData, rec auditRecord,
	backURL string, ask func(ctx context.Context) (smarthome.PIN, string, error)) error {
	status := http.StatusOK
	p := currentUser(r.Context())
	switch {
	case len(u.Errors) > 0:
		status, u.Problem = http.StatusUnprocessableEntity, "No code was issued: correct the fields marked below."
	case u.Disabled != "":
		status, u.Problem = http.StatusConflict, u.Disabled
	case !s.svc.AllowPerson(p.user.ID):
		rec.outcome, rec.detail = db.OutcomeDenied, rec.detail+": too many codes"
		audit(r, s.d.Store, s.d.Logger, rec)
		status, u.Problem = http.StatusTooManyRequests, "Too many codes issued in a short time. Wait a minute."
	default:
		pin, validity, err := ask(r.Context())
		if err != nil {
			rec.outcome, rec.detail = db.OutcomeFailed, rec.detail+": "+upstream.Message(err)
			audit(r, s.d.Store, s.d.Logger, rec)
			status, u.Problem = classify(err)
			switch {
			case errors.Is(err, smarthome.ErrRejected):
				status, u.Problem = http.StatusBadGateway, "The Smart Home service could not generate a code: "+upstream.Message(err)
			case errors.Is(err, smarthome.ErrNotFound):
				status, u.Problem = http.StatusUnprocessableEntity, "The Smart Home service does not know serial "+
					u.Serial+": check the number printed on the device."
			case errors.Is(err, smarthome.ErrValidation):
				status, u.Problem = http.StatusUnprocessableEntity, "The Smart Home service refused: "+upstream.Message(err)
			}
			break
		}
		rec.outcome = db.OutcomeOK
		audit(r, s.d.Store, s.d.Logger, rec)
		u.Code, u.Validity = pin.Reveal(), validity
		u.Name, u.Phone, u.Starts, u.Ends = "", "", "", ""
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Add("Vary", "HX-Request")
	if isHTMX(r) && !wantsPage(r) {
		return render(w, r, status, views.UnlockCodeForm(u))
	}
	return render(w, r, status, views.UnlockCodePage(pageMeta(r, "One-off unlock code", views.NavHubs), u, backURL))
}

func handleHubUnlock(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		h, err := s.d.Store.Hub(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		if err := lcReadForm(w, r); err != nil {
			return err
		}
		u := hubUnlockForm(h)
		unlockPeopleFields(r, &u)
		rec := auditRecord{action: "unlock_code.hub", targetType: "hub", targetID: h.ID, propertyID: h.PropertyID,
			detail: "serial " + h.SerialNo + ", for " + cmp.Or(u.Name, "(no name)")}
		return s.issueUnlock(w, r, u, rec, "/hubs/"+url.PathEscape(h.ID), func(ctx context.Context) (smarthome.PIN, string, error) {
			pin, err := s.svc.IssueHubUnlock(ctx, smarthome.HubUnlockRequest{Serial: h.SerialNo, Name: u.Name, Phone: u.Phone})
			return pin, "Valid on every lock of this hub for 2 hours from its first use, today only.", err
		})
	})
}

func handleLockUnlock(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		sc, err := lcDeviceScope(r.Context(), s.d.Store, r.PathValue("id"))
		if err != nil {
			return err
		}
		if err := lcReadForm(w, r); err != nil {
			return err
		}
		u := lockUnlockForm(*sc.device, sc.property.TimeZone)
		unlockPeopleFields(r, &u)
		u.Serial = strings.TrimSpace(r.PostForm.Get("serial"))
		u.Starts, u.Ends = strings.TrimSpace(r.PostForm.Get("starts_at")), strings.TrimSpace(r.PostForm.Get("ends_at"))
		if p := unlockSerialProblem(u.Serial); p != "" {
			u.Errors["serial"] = p
		}
		start, p := lcParseLocal("Start", u.Starts, sc.loc)
		if p != "" {
			u.Errors["starts_at"] = p
		}
		var end time.Time
		if u.Ends != "" {
			if end, p = lcParseLocal("End", u.Ends, sc.loc); p != "" {
				u.Errors["ends_at"] = p
			} else if p == "" && u.Errors["starts_at"] == "" && !end.After(start) {
				u.Errors["ends_at"] = "The end must be after the start."
			}
		}
		if u.Errors["ends_at"] == "" && !end.IsZero() && !end.After(time.Now()) {
			u.Errors["ends_at"] = "The end is in the past: the code would never work."
		}
		rec := auditRecord{action: "unlock_code.v2", targetType: "device", targetID: sc.device.ID, propertyID: &sc.property.ID,
			detail: "serial " + clip.String(u.Serial, maxUnlockSerial) + ", for " + cmp.Or(u.Name, "(no name)")}
		return s.issueUnlock(w, r, u, rec, lcDeviceURL(sc.device.ID), func(ctx context.Context) (smarthome.PIN, string, error) {
			pin, err := s.svc.IssueUnlock(ctx, smarthome.UnlockV2Request{Serial: u.Serial, Start: start, End: end,
				Name: u.Name, Phone: u.Phone})
			until := "the end of that day"
			if !end.IsZero() {
				until = end.In(sc.loc).Format(tz.Layout)
			}
			return pin, "Valid from " + start.In(sc.loc).Format(tz.Layout) + " until " + until + " (a Smart Bolt code lasts 3 hours).", err
		})
	})
}

// unlockSerialProblem checks a lockbox, Blue lock or Smart Bolt serial: letters, digits and dashes.
func unlockSerialProblem(v string) string {
	switch {
	case v == "":
		return "Enter the serial number printed on the lockbox, Blue lock or Smart Bolt."
	case len(v) > maxUnlockSerial:
		return "A serial number has at most 32 characters."
	case strings.Trim(v, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "":
		return "A serial number has only letters, digits and dashes."
	}
	return ""
}
