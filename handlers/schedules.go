package handlers

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/views"
)

// scheduleRefreshAfter is how old the mirrored schedules of a device may be before its page re-reads them from
// the upstream (after the page has rendered, so the page itself never waits for the upstream).
const scheduleRefreshAfter = time.Minute

// scheduleZones are the zones of a device's schedule: blocks run in the hub's zone (the upstream applies them in
// hub-local time); timestamps are shown in the property's zone, as everywhere else.
type scheduleZones struct {
	block     *time.Location
	blockName string
	show      *time.Location
	note      string // set when the two differ
}

func scheduleZonesFor(ctx context.Context, d Deps, dev db.Device, hub db.Hub) (scheduleZones, error) {
	var propertyZone string
	if dev.PropertyID != nil {
		p, err := d.Store.Property(ctx, *dev.PropertyID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return scheduleZones{}, err
		}
		propertyZone = p.TimeZone
	}
	z := scheduleZones{blockName: cmp.Or(hub.TimeZone, propertyZone, "UTC")}
	z.block, z.show = tz.Load(z.blockName), tz.Load(cmp.Or(propertyZone, z.blockName))
	if propertyZone != "" && hub.TimeZone != "" && propertyZone != hub.TimeZone {
		z.note = "The property is in " + propertyZone + " but its hub runs on " + hub.TimeZone +
			" time: block times are the hub's. Correct the hub's time zone if it is wrong."
	}
	return z, nil
}

// scheduleSection is the device page's schedules card, for thermostats, switches and dimmers.
func scheduleSection(r *http.Request, d Deps, dev db.Device, hub db.Hub) (templ.Component, error) {
	if !schedulable(dev.Type) {
		return nil, nil
	}
	data, err := loadScheduleSection(r.Context(), d, dev, hub)
	if err != nil {
		return nil, err
	}
	return views.ScheduleSection(data), nil
}

// loadScheduleSection builds the card from the mirror.
func loadScheduleSection(ctx context.Context, d Deps, dev db.Device, hub db.Hub) (views.ScheduleSectionData, error) {
	data := views.ScheduleSectionData{DeviceID: dev.ID, DeviceType: dev.Type, CanManage: currentUser(ctx).can(auth.ManageSchedules)}
	z, err := scheduleZonesFor(ctx, d, dev, hub)
	if err != nil {
		return data, err
	}
	data.TimeZone, data.ZoneNote = z.blockName, z.note
	list, err := d.Store.SchedulesForDevice(ctx, dev.Type, dev.PropertyID)
	if err != nil {
		return data, err
	}
	state, err := d.Store.DeviceScheduleState(ctx, dev.ID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return data, err
	}
	now := nowUTC()
	data.Refresh = state.SyncedAt.IsZero() || now.Sub(state.SyncedAt) > scheduleRefreshAfter
	if !state.SyncedAt.IsZero() {
		data.Synced, data.SyncedISO = localTimes(&state.SyncedAt, z.show)
	}
	data.ActiveID = state.ActiveID
	for _, sc := range list {
		row := scheduleRow(sc, state.ActiveID, z.show)
		data.Schedules = append(data.Schedules, row)
		if row.Active {
			data.Active = &row
			data.Now = blockNow(sc.Blocks, sc.DeviceType, z.block, now)
			if b, at, ok := nextBlockStart(sc.Blocks, z.block, now); ok {
				data.Next = blockValuesLabel(b, sc.DeviceType)
				data.NextAt, data.NextAtISO = at.In(z.block).Format(scheduleNextLayout), at.Format(time.RFC3339)
			}
		}
	}
	if data.Active != nil {
		data.Since, data.SinceISO = localTimes(state.ActivatedAt, z.show)
	}
	return data, nil
}

