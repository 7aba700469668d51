package handlers

import (
	"cmp"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// This file maps store rows to view models: times in the property's zone, batteries with the low threshold,
// device state per type. Templates do no formatting of their own.

// localTimes formats t in loc, and as RFC 3339 UTC for <time datetime>. A nil or zero time gives two empty strings.
func localTimes(t *time.Time, loc *time.Location) (local, iso string) {
	if t == nil || t.IsZero() {
		return "", ""
	}
	return t.In(loc).Format(tz.Layout), t.UTC().Format(time.RFC3339)
}

func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute") + " ago"
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour") + " ago"
	default:
		return plural(int(d/(24*time.Hour)), "day") + " ago"
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

func batteryData(b *int) views.BatteryData {
	if b == nil {
		return views.BatteryData{}
	}
	return views.BatteryData{Percent: *b, Known: true, Low: *b < db.LowBatteryPercent}
}

func hubRow(h db.Hub, propertyName string, devices int) views.HubRowData {
	local, iso := localTimes(h.LastHeartbeatAt, tz.Load(h.TimeZone))
	r := views.HubRowData{ID: h.ID, Name: h.HomeName, Serial: h.SerialNo, PropertyName: propertyName, Online: h.Online,
		LastHeartbeat: local, LastHeartbeatISO: iso, Battery: batteryData(h.Battery), Devices: devices}
	if h.PropertyID != nil {
		r.PropertyID = strconv.FormatInt(*h.PropertyID, 10)
	}
	return r
}

func deviceRow(d db.Device, loc *time.Location) views.DeviceRowData {
	return views.DeviceRowData{ID: d.ID, Name: deviceName(d), Type: d.Type, State: deviceState(d, loc)}
}

func deviceName(d db.Device) string {
	return cmp.Or(d.Name, d.OccupantSetting, d.Type)
}

// groupDevices groups devices by type in a stable order: locks first (what staff look for), then by type name.
func groupDevices(ds []db.Device, loc *time.Location) []views.DeviceGroupData {
	byType := map[string][]views.DeviceRowData{}
	for _, d := range ds {
		byType[d.Type] = append(byType[d.Type], deviceRow(d, loc))
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		if (types[i] == "lock") != (types[j] == "lock") {
			return types[i] == "lock"
		}
		return types[i] < types[j]
	})
	out := make([]views.DeviceGroupData, 0, len(types))
	for _, t := range types {
		out = append(out, views.DeviceGroupData{Type: t, Devices: byType[t]})
	}
	return out
}

// rawValue shows a JSON value as text: strings unquoted, anything else compact and capped.
func rawValue(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return clip.String(s, 120)
	}
	return clip.String(string(raw), 120)
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("bad id %q", clip.String(s, 40))
	}
	return id, nil
}
