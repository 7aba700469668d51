package handlers

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/alerts"
	"github.com/keyless/dashboard/views"
)

// thresholdFields are the form fields of a row of thresholds, in the order the page and the audit detail list them.
var thresholdFields = []string{"low_battery", "offline_grace", "temp_high", "temp_low"}

// handleAlertSettings serves GET /alerts/settings: the global thresholds and every property's overrides.
func handleAlertSettings(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		return renderAlertSettings(w, r, d, http.StatusOK, nil)
	})
}

// handleAlertSettingsSave serves POST /alerts/settings: the global row (no property), or one property's overrides
// (its id in property; form=add when it came from the "add a property" form). Invalid values re-render the page with
// the form as typed and what is wrong; nothing is stored then. Every attempt is audited.
func handleAlertSettingsSave(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		form := views.ThresholdFormData{PropertyID: strings.TrimSpace(r.PostFormValue("property")), Adding: r.PostFormValue("form") == "add",
			LowBattery: r.PostFormValue("low_battery"), OfflineGrace: r.PostFormValue("offline_grace"),
			TempHigh: r.PostFormValue("temp_high"), TempLow: r.PostFormValue("temp_low")}
		pid := db.GlobalThresholds
		if form.PropertyID != "" || form.Adding {
			id, err := parseID(form.PropertyID)
			if err == nil {
				_, err = d.Store.Property(ctx, id)
			}
			if err != nil {
				form.Errors = append(form.Errors, views.FieldError{Field: "property", Message: "Choose a property."})
			}
			pid = id
		}
		t, fieldErrs := parseThresholds(form)
		form.Errors = append(form.Errors, fieldErrs...)
		var err error
		if len(form.Errors) == 0 {
			err = d.Alerts.SetThresholds(ctx, pid, t, currentUser(ctx).user.ID)
		}
		var invalid alerts.FieldErrors
		if errors.As(err, &invalid) {
			for _, f := range thresholdFields {
				if msg := invalid[f]; msg != "" {
					form.Errors = append(form.Errors, views.FieldError{Field: f, Message: msg})
				}
			}
		}
		rec := auditRecord{action: "alert_thresholds.set", targetType: "alert_thresholds", targetID: strconv.FormatInt(pid, 10),
			outcome: db.OutcomeOK, detail: thresholdsDetail(form)}
		if pid != db.GlobalThresholds {
			rec.propertyID = &pid
		}
		if len(form.Errors) > 0 || err != nil {
			rec.outcome = db.OutcomeFailed
		}
		audit(r, d.Store, d.Logger, rec)
		if len(form.Errors) > 0 {
			return renderAlertSettings(w, r, d, http.StatusUnprocessableEntity, &form)
		}
		if err != nil {
			return err
		}
		redirect(w, r, "/alerts/settings?flash=thresholds-saved")
		return nil
	})
}

// handleAlertSettingsRemove serves POST /alerts/settings/remove: the property back on the global thresholds.
func handleAlertSettingsRemove(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		pid, err := parseID(r.PostFormValue("property"))
		if err != nil {
			return badRequest("Choose a property.", err)
		}
		err = d.Alerts.ClearThresholds(r.Context(), pid)
		rec := auditRecord{action: "alert_thresholds.clear", targetType: "alert_thresholds", targetID: strconv.FormatInt(pid, 10),
			propertyID: &pid, outcome: db.OutcomeOK}
		if err != nil {
			rec.outcome = db.OutcomeFailed
		}
		audit(r, d.Store, d.Logger, rec)
		if err != nil {
			return err
		}
		redirect(w, r, "/alerts/settings?flash=thresholds-saved")
		return nil
	})
}

// parseThresholds reads a form's numbers: an empty field inherits, anything but a whole number is an error.
func parseThresholds(f views.ThresholdFormData) (alerts.Thresholds, []views.FieldError) {
	var t alerts.Thresholds
	var errs []views.FieldError
	for i, p := range []**int{&t.LowBatteryPercent, &t.OfflineGraceMin, &t.TempHighF, &t.TempLowF} {
		v := strings.TrimSpace([]string{f.LowBattery, f.OfflineGrace, f.TempHigh, f.TempLow}[i])
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, views.FieldError{Field: thresholdFields[i], Message: "Enter a whole number, or leave it empty."})
			continue
		}
		*p = &n
	}
	return t, errs
}

// thresholdsDetail is the audit detail of a save: each field as submitted ("-" for inherit).
func thresholdsDetail(f views.ThresholdFormData) string {
	vals := []string{f.LowBattery, f.OfflineGrace, f.TempHigh, f.TempLow}
	parts := make([]string, len(vals))
	for i, v := range vals {
		if v = strings.TrimSpace(v); v == "" {
			v = "-"
		}
		parts[i] = thresholdFields[i] + "=" + v
	}
	return strings.Join(parts, " ")
}
