package handlers

import (
	"net/http"
	"strconv"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/views"
)

// portfolioPropertySection is the admin's Edit / Delete card on a property page; nobody else sees it.
func portfolioPropertySection(r *http.Request, _ Deps, p propertyView) (templ.Component, error) {
	if !currentUser(r.Context()).can(auth.EditPortfolio) {
		return nil, nil
	}
	return views.PropertyManageSection(views.PropertyManageData{ID: strconv.FormatInt(p.ID, 10)}), nil
}

// portfolioHubSection is the admin's hub details card with its Edit button.
func portfolioHubSection(r *http.Request, _ Deps, h db.Hub) (templ.Component, error) {
	if !currentUser(r.Context()).can(auth.EditPortfolio) {
		return nil, nil
	}
	return views.HubManageSection(views.HubManageData{ID: h.ID, Address: h.Address}), nil
}

// portfolioDeviceSection is the admin's assign-to-property card on a device page.
func portfolioDeviceSection(r *http.Request, d Deps, dev db.Device, _ db.Hub) (templ.Component, error) {
	if !currentUser(r.Context()).can(auth.EditPortfolio) {
		return nil, nil
	}
	data, err := deviceAssignData(r.Context(), d, dev)
	if err != nil {
		return nil, err
	}
	return views.DeviceAssignSection(data), nil
}
