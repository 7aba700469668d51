package handlers

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// writeFailure is the status and message for a write the upstream refused or failed: what happened and what to
// do. Nothing was changed in either place when this is shown.
func writeFailure(err error) (int, string) {
	switch {
	case errors.Is(err, smarthome.ErrValidation):
		return http.StatusUnprocessableEntity, "The Smart Home service refused the values: " + writeRefusal(err) +
			". Nothing was changed; correct them and try again."
	case errors.Is(err, smarthome.ErrNotFound):
		return http.StatusNotFound, "The Smart Home service no longer has this item; it may have been deleted elsewhere. " +
			"Nothing was changed; reload the page."
	case errors.Is(err, smarthome.ErrConflict):
		return http.StatusConflict, "The Smart Home service refused the change: " + writeRefusal(err) + ". Nothing was changed."
	}
	return classify(err)
}

// writeRefusal is the upstream's own words for a refusal, or our client's when it refused before sending.
func writeRefusal(err error) string {
	var apiErr *smarthome.ErrorResponse
	if errors.As(err, &apiErr) {
		return upstream.Message(err)
	}
	msg := err.Error()
	if p := smarthome.ErrValidation.Error() + ": "; len(msg) > len(p) && msg[:len(p)] == p {
		return clip.String(msg[len(p):], 300)
	}
	return "no reason given"
}

// editMirrorLag is shown when the upstream accepted a change but the local copy could not be written: the change
// happened, and the next sync brings the copy up to date.
func editMirrorLag(err error) error {
	return &httpError{http.StatusInternalServerError, "The change was made in the Smart Home service, but the copy " +
		"saved here could not be updated; it catches up at the next sync. Reload the page in a few minutes.", err}
}

// handleScheduleActivate makes a schedule the device's active one: upstream first, then the mirror, then the audit
// log. htmx gets the refreshed card (with the error in it on failure); a plain form post goes back to the page.
func handleScheduleActivate(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		dev, hub, err := loadSchedulableDevice(r, d)
		if err != nil {
			return err
		}
		sc, err := loadFittingSchedule(r, d, dev, r.PathValue("sid"))
		if err != nil {
			return err
		}
		rec := auditRecord{action: "schedule.activate", targetType: "device", targetID: dev.ID, propertyID: dev.PropertyID,
			detail: fmt.Sprintf("schedule %s %q", sc.ID, clip.String(sc.Name, 100))}
		if err := d.Upstream.ActivateSchedule(r.Context(), dev.ID, sc.ID); err != nil {
			rec.outcome, rec.detail = "failed", rec.detail+": "+clip.String(writeRefusal(err), 200)
			audit(r, d.Store, d.Logger, rec)
			status, msg := writeFailure(err)
			d.Logger.LogAttrs(r.Context(), slog.LevelWarn, "schedule activation failed", slog.String("device_id", dev.ID), slog.Any("err", err))
			return scheduleCard(w, r, d, dev, hub, status, msg, "")
		}
		rec.outcome = "ok"
		if err := d.Store.SetActiveSchedule(r.Context(), dev.ID, sc.ID, nowUTC()); err != nil {
			rec.detail += "; local copy not updated"
			audit(r, d.Store, d.Logger, rec)
			return editMirrorLag(err)
		}
		audit(r, d.Store, d.Logger, rec)
		if !isHTMX(r) || wantsPage(r) {
			redirect(w, r, scheduleDeviceURL(dev.ID)+"?flash=schedule-activated")
			return nil
		}
		return scheduleCard(w, r, d, dev, hub, http.StatusOK, "", "“"+sc.Name+"” is now active on this device.")
	})
}

// scheduleCard answers an htmx action with the card and its outcome; a plain form post that failed gets the
// error page (it has no card to put the message in).
func scheduleCard(w http.ResponseWriter, r *http.Request, d Deps, dev db.Device, hub db.Hub, status int, errMsg, okMsg string) error {
	if errMsg != "" && (!isHTMX(r) || wantsPage(r)) {
		return &httpError{status, errMsg, nil}
	}
	data, err := loadScheduleSection(r.Context(), d, dev, hub)
	if err != nil {
		return err
	}
	data.Refresh, data.Error, data.OK = false, errMsg, okMsg
	return render(w, r, status, views.ScheduleSection(data))
}

// handleScheduleDeleteConfirm asks before deleting, naming the devices that run the schedule.
func handleScheduleDeleteConfirm(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		dev, _, err := loadSchedulableDevice(r, d)
		if err != nil {
			return err
		}
		sc, err := loadFittingSchedule(r, d, dev, r.PathValue("sid"))
		if err != nil {
			return err
		}
		return renderScheduleDelete(w, r, d, dev, sc, http.StatusOK, "")
	})
}

func renderScheduleDelete(w http.ResponseWriter, r *http.Request, d Deps, dev db.Device, sc db.Schedule, status int, errMsg string) error {
	data := views.ScheduleDeleteData{DeviceID: dev.ID, DeviceName: deviceName(dev), ScheduleID: sc.ID, Name: sc.Name, Error: errMsg}
	for _, b := range sc.Blocks {
		data.Blocks = append(data.Blocks, blockSummary(b, sc.DeviceType))
	}
	ids, err := d.Store.DevicesRunning(r.Context(), sc.ID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		other, err := d.Store.Device(r.Context(), id)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		data.RunningOn = append(data.RunningOn, views.DeviceLinkData{ID: id, Name: cmp.Or(deviceName(other), id)})
	}
	return render(w, r, status, views.ScheduleDeletePage(pageMeta(r, "Delete schedule", views.NavHubs), data))
}

// handleScheduleDelete deletes a schedule upstream, then from the mirror (its devices run none), then audits it.
func handleScheduleDelete(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		dev, _, err := loadSchedulableDevice(r, d)
		if err != nil {
			return err
		}
		sc, err := loadFittingSchedule(r, d, dev, r.PathValue("sid"))
		if err != nil {
			return err
		}
		r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
		if err := r.ParseForm(); err != nil || r.PostForm.Get("confirm") != "yes" {
			return renderScheduleDelete(w, r, d, dev, sc, http.StatusUnprocessableEntity,
				"Confirm with the Delete schedule button below; nothing was deleted.")
		}
		rec := auditRecord{action: "schedule.delete", targetType: "schedule", targetID: sc.ID, propertyID: sc.PropertyID,
			detail: fmt.Sprintf("%q", clip.String(sc.Name, 100))}
		if err := d.Upstream.DeleteSchedule(r.Context(), sc.ID); err != nil && !errors.Is(err, smarthome.ErrNotFound) {
			rec.outcome, rec.detail = "failed", rec.detail+": "+clip.String(writeRefusal(err), 200)
			audit(r, d.Store, d.Logger, rec)
			status, msg := writeFailure(err)
			return renderScheduleDelete(w, r, d, dev, sc, status, msg)
		}
		rec.outcome = "ok"
		if err := d.Store.DeleteSchedule(r.Context(), sc.ID); err != nil && !errors.Is(err, db.ErrNotFound) {
			rec.detail += "; local copy not updated"
			audit(r, d.Store, d.Logger, rec)
			return editMirrorLag(err)
		}
		audit(r, d.Store, d.Logger, rec)
		redirect(w, r, scheduleDeviceURL(dev.ID)+"?flash=schedule-deleted")
		return nil
	})
}
