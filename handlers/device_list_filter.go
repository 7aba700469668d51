package handlers

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// deviceSorts are the device list's sorts; the first is the default.
var deviceSorts = []string{db.DeviceSortName, db.DeviceSortProperty, db.DeviceSortBattery, db.DeviceSortChanged}

// deviceQuery is the device list's filter as the query string gave it, checked: the store's filter, the form's
// values, and what could not be used (each such value is named in a message and ignored).
type deviceQuery struct {
	filter db.DeviceFilter
	form   views.DeviceFilterData
	errs   []string
}

// parseDeviceQuery reads q, type, property, city, battery_below, offline, alerts, sort, dir and page. It fails only
// when the store does.
func parseDeviceQuery(ctx context.Context, store *db.Store, q url.Values) (deviceQuery, error) {
	var dq deviceQuery
	f, form := &dq.filter, &dq.form
	form.Q = filterValue(q.Get("q"), maxQuery)
	form.City = filterValue(q.Get("city"), maxFilterText)
	form.Offline, form.Alerts = q.Get("offline") != "", q.Get("alerts") != ""
	f.Query, f.City, f.Offline, f.OpenAlerts = form.Q, form.City, form.Offline, form.Alerts
	if v := filterValue(q.Get("type"), maxFilterText); v != "" {
		if smarthome.IsDeviceType(v) {
			form.Type, f.Type = v, v
		} else {
			dq.errs = append(dq.errs, "There is no device type “"+v+"”; the type filter was ignored.")
		}
	}
	if v := filterValue(q.Get("battery_below"), 20); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= 100 {
			form.BatteryBelow, f.BatteryBelow = strconv.Itoa(n), n
		} else {
			dq.errs = append(dq.errs, "“Battery below” must be a whole number from 1 to 100 (it was “"+v+"”); it was ignored.")
		}
	}
	if err := dq.property(ctx, store, filterValue(q.Get("property"), maxFilterID)); err != nil {
		return dq, err
	}
	form.Sort, form.Dir = db.DeviceSortName, "asc"
	if v := filterValue(q.Get("sort"), maxFilterText); v != "" {
		if slices.Contains(deviceSorts, v) {
			form.Sort = v
		} else {
			dq.errs = append(dq.errs, "The list cannot be sorted by “"+v+"”; it is sorted by name.")
		}
	}
	switch v := filterValue(q.Get("dir"), maxFilterText); v {
	case "", "asc":
	case "desc":
		form.Dir = "desc"
	default:
		dq.errs = append(dq.errs, "The order “"+v+"” is neither ascending nor descending; it is ascending.")
	}
	f.Sort, f.Desc = form.Sort, form.Dir == "desc"
	pageNo, _ := strconv.Atoi(q.Get("page"))
	f.Page, f.PerPage = max(pageNo, 1), listPageSize
	return dq, nil
}

// property checks the property filter against the mirror; the form shows its name.
func (dq *deviceQuery) property(ctx context.Context, store *db.Store, v string) error {
	if v == "" {
		return nil
	}
	id, err := parseID(v)
	var p db.Property
	if err == nil {
		p, err = store.Property(ctx, id)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
	}
	if err != nil {
		dq.errs = append(dq.errs, "There is no property “"+v+"”; the property filter was ignored.")
		return nil
	}
	dq.filter.PropertyID, dq.form.PropertyID, dq.form.PropertyName = id, strconv.FormatInt(id, 10), p.Name
	return nil
}

// values is the canonical query string of the filter (no paging): only usable values, defaults left out.
func (dq deviceQuery) values() url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	fm := dq.form
	set("q", fm.Q)
	set("type", fm.Type)
	set("property", fm.PropertyID)
	set("city", fm.City)
	set("battery_below", fm.BatteryBelow)
	if fm.Offline {
		v.Set("offline", "1")
	}
	if fm.Alerts {
		v.Set("alerts", "1")
	}
	if fm.Sort != db.DeviceSortName {
		v.Set("sort", fm.Sort)
	}
	if fm.Dir == "desc" {
		v.Set("dir", "desc")
	}
	return v
}

// quickFilters are the saved filters offered above the form. Each keeps the chosen city, so "low-battery locks in
// Chicago" is: choose Chicago, then one click.
func (dq deviceQuery) quickFilters() []views.QuickFilterData {
	lowBattery := strconv.Itoa(db.LowBatteryPercent)
	quick := []struct{ key, label string }{
		{"low-battery-locks", "Low battery locks"},
		{"low-battery", "Low battery"},
		{"offline", "Offline"},
		{"alerts", "With alerts"},
		{"all", "All devices"},
	}
	current := withQuery("/devices", dq.values())
	out := make([]views.QuickFilterData, 0, len(quick))
	for _, qf := range quick {
		v := url.Values{}
		switch qf.key {
		case "low-battery-locks":
			v.Set("type", "lock")
			v.Set("battery_below", lowBattery)
		case "low-battery":
			v.Set("battery_below", lowBattery)
		case "offline":
			v.Set("offline", "1")
		case "alerts":
			v.Set("alerts", "1")
		}
		if dq.form.City != "" {
			v.Set("city", dq.form.City)
		}
		label := qf.label
		if dq.form.City != "" {
			label += " in " + dq.form.City
		}
		u := withQuery("/devices", v)
		out = append(out, views.QuickFilterData{Key: qf.key, Label: label, URL: u, Current: u == current})
	}
	return out
}
