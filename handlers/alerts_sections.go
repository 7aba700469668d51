package handlers

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/views"
)

// How many alerts a detail page's section shows: every unresolved one up to a bound, then the latest resolved.
const (
	sectionUnresolved = 50
	sectionResolved   = 5
)

// alertsPropertySection, alertsHubSection and alertsDeviceSection add the alerts to the detail pages (sections.go).
func alertsPropertySection(r *http.Request, d Deps, p propertyView) (templ.Component, error) {
	id := p.ID
	return alertsSection(r, d, "property", strconv.FormatInt(id, 10), db.AlertFilter{PropertyID: &id})
}

func alertsHubSection(r *http.Request, d Deps, h db.Hub) (templ.Component, error) {
	return alertsSection(r, d, "hub", h.ID, db.AlertFilter{HubID: h.ID})
}

func alertsDeviceSection(r *http.Request, d Deps, dev db.Device, _ db.Hub) (templ.Component, error) {
	return alertsSection(r, d, "device", dev.ID, db.AlertFilter{DeviceID: dev.ID})
}

func alertsSection(r *http.Request, d Deps, scope, id string, f db.AlertFilter) (templ.Component, error) {
	ctx := r.Context()
	open, resolved := f, f
	open.State, open.Limit = db.AlertUnresolved, sectionUnresolved
	resolved.State, resolved.Limit = db.AlertResolved, sectionResolved
	a, err := d.Store.ListAlerts(ctx, open)
	if err != nil {
		return nil, err
	}
	b, err := d.Store.ListAlerts(ctx, resolved)
	if err != nil {
		return nil, err
	}
	s := views.AlertsSectionData{Scope: scope, MoreURL: withQuery("/alerts", url.Values{scope: {id}}), RefreshURL: r.URL.Path,
		Table: alertTable(append(a.Items, b.Items...), currentUser(ctx).can(auth.HandleAlerts), true, scope)}
	return views.AlertsSection(s), nil
}
