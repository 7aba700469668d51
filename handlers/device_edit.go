package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/views"
)

// maxDeviceName bounds device_name and occupant_setting, in characters: the simulator's limit for both (the
// upstream's is not documented).
const maxDeviceName = 100

func deviceEditData(dev db.Device) views.DeviceEditData {
	return views.DeviceEditData{ID: dev.ID, Title: deviceName(dev), Name: dev.Name, OccupantSetting: dev.OccupantSetting,
		MaxLen: maxDeviceName}
}

// deviceEditSection is the rename card on a device page; only people who edit the portfolio see it.
func deviceEditSection(r *http.Request, _ Deps, dev db.Device, _ db.Hub) (templ.Component, error) {
	if !currentUser(r.Context()).can(auth.EditPortfolio) {
		return nil, nil
	}
	return views.DeviceEditSection(deviceEditData(dev)), nil
}

func renderDeviceEdit(w http.ResponseWriter, r *http.Request, status int, f views.DeviceEditData) error {
	return render(w, r, status, views.DeviceEditPage(pageMeta(r, "Rename "+f.Title, views.NavHubs), f))
}

// handleDeviceEditForm: GET /devices/{id}/edit, the rename form with the mirrored names.
func handleDeviceEditForm(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		dev, err := d.Store.Device(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		return renderDeviceEdit(w, r, http.StatusOK, deviceEditData(dev))
	})
}

// checkDeviceName validates one name: required, one line, at most maxDeviceName characters. Markup is allowed (a
// device name is free text; pages escape it), control characters are not.
func checkDeviceName(label, v string) string {
	switch {
	case v == "":
		return label + " is required."
	case !utf8.ValidString(v):
		return label + " contains characters that are not text."
	case utf8.RuneCountInString(v) > maxDeviceName:
		return fmt.Sprintf("%s is too long: at most %d characters.", label, maxDeviceName)
	case strings.ContainsFunc(v, unicode.IsControl):
		return label + " must be a single line of text."
	}
	return ""
}

// readDeviceEditForm reads and checks the two names, trimmed.
func readDeviceEditForm(form url.Values, f views.DeviceEditData) (views.DeviceEditData, []string) {
	f.Name, f.OccupantSetting = strings.TrimSpace(form.Get("device_name")), strings.TrimSpace(form.Get("occupant_setting"))
	var problems []string
	for _, p := range []string{checkDeviceName("Device name", f.Name), checkDeviceName("Occupant setting", f.OccupantSetting)} {
		if p != "" {
			problems = append(problems, p)
		}
	}
	return f, problems
}

// handleDeviceUpdate: POST /devices/{id}/edit. Upstream first, then the mirror row it answers with, then the audit
// log; a refusal re-renders the form with the reason and changes nothing here.
func handleDeviceUpdate(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		dev, err := d.Store.Device(ctx, r.PathValue("id"))
		if err != nil {
			return err
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxPortfolioForm)
		if err := r.ParseForm(); err != nil {
			return badRequest("The form could not be read (is it too large?). Nothing was changed.", err)
		}
		f, problems := readDeviceEditForm(r.PostForm, deviceEditData(dev))
		if len(problems) > 0 {
			f.Errors = problems
			return renderDeviceEdit(w, r, http.StatusUnprocessableEntity, f)
		}
		if f.Name == dev.Name && f.OccupantSetting == dev.OccupantSetting {
			redirect(w, r, scheduleDeviceURL(dev.ID)+"?flash=device-unchanged")
			return nil
		}
		rec := auditRecord{action: "device.update", targetType: "device", targetID: dev.ID, propertyID: dev.PropertyID,
			detail: deviceNameChanges(dev, f)}
		updated, err := d.Upstream.UpdateDeviceDetails(ctx, dev.ID, &f.Name, &f.OccupantSetting)
		if err != nil {
			rec.outcome, rec.detail = db.OutcomeFailed, rec.detail+": "+clip.String(writeRefusal(err), 200)
			audit(r, d.Store, d.Logger, rec)
			status, msg := writeFailure(err)
			f.Errors = []string{msg}
			return renderDeviceEdit(w, r, status, f)
		}
		rec.outcome = db.OutcomeOK
		if err := mirrorUpdatedDevice(r, d, rec, dev.HubID, updated); err != nil {
			return err
		}
		redirect(w, r, scheduleDeviceURL(dev.ID)+"?flash=device-renamed")
		return nil
	})
}

// deviceNameChanges names what the form changes, for the audit log (each name clipped).
func deviceNameChanges(old db.Device, f views.DeviceEditData) string {
	var changed []string
	if old.Name != f.Name {
		changed = append(changed, fmt.Sprintf("name %q → %q", clip.String(old.Name, 100), clip.String(f.Name, 100)))
	}
	if old.OccupantSetting != f.OccupantSetting {
		changed = append(changed, fmt.Sprintf("occupant setting %q → %q", clip.String(old.OccupantSetting, 100),
			clip.String(f.OccupantSetting, 100)))
	}
	return strings.Join(changed, "; ")
}
