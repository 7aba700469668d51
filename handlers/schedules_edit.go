package handlers

import (
	"fmt"
	"net/http"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// maxScheduleForm bounds a posted schedule form: 24 rows of a few short fields fit in far less.
const maxScheduleForm = 64 << 10

// scheduleEditorFor is the editor for dev, filled from sc when editing (nil: a new schedule with one empty row).
func scheduleEditorFor(r *http.Request, d Deps, dev db.Device, hub db.Hub, sc *db.Schedule) (views.ScheduleEditorData, error) {
	ed := views.ScheduleEditorData{DeviceID: dev.ID, DeviceName: deviceName(dev), DeviceType: dev.Type,
		MaxBlocks: maxScheduleBlocks, Status: http.StatusOK}
	z, err := scheduleZonesFor(r.Context(), d, dev, hub)
	if err != nil {
		return ed, err
	}
	ed.TimeZone = z.blockName
	if sc == nil {
		ed.Blocks = []views.ScheduleBlockFormData{emptyBlockRow(dev.Type)}
		return ed, nil
	}
	ed.ScheduleID, ed.Name, ed.Blocks = sc.ID, sc.Name, scheduleFormRows(sc.Blocks)
	if len(ed.Blocks) == 0 {
		ed.Blocks = []views.ScheduleBlockFormData{emptyBlockRow(dev.Type)}
	}
	running, err := d.Store.DevicesRunning(r.Context(), sc.ID)
	if err != nil {
		return ed, err
	}
	ed.RunningOn = len(running)
	return ed, nil
}

// renderScheduleEditor answers with the editor: the form alone for an htmx swap, else the whole page.
func renderScheduleEditor(w http.ResponseWriter, r *http.Request, ed views.ScheduleEditorData) error {
	w.Header().Add("Vary", "HX-Request")
	if isHTMX(r) && !wantsPage(r) {
		return render(w, r, ed.Status, views.ScheduleEditor(ed))
	}
	title := "New schedule"
	if ed.ScheduleID != "" {
		title = "Edit schedule"
	}
	return render(w, r, ed.Status, views.ScheduleEditorPage(pageMeta(r, title, views.NavHubs), ed))
}

// handleScheduleNew shows an empty editor for a schedule of the device's type and property.
func handleScheduleNew(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		dev, hub, err := loadSchedulableDevice(r, d)
		if err != nil {
			return err
		}
		ed, err := scheduleEditorFor(r, d, dev, hub, nil)
		if err != nil {
			return err
		}
		return renderScheduleEditor(w, r, ed)
	})
}

// handleScheduleEdit shows the editor filled with a mirrored schedule.
func handleScheduleEdit(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		dev, hub, err := loadSchedulableDevice(r, d)
		if err != nil {
			return err
		}
		sc, err := loadFittingSchedule(r, d, dev, r.PathValue("sid"))
		if err != nil {
			return err
		}
		ed, err := scheduleEditorFor(r, d, dev, hub, &sc)
		if err != nil {
			return err
		}
		return renderScheduleEditor(w, r, ed)
	})
}

// parseScheduleEditor reads a posted editor: the schedule it edits (from the form's schedule_id or the path), and the
// name and rows as entered.
func parseScheduleEditor(w http.ResponseWriter, r *http.Request, d Deps, scheduleID string) (views.ScheduleEditorData, db.Device, *db.Schedule, error) {
	var ed views.ScheduleEditorData
	dev, hub, err := loadSchedulableDevice(r, d)
	if err != nil {
		return ed, dev, nil, err
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxScheduleForm)
	if err := r.ParseForm(); err != nil {
		return ed, dev, nil, badRequest("The form could not be read (is it too large?). Nothing was changed.", err)
	}
	if scheduleID == "" {
		scheduleID = r.PostForm.Get("schedule_id")
	}
	var sc *db.Schedule
	if scheduleID != "" {
		found, err := loadFittingSchedule(r, d, dev, scheduleID)
		if err != nil {
			return ed, dev, nil, err
		}
		sc = &found
	}
	if ed, err = scheduleEditorFor(r, d, dev, hub, sc); err != nil {
		return ed, dev, nil, err
	}
	ed.Name, ed.Blocks = readScheduleRows(r.PostForm)
	return ed, dev, sc, nil
}

// handleScheduleForm re-renders the editor with a block row added or removed. It changes nothing anywhere.
func handleScheduleForm(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ed, dev, _, err := parseScheduleEditor(w, r, d, "")
		if err != nil {
			return err
		}
		ed.Blocks = applyBlockRowOp(ed.Blocks, r.PostForm.Get("op"), dev.Type)
		return renderScheduleEditor(w, r, ed)
	})
}

// handleScheduleSave creates (no {sid}) or updates a schedule: validate, upstream, mirror, audit, back to the
// device page. A refusal comes back in the form, with nothing changed.
func handleScheduleSave(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ed, dev, sc, err := parseScheduleEditor(w, r, d, r.PathValue("sid"))
		if err != nil {
			return err
		}
		blocks, problems := validateSchedule(ed.Name, ed.Blocks, dev.Type)
		if len(problems) > 0 {
			ed.Errors, ed.Status = problems, http.StatusUnprocessableEntity
			return renderScheduleEditor(w, r, ed)
		}
		req := smarthome.ScheduleRequest{Name: &ed.Name, Blocks: blocks}
		rec := auditRecord{action: "schedule.update", targetType: "schedule", propertyID: dev.PropertyID,
			detail: fmt.Sprintf("%q, %s, %d blocks, from device %s", clip.String(ed.Name, 100), dev.Type, len(blocks), dev.ID)}
		var saved *smarthome.Schedule
		if sc == nil {
			req.DeviceType, req.PropertyID = &dev.Type, dev.PropertyID
			rec.action = "schedule.create"
			saved, err = d.Upstream.CreateSchedule(r.Context(), req)
		} else {
			rec.targetID = sc.ID
			saved, err = d.Upstream.UpdateSchedule(r.Context(), sc.ID, req)
		}
		if err != nil {
			rec.outcome, rec.detail = "failed", rec.detail+": "+clip.String(writeRefusal(err), 200)
			audit(r, d.Store, d.Logger, rec)
			status, msg := writeFailure(err)
			ed.Errors, ed.Status = []string{msg}, status
			return renderScheduleEditor(w, r, ed)
		}
		rec.targetID, rec.outcome = saved.ID, "ok"
		if err := d.Store.UpsertSchedule(r.Context(), mirrorSchedule(*saved)); err != nil {
			rec.detail += "; local copy not updated"
			audit(r, d.Store, d.Logger, rec)
			return editMirrorLag(err) // e.g. a property the mirror does not have yet: the next sync brings it
		}
		audit(r, d.Store, d.Logger, rec)
		flash := "schedule-saved"
		if sc == nil {
			flash = "schedule-created"
		}
		redirect(w, r, scheduleDeviceURL(dev.ID)+"?flash="+flash)
		return nil
	})
}
