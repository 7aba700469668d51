package handlers

import (
	"maps"
	"net/http"
	"strconv"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/views"
)

// portfolioEditFlashes are the messages the portfolio and schedule edits ask the next page to show after their
// redirects; init adds them to the shared table pageMeta reads (redirects name a code, never text).
var portfolioEditFlashes = map[string]views.FlashData{
	"property-created":     {Kind: "ok", Message: "The property was created in the Smart Home service."},
	"property-saved":       {Kind: "ok", Message: "The property was saved."},
	"property-deleted":     {Kind: "ok", Message: "The property was deleted, with its lock codes, invitations and schedules. Its hubs and devices are now unassigned."},
	"hub-saved":            {Kind: "ok", Message: "The hub was saved."},
	"device-assigned":      {Kind: "ok", Message: "The device was assigned to the property."},
	"schedule-created":     {Kind: "ok", Message: "The schedule was created. Activate it to make the device follow it."},
	"schedule-saved":       {Kind: "ok", Message: "The schedule was saved; devices running it follow the new blocks."},
	"schedule-deleted":     {Kind: "ok", Message: "The schedule was deleted; devices that ran it keep their current settings."},
	"schedule-activated":   {Kind: "ok", Message: "The schedule is now active on this device."},
	"schedules-unreadable": {Kind: "error", Message: "The schedules could not be read from the Smart Home service; the page shows the copy saved here. Try again in a minute."},
}

func init() { maps.Copy(flashes, portfolioEditFlashes) }

// portfolioPropertySection is the admin's Edit / Delete card on a property page; nobody else sees it.
func portfolioPropertySection(r *http.Request, _ Deps, p db.Property) (templ.Component, error) {
	if !currentUser(r.Context()).can(capEditPortfolio) {
		return nil, nil
	}
	return views.PropertyManageSection(views.PropertyManageData{ID: strconv.FormatInt(p.ID, 10)}), nil
}

// portfolioHubSection is the admin's hub details card with its Edit button.
func portfolioHubSection(r *http.Request, _ Deps, h db.Hub) (templ.Component, error) {
	if !currentUser(r.Context()).can(capEditPortfolio) {
		return nil, nil
	}
	return views.HubManageSection(views.HubManageData{ID: h.ID, Address: h.Address}), nil
}

// portfolioDeviceSection is the admin's assign-to-property card on a device page.
func portfolioDeviceSection(r *http.Request, d Deps, dev db.Device, _ db.Hub) (templ.Component, error) {
	if !currentUser(r.Context()).can(capEditPortfolio) {
		return nil, nil
	}
	data, err := deviceAssignData(r.Context(), d, dev)
	if err != nil {
		return nil, err
	}
	return views.DeviceAssignSection(data), nil
}
