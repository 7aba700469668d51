package handlers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// propertyDeleteData lists what goes with a property: its active codes and invitations (asked of the upstream,
// which owns them), its schedules, hubs and devices (from the mirror). When the upstream cannot be asked the page
// says so and offers no delete: nobody confirms a list they were not shown.
func propertyDeleteData(ctx context.Context, d Deps, p db.Property) (views.PropertyDeleteData, error) {
	data := views.PropertyDeleteData{ID: strconv.FormatInt(p.ID, 10), Name: p.Name, Address: p.Address}
	hubs, err := d.Store.HubsByProperty(ctx, p.ID)
	if err != nil {
		return data, err
	}
	for _, h := range hubs {
		data.Hubs = append(data.Hubs, cmp.Or(h.HomeName, h.SerialNo, h.ID))
	}
	devices, err := d.Store.DevicesByProperty(ctx, p.ID)
	if err != nil {
		return data, err
	}
	data.Devices = len(devices)
	schedules, err := d.Store.SchedulesByProperty(ctx, p.ID)
	if err != nil {
		return data, err
	}
	for _, sc := range schedules {
		data.Schedules = append(data.Schedules, sc.Name)
	}
	codes, err := d.Upstream.PropertyLockCodes(ctx, p.ID)
	if err != nil {
		return unreadable(data, err), nil
	}
	invitations, err := d.Upstream.PropertyInvitations(ctx, p.ID)
	if err != nil {
		return unreadable(data, err), nil
	}
	for _, c := range codes {
		data.LockCodes = append(data.LockCodes, views.DeleteCodeData{Name: c.Name, Type: c.CodeType,
			Validity: codeValidity(c), Locks: len(c.Devices)})
	}
	for _, inv := range invitations {
		row := views.DeleteInvitationData{Name: inv.Name, Email: inv.Email, From: inv.FromTime}
		if inv.ToTime != nil {
			row.To = *inv.ToTime
		}
		data.Invitations = append(data.Invitations, row)
	}
	data.CodesSeen, data.InvitationsSeen = len(data.LockCodes), len(data.Invitations)
	return data, nil
}

func unreadable(data views.PropertyDeleteData, err error) views.PropertyDeleteData {
	data.Unreadable = true
	data.Error = "The property's lock codes and invitations could not be read from the Smart Home service (" +
		upstream.ErrorText(err) + "), so this page cannot show what a delete would remove. Nothing was deleted; try again in a minute."
	return data
}

// codeValidity describes when a code works, in the hub's local time as the upstream keeps it. Never the PIN.
func codeValidity(c smarthome.LockCode) string {
	local := func(s string) string {
		t, err := time.Parse(smarthome.LockCodeDateLayout, s)
		if err != nil {
			return s
		}
		return t.Format("Jan 2, 2006 3:04 PM")
	}
	switch c.ValidityType {
	case smarthome.ValiditySpecificPeriod:
		return local(c.FromDate) + " → " + local(c.ToDate) + " (hub time)"
	case "":
		return "validity not reported"
	}
	return c.ValidityType
}

func renderPropertyDelete(w http.ResponseWriter, r *http.Request, status int, data views.PropertyDeleteData) error {
	return render(w, r, status, views.PropertyDeletePage(pageMeta(r, "Delete "+data.Name, views.NavProperties), data))
}

// handlePropertyDeleteConfirm asks before deleting and lists everything that goes with the property.
func handlePropertyDeleteConfirm(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		p, err := d.Store.Property(r.Context(), id)
		if err != nil {
			return err
		}
		data, err := propertyDeleteData(r.Context(), d, p)
		if err != nil {
			return err
		}
		status := http.StatusOK
		if data.Unreadable {
			status = http.StatusBadGateway
		}
		return renderPropertyDelete(w, r, status, data)
	})
}

// handlePropertyDelete deletes a property after the confirmation: it re-reads what goes with it and asks again if
// more codes or invitations appeared since the page was shown; then upstream, mirror, audit.
func handlePropertyDelete(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		p, err := d.Store.Property(r.Context(), id)
		if err != nil {
			return err
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxPortfolioForm)
		if err := r.ParseForm(); err != nil || r.PostForm.Get("confirm") != "yes" {
			return &httpError{http.StatusUnprocessableEntity, "Delete a property from its confirmation page, which lists " +
				"what goes with it. Nothing was deleted.", err}
		}
		data, err := propertyDeleteData(r.Context(), d, p)
		if err != nil {
			return err
		}
		if data.Unreadable {
			return renderPropertyDelete(w, r, http.StatusBadGateway, data)
		}
		codesSeen, _ := strconv.Atoi(r.PostForm.Get("codes_seen"))
		invitationsSeen, _ := strconv.Atoi(r.PostForm.Get("invitations_seen"))
		if data.CodesSeen > codesSeen || data.InvitationsSeen > invitationsSeen {
			data.Error = "Lock codes or invitations were added since you opened this page. Check the list below and confirm again; nothing was deleted."
			return renderPropertyDelete(w, r, http.StatusConflict, data)
		}
		rec := auditRecord{action: "property.delete", targetType: "property", targetID: data.ID, propertyID: &id,
			detail: fmt.Sprintf("%q with %d lock codes, %d invitations, %d schedules", clip.String(p.Name, 100),
				len(data.LockCodes), len(data.Invitations), len(data.Schedules))}
		if err := d.Upstream.DeleteProperty(r.Context(), id); err != nil && !errors.Is(err, smarthome.ErrNotFound) {
			rec.outcome, rec.detail = "failed", rec.detail+": "+clip.String(writeRefusal(err), 200)
			audit(r, d.Store, d.Logger, rec)
			status, msg := writeFailure(err)
			data.Error = msg
			return renderPropertyDelete(w, r, status, data)
		}
		rec.outcome = "ok"
		if err := d.Store.DeleteProperty(r.Context(), id); err != nil && !errors.Is(err, db.ErrNotFound) {
			rec.detail += "; local copy not updated"
			audit(r, d.Store, d.Logger, rec)
			return editMirrorLag(err)
		}
		audit(r, d.Store, d.Logger, rec)
		redirect(w, r, "/properties?flash=property-deleted")
		return nil
	})
}
