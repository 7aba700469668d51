package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/mirror"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// deviceAssignData is the assign card of dev with every mirrored property to choose from.
func deviceAssignData(ctx context.Context, d Deps, dev db.Device) (views.DeviceAssignData, error) {
	data := views.DeviceAssignData{DeviceID: dev.ID}
	if dev.PropertyID != nil {
		data.PropertyID = strconv.FormatInt(*dev.PropertyID, 10)
	}
	choices, err := d.Store.PropertyChoices(ctx)
	if err != nil {
		return data, err
	}
	for _, c := range choices {
		data.Properties = append(data.Properties, views.PropertyChoiceData{Value: strconv.FormatInt(c.ID, 10), Label: c.Name})
	}
	return data, nil
}

// assignCard answers an htmx assign with the card and its outcome; a plain post that failed gets the error page.
func assignCard(w http.ResponseWriter, r *http.Request, d Deps, dev db.Device, status int, errMsg, okMsg string) error {
	if errMsg != "" && (!isHTMX(r) || wantsPage(r)) {
		return &httpError{status, errMsg, nil}
	}
	data, err := deviceAssignData(r.Context(), d, dev)
	if err != nil {
		return err
	}
	data.Error, data.OK = errMsg, okMsg
	return render(w, r, status, views.DeviceAssignSection(data))
}

// handleDeviceAssign moves a device to another property: upstream first, then the mirror row the upstream answers
// with, then the audit log. A refusal comes back in the card (htmx) or as an error page.
func handleDeviceAssign(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		dev, err := d.Store.Device(ctx, r.PathValue("id"))
		if err != nil {
			return err
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxPortfolioForm)
		if err := r.ParseForm(); err != nil {
			return badRequest("The form could not be read. Nothing was changed.", err)
		}
		id, err := parseID(r.PostForm.Get("property_id"))
		if err != nil {
			return assignCard(w, r, d, dev, http.StatusUnprocessableEntity, "Choose a property from the list. Nothing was changed.", "")
		}
		p, err := d.Store.Property(ctx, id)
		if errors.Is(err, db.ErrNotFound) {
			return assignCard(w, r, d, dev, http.StatusUnprocessableEntity,
				"That property does not exist (it may have been deleted); choose one from the list. Nothing was changed.", "")
		}
		if err != nil {
			return err
		}
		if dev.PropertyID != nil && *dev.PropertyID == id {
			return assignCard(w, r, d, dev, http.StatusOK, "", "The device already belongs to "+p.Name+".")
		}
		from := "unassigned"
		if dev.PropertyID != nil {
			from = "property " + strconv.FormatInt(*dev.PropertyID, 10)
		}
		rec := auditRecord{action: "device.assign", targetType: "device", targetID: dev.ID, propertyID: &id,
			detail: fmt.Sprintf("%s → property %d %q", from, id, clip.String(p.Name, 100))}
		updated, err := d.Upstream.AssignDevice(ctx, dev.ID, id)
		if err != nil {
			rec.outcome, rec.detail = "failed", rec.detail+": "+clip.String(writeRefusal(err), 200)
			audit(r, d.Store, d.Logger, rec)
			status, msg := writeFailure(err)
			return assignCard(w, r, d, dev, status, msg, "")
		}
		rec.outcome = "ok"
		if err := mirrorUpdatedDevice(r, d, rec, dev.HubID, updated); err != nil {
			return err
		}
		// The whole page depends on the property (breadcrumbs, schedules that fit), so even htmx reloads it.
		redirect(w, r, scheduleDeviceURL(dev.ID)+"?flash=device-assigned")
		return nil
	})
}

// mirrorUpdatedDevice writes the device the upstream returned after an edit into the mirror and audits the edit
// (rec, already ok): the upstream has the change, so a failed local write is said in the audit row and the answer.
func mirrorUpdatedDevice(r *http.Request, d Deps, rec auditRecord, hubID string, updated *smarthome.Device) error {
	ctx := r.Context()
	hub, err := d.Store.Hub(ctx, hubID)
	if err == nil {
		err = d.Store.UpsertDevice(ctx, mirror.Device(*updated, hub))
	}
	if err != nil {
		rec.detail += "; local copy not updated"
		audit(r, d.Store, d.Logger, rec)
		return editMirrorLag(err)
	}
	audit(r, d.Store, d.Logger, rec)
	return nil
}