// refreshDeviceSchedules re-reads a device's schedules from the upstream into the mirror.
func refreshDeviceSchedules(ctx context.Context, d Deps, dev db.Device) error {
	list, activeID, err := d.Upstream.DeviceSchedules(ctx, dev.ID)
	if err != nil {
		return err
	}
	set := db.DeviceScheduleSet{DeviceID: dev.ID, DeviceType: dev.Type, PropertyID: dev.PropertyID, ActiveID: activeID, At: nowUTC()}
	for _, sc := range list {
		if sc.DeviceType == dev.Type {
			set.Schedules = append(set.Schedules, mirrorSchedule(sc))
		}
	}
	if at, ok := scheduleActivatedAt(dev.Settings, activeID); ok {
		set.ActivatedAt = &at
	}
	return d.Store.ReplaceDeviceSchedules(ctx, set)
}

// scheduleActivatedAt reads when a schedule was activated from a thermostat's settings.schedule ("<id>|<RFC 3339>").
func scheduleActivatedAt(settings, activeID string) (time.Time, bool) {
	var s struct {
		Schedule *string `json:"schedule"`
	}
	if activeID == "" || json.Unmarshal([]byte(settings), &s) != nil || s.Schedule == nil {
		return time.Time{}, false
	}
	id, ts, ok := strings.Cut(*s.Schedule, "|")
	if !ok || id != activeID {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, ts)
	return t.UTC(), err == nil
}

// handleScheduleSection re-reads the device's schedules from the upstream and answers with the card (htmx), or
// sends a browser back to the device page. On an upstream failure the card shows the mirror and says why.
func handleScheduleSection(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		dev, hub, err := loadSchedulableDevice(r, d)
		if err != nil {
			return err
		}
		notice := ""
		if err := refreshDeviceSchedules(r.Context(), d, dev); err != nil {
			d.Logger.LogAttrs(r.Context(), slog.LevelWarn, "schedule refresh failed", slog.String("device_id", dev.ID), slog.Any("err", err))
			notice = "The schedules could not be read from the Smart Home service (" + upstream.ErrorText(err) +
				"). This is the copy saved here; try Refresh in a minute."
		}
		if !isHTMX(r) || wantsPage(r) {
			to := scheduleDeviceURL(dev.ID)
			if notice != "" {
				to += "?flash=schedules-unreadable"
			}
			redirect(w, r, to)
			return nil
		}
		data, err := loadScheduleSection(r.Context(), d, dev, hub)
		if err != nil {
			return err
		}
		data.Refresh, data.Notice = false, notice
		w.Header().Add("Vary", "HX-Request")
		return render(w, r, http.StatusOK, views.ScheduleSection(data))
	})
}

// loadSchedulableDevice reads the {id} device and its hub from the mirror; other device types are a 404.
func loadSchedulableDevice(r *http.Request, d Deps) (db.Device, db.Hub, error) {
	ctx := r.Context()
	dev, err := d.Store.Device(ctx, r.PathValue("id"))
	if err != nil {
		return dev, db.Hub{}, err
	}
	if !schedulable(dev.Type) {
		return dev, db.Hub{}, &httpError{http.StatusNotFound, "Only thermostats, switches and dimmers run schedules; this device does not.", nil}
	}
	hub, err := d.Store.Hub(ctx, dev.HubID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return dev, hub, err
	}
	return dev, hub, nil
}

// loadFittingSchedule reads the {sid} schedule, which must be one the device may run (its type, its property or
// none); any other id is a 404, so a URL cannot reach a schedule through an unrelated device.
func loadFittingSchedule(r *http.Request, d Deps, dev db.Device, id string) (db.Schedule, error) {
	sc, err := d.Store.Schedule(r.Context(), id)
	if err != nil {
		return sc, err
	}
	sameProperty := sc.PropertyID == nil || (dev.PropertyID != nil && *sc.PropertyID == *dev.PropertyID)
	if sc.DeviceType != dev.Type || !sameProperty {
		return sc, notFound()
	}
	return sc, nil
}

// scheduleDeviceURL is the device page, where schedule actions return.
func scheduleDeviceURL(id string) string { return "/devices/" + url.PathEscape(id) }
