package handlers

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// alertPageSize is how many alerts the Alerts page shows at a time.
const alertPageSize = 50

// alertAges are the Alerts page's age filter: opened within the last hour, day or week, or before the week.
var alertAges = []struct {
	value, label string
	within       time.Duration // opened after now-within; negative: opened before now+within
}{
	{"1h", "In the last hour", time.Hour},
	{"24h", "In the last 24 hours", 24 * time.Hour},
	{"7d", "In the last 7 days", 7 * 24 * time.Hour},
	{"older", "More than 7 days ago", -7 * 24 * time.Hour},
}

var alertStates = []views.ActivityOption{{Value: db.AlertUnresolved, Label: "Unresolved"}, {Value: db.AlertOpen, Label: "Open"},
	{Value: db.AlertAcknowledged, Label: "Acknowledged"}, {Value: db.AlertResolved, Label: "Resolved"}}

// handleAlerts serves GET /alerts: every alert record, filtered by property, kind, state and age, in keyset pages.
func handleAlerts(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		q := r.URL.Query()
		filter, form, err := alertFilter(q, nowUTC())
		if err != nil {
			return err
		}
		filter.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
		filter.Limit = alertPageSize
		res, err := d.Store.ListAlerts(ctx, filter)
		if err != nil {
			return err
		}
		p := currentUser(ctx)
		data := views.AlertsPageData{Filter: form, States: alertStates, CanConfigure: p.can(auth.ConfigureAlerts),
			Table: alertTable(res.Items, p.can(auth.HandleAlerts), filter.Before == 0 && !form.Active(), "page")}
		for _, k := range db.AlertKinds {
			data.Kinds = append(data.Kinds, views.ActivityOption{Value: k, Label: alertKindLabel(k)})
		}
		for _, a := range alertAges {
			data.Ages = append(data.Ages, views.ActivityOption{Value: a.value, Label: a.label})
		}
		if filter.Before > 0 {
			data.NewerURL = withQuery("/alerts", withoutKey(q, "before"))
		}
		if res.NextBefore > 0 {
			next := withoutKey(q, "before")
			next.Set("before", strconv.FormatInt(res.NextBefore, 10))
			data.OlderURL = withQuery("/alerts", next)
		}
		props, tooMany, err := d.Store.ActivityPropertyChoices(ctx, maxPropertyOptions)
		if err != nil {
			return err
		}
		if !tooMany {
			for _, p := range props {
				data.Properties = append(data.Properties, views.ActivityOption{Value: strconv.FormatInt(p.ID, 10), Label: p.Name})
			}
		}
		meta := pageMeta(r, "Alerts", views.NavAlerts)
		meta.EventsURL = eventsURL(0, "", "")
		return render(w, r, http.StatusOK, views.AlertsPage(meta, data))
	})
}

// alertFilter reads the Alerts page's filters; an unknown value is a 400 that says which.
func alertFilter(q url.Values, now time.Time) (db.AlertFilter, views.AlertFilterData, error) {
	form := views.AlertFilterData{Property: clip.String(q.Get("property"), maxFilterID), Kind: q.Get("kind"),
		State: q.Get("state"), Age: q.Get("age"), Hub: clip.String(q.Get("hub"), maxFilterID),
		Device: clip.String(q.Get("device"), maxFilterID)}
	f := db.AlertFilter{HubID: form.Hub, DeviceID: form.Device}
	if form.Property != "" {
		id, err := parseID(form.Property)
		if err != nil {
			return f, form, badRequest("Unknown property: give its number.", err)
		}
		f.PropertyID = &id
	}
	if form.Kind != "" && !db.ValidAlertKind(form.Kind) {
		return f, form, badRequest("Unknown alert kind.", nil)
	}
	f.Kind = form.Kind
	switch form.State {
	case "", db.AlertUnresolved, db.AlertOpen, db.AlertAcknowledged, db.AlertResolved:
		f.State = form.State
	default:
		return f, form, badRequest("Unknown alert state.", nil)
	}
	if form.Age != "" {
		found := false
		for _, a := range alertAges {
			if a.value != form.Age {
				continue
			}
			found = true
			if a.within > 0 {
				f.OpenedAfter = now.Add(-a.within)
			} else {
				f.OpenedBefore = now.Add(a.within)
			}
		}
		if !found {
			return f, form, badRequest("Unknown age.", nil)
		}
	}
	return f, form, nil
}

func withoutKey(q url.Values, key string) url.Values {
	out := url.Values{}
	for k, vs := range q {
		if k != key {
			out[k] = vs
		}
	}
	return out
}

// alertTable builds the rows of a list; live lists take new alerts on top.
func alertTable(items []db.AlertView, canHandle, live bool, bodyID string) views.AlertTableData {
	t := views.AlertTableData{Live: live, BodyID: bodyID}
	for _, a := range items {
		t.Rows = append(t.Rows, alertRowData(a, canHandle))
	}
	return t
}

// alertRowData is how an alert's row reads, in its property's zone.
func alertRowData(a db.AlertView, canHandle bool) views.AlertRowData {
	loc := tz.Load(a.TimeZone)
	row := views.AlertRowData{ID: a.ID, Kind: a.Kind, Severity: a.Severity, State: a.State, DeviceID: a.DeviceID,
		HubID: a.HubID, PropertyName: a.PropertyName, Detail: a.Detail, Flaps: a.Flaps, AckNote: a.AckNote,
		AckBy: a.AcknowledgedByName, ResolvedBy: a.ResolvedByName, CanHandle: canHandle}
	if a.DeviceID != "" {
		row.Subject = cmp.Or(a.DeviceName, "Device "+a.DeviceID)
	} else {
		row.Subject = cmp.Or(a.HubName, "Hub "+a.HubID)
	}
	if a.PropertyID != nil {
		row.PropertyID = strconv.FormatInt(*a.PropertyID, 10)
	}
	if a.AcknowledgedBy != nil && row.AckBy == "" {
		row.AckBy = "user " + strconv.FormatInt(*a.AcknowledgedBy, 10)
	}
	if a.ResolvedBy != nil && row.ResolvedBy == "" {
		row.ResolvedBy = "user " + strconv.FormatInt(*a.ResolvedBy, 10)
	}
	row.Opened, row.OpenedISO = localTimes(&a.OpenedAt, loc)
	row.LastSeen, row.LastSeenISO = localTimes(&a.LastSeenAt, loc)
	row.AckAt, row.AckAtISO = localTimes(a.AcknowledgedAt, loc)
	row.Resolved, row.ResolvedISO = localTimes(a.ResolvedAt, loc)
	return row
}

// alertKindLabel names a kind in menus.
func alertKindLabel(kind string) string {
	switch kind {
	case db.AlertLowBattery:
		return "Low battery"
	case db.AlertHubOffline:
		return "Hub offline"
	case db.AlertTemperatureHigh:
		return "Too hot"
	case db.AlertTemperatureLow:
		return "Too cold"
	}
	return alertLabels[kind]
}
