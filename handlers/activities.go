package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/views"
)

// Activity log page settings.
const (
	activityPageSize   = 50
	maxPropertyOptions = 300 // beyond this the property filter is an id field, not a menu
)

// messageTypes are the webhook message types of the catalogue (reference §16), offered as suggestions by the
// event filter; any other value can be typed.
var messageTypes = []string{"online", "offline", "heartbeat", "power_source", "unassigned_from_account", "Lock",
	"Unlock", "add_device", "remove_device", "low_battery", "tamper", "lock_code_added", "lock_code_deleted",
	"lock_code_failed", "jammed", "access_denied", "access_granted", "door_open", "door_closed", "motion_detected",
	"motion_cleared", "leak_detected", "leak_cleared", "smoke_detected", "smoke_cleared", "thermostat_mode_changed",
	"heating_setpoint_changed", "cooling_setpoint_changed", "fan_mode_changed", "temperature_alert", "switch_on",
	"switch_off", "dimmer_level_changed", "garage_door_opened", "garage_door_closed", "valve_opened", "valve_closed",
	"doorbell_pressed", "siren_on", "siren_off"}

// handleActivities serves GET /activities: the whole page, or just the results region for htmx (the live
// refresh asks for that).
func handleActivities(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		aq, err := parseActivityQuery(ctx, d.Store, r.URL.Query())
		if err != nil {
			return err
		}
		aq.filter.Limit = activityPageSize
		pg, err := d.Store.ListActivities(ctx, aq.filter)
		if err != nil {
			return err
		}
		data, err := activityListData(r, d, aq, pg)
		if err != nil {
			return err
		}
		meta := pageMeta(r, "Activity", views.NavActivity)
		meta.EventsURL = aq.eventsURL
		meta.Notices = behindNotice(ctx, d.Store, time.Now())
		return page(w, r, views.ActivitiesPage(meta, data), views.ActivityResults(data))
	})
}

func activityListData(r *http.Request, d Deps, aq activityQuery, pg db.ActivityPage) (views.ActivityListData, error) {
	base := aq.values()
	data := views.ActivityListData{Filter: aq.form, Errors: aq.errs,
		ResultsURL: withQuery("/activities", base), ExportCSV: exportURL("csv", base), ExportJSON: exportURL("json", base)}
	for _, a := range pg.Items {
		data.Rows = append(data.Rows, activityRowData(a))
	}
	if pg.Next != nil {
		next := aq.values()
		next.Set("before", formatCursor(pg.Next))
		data.NextURL = withQuery("/activities", next)
	}
	if aq.filter.Before != nil {
		data.NewestURL = data.ResultsURL
	} else if aq.eventsURL != "" {
		data.Live = views.LiveRefetch
		if aq.exact {
			data.Live = views.LivePrepend
		}
	}
	if !d.Store.FullTextSearch() {
		data.SearchNote = "This build has no full-text index: the search matches words anywhere, more slowly."
	}
	if isHTMX(r) && !wantsPage(r) {
		return data, nil // the results region needs no menus
	}
	if currentUser(r.Context()).can(auth.ManageInbox) {
		n, err := d.Store.InboxFailedCount(r.Context())
		if err != nil {
			return data, err
		}
		data.ShowInbox, data.InboxFailed = true, n
	}
	props, tooMany, err := d.Store.ActivityPropertyChoices(r.Context(), maxPropertyOptions)
	if err != nil {
		return data, err
	}
	if !tooMany {
		for _, p := range props {
			data.Properties = append(data.Properties, views.ActivityOption{Value: strconv.FormatInt(p.ID, 10), Label: p.Name})
		}
	}
	types, err := d.Store.ActivityDeviceTypes(r.Context())
	if err != nil {
		return data, err
	}
	types = append([]string{"hub"}, types...)
	for _, t := range types {
		data.DeviceTypes = append(data.DeviceTypes, views.ActivityOption{Value: t, Label: views.DeviceTypeLabel(t)})
	}
	for _, m := range messageTypes {
		data.MessageTypes = append(data.MessageTypes, views.ActivityOption{Value: m, Label: humanizeType(m)})
	}
	return data, nil
}

func exportURL(format string, base interface{ Encode() string }) string {
	q := base.Encode()
	if q != "" {
		q = "&" + q
	}
	return "/activities/export?format=" + format + q
}
