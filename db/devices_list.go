package db

import (
	"context"
	"fmt"
	"strings"
)

// Device list sorts (DeviceFilter.Sort).
const (
	DeviceSortName     = "name"     // device name, case-insensitive (the default)
	DeviceSortProperty = "property" // property name, then device name; unassigned devices last
	DeviceSortBattery  = "battery"  // battery percent; devices without a battery last either way
	DeviceSortChanged  = "changed"  // Device.StateChangedAt: the last change of state, reachability, alert or battery
)

// DeviceFilter selects and orders a page of devices over the whole mirror. Every field composes with the others;
// the zero value lists the first page by name.
type DeviceFilter struct {
	Query        string // case-insensitive substring of the device name or occupant setting
	Type         string // exact device_type; "" for any
	PropertyID   int64  // only this property's devices; 0 for any, < 0 matches nothing
	City         string // the device's property is in this city (case-insensitive, whole value); "" for any
	BatteryBelow int    // 1–100: only devices reporting a battery below this percent; 0 for any
	Offline      bool   // only devices offline themselves or on an offline hub
	OpenAlerts   bool   // only devices with an unresolved (open or acknowledged) alert record
	Sort         string // DeviceSortName (default, also for unknown values), …Property, …Battery, …Changed
	Desc         bool
	Page         int // 1-based; values below 1 mean 1
	PerPage      int // 0 means DefaultPerPage; capped at MaxPerPage
}

// DeviceListRow is a device with what its list row shows beside it.
type DeviceListRow struct {
	Device
	PropertyName string // "" when unassigned
	City         string
	TimeZone     string // the property's zone, else the hub's
	HubName      string // the hub's home name, else its serial number
	HubOnline    bool
	OpenAlerts   int // unresolved alert records of the device
}

// DevicePage is one page of ListDevices, with the normalised page number and size.
type DevicePage struct {
	Items   []DeviceListRow
	Total   int // rows matching the filter, over all pages
	Page    int
	PerPage int
}

type deviceListRow struct {
	deviceRow
	PropertyName string `db:"property_name"`
	City         string `db:"city"`
	TimeZone     string `db:"time_zone"`
	HubName      string `db:"hub_name"`
	HubOnline    bool   `db:"hub_online"`
	OpenAlerts   int    `db:"open_alerts"`
}

// batteryKey is the battery a device without one sorts and filters as, in the expression index devices_battery
// (migration 0020): above every percent, so "below N" never matches it and it sorts after every battery.
const batteryKey = "coalesce(d.battery, 101)"

// openAlertDevices are the devices with an unresolved alert record; IN over it lets the planner start from the
// few alerts (alerts_state) rather than probe every device.
const openAlertDevices = `SELECT a.device_id FROM alerts a WHERE a.state IN ('open', 'acknowledged') AND a.device_id <> ''`

// offlineDevices are the devices offline themselves or on an offline hub. A UNION ALL (IN ignores repeats) rather than an OR, so both
// dialects start from the partial indexes devices_offline and hubs_offline instead of scanning every device.
const offlineDevices = `SELECT o.id FROM devices o WHERE o.online = 0
	UNION ALL SELECT o.id FROM devices o WHERE o.hub_id IN (SELECT id FROM hubs WHERE online = 0)`

// where returns the filter's condition over devices d and its arguments.
func (f DeviceFilter) where() (string, []any) {
	var args []any
	conds := []string{"1 = 1"}
	add := func(c string, a ...any) { conds, args = append(conds, c), append(args, a...) }
	if q := strings.TrimSpace(f.Query); q != "" {
		pat := likePattern(q)
		add(`(d.name LIKE ? ESCAPE '\' OR d.occupant_setting LIKE ? ESCAPE '\')`, pat, pat)
	}
	if f.Type != "" {
		add("d.type = ?", f.Type)
	}
	switch {
	case f.PropertyID < 0:
		add("1 = 0")
	case f.PropertyID > 0:
		add("d.property_id = ?", f.PropertyID)
	}
	if c := strings.TrimSpace(f.City); c != "" { // a list of property ids (properties_city), not a join
		add("d.property_id IN (SELECT id FROM properties WHERE lower(city) = lower(?))", c)
	}
	if f.BatteryBelow > 0 {
		add(batteryKey+" < ?", min(f.BatteryBelow, 101))
	}
	if f.Offline {
		add("d.id IN (" + offlineDevices + ")")
	}
	if f.OpenAlerts {
		add("d.id IN (" + openAlertDevices + ")")
	}
	return strings.Join(conds, " AND "), args
}

// orderBy returns the ORDER BY list over d and p; ties fall back to the device id so paging is stable. Ascending
// name, type+name, battery and changed orders match an index of migration 0020.
func (f DeviceFilter) orderBy() string {
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	switch f.Sort {
	case DeviceSortProperty:
		// (p.id IS NULL) puts unassigned devices last in both dialects, whose NULL orders differ.
		return "(p.id IS NULL), lower(p.name) " + dir + ", p.id " + dir + ", lower(d.name), d.id"
	case DeviceSortBattery:
		if f.Desc {
			return "coalesce(d.battery, -1) DESC, d.id DESC"
		}
		return batteryKey + ", d.id"
	case DeviceSortChanged:
		return "d.state_changed_at " + dir + ", d.id " + dir
	default:
		return "lower(d.name) " + dir + ", d.id " + dir
	}
}

// queries returns the count and page statements for f and their shared arguments (the page statement takes LIMIT
// and OFFSET after them). The page statement picks the page's ids first, joining only what the filter and order
// need, so a deep OFFSET skips index entries rather than joined rows; the 25 picked rows are joined afterwards.
func (f DeviceFilter) queries() (count, page string, args []any) {
	where, args := f.where()
	from := "devices d"
	if f.Sort == DeviceSortProperty {
		from = "devices d LEFT JOIN properties p ON p.id = d.property_id"
	}
	if where == "1 = 1" {
		count = `SELECT count(*) FROM devices d`
	} else {
		count = `SELECT count(*) FROM ` + from + ` WHERE ` + where
	}
	order := f.orderBy()
	page = `SELECT ` + deviceColsD + `, coalesce(p.name, '') AS property_name, coalesce(p.city, '') AS city,
			coalesce(CASE WHEN p.time_zone <> '' THEN p.time_zone ELSE h.time_zone END, '') AS time_zone,
			CASE WHEN h.home_name <> '' THEN h.home_name ELSE h.serial_no END AS hub_name, h.online AS hub_online,
			(SELECT count(*) FROM alerts a WHERE a.hub_id = d.hub_id AND a.device_id = d.id
				AND a.state IN ('open', 'acknowledged')) AS open_alerts
		FROM (SELECT d.id FROM ` + from + ` WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?) pick
		JOIN devices d ON d.id = pick.id
		JOIN hubs h ON h.id = d.hub_id
		LEFT JOIN properties p ON p.id = d.property_id
		ORDER BY ` + order
	return count, page, args
}

// ListDevices returns one page of mirrored devices, with their property, hub and open alert count.
func (s *Store) ListDevices(ctx context.Context, f DeviceFilter) (DevicePage, error) {
	page, perPage, offset := pageBounds(f.Page, f.PerPage)
	countSQL, pageSQL, args := f.queries()
	countSQL, pageSQL = s.caseless(countSQL), s.caseless(pageSQL)
	res := DevicePage{Page: page, PerPage: perPage}
	rows := []deviceListRow{}
	// One read transaction, so Total and Items describe the same state of the mirror.
	err := s.readTx(ctx, func(tx *dbTx) error {
		if err := tx.GetContext(ctx, &res.Total, countSQL, args...); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &rows, pageSQL, append(args, perPage, offset)...)
	})
	if err != nil {
		return DevicePage{}, fmt.Errorf("db: list devices: %w", err)
	}
	res.Items = make([]DeviceListRow, len(rows))
	for i, r := range rows {
		res.Items[i] = DeviceListRow{Device: r.device(), PropertyName: r.PropertyName, City: r.City,
			TimeZone: r.TimeZone, HubName: r.HubName, HubOnline: r.HubOnline, OpenAlerts: r.OpenAlerts}
	}
	return res, nil
}

// DeviceCities returns the distinct cities of the mirrored properties, sorted case-insensitively, for the device
// list's city filter.
func (s *Store) DeviceCities(ctx context.Context) ([]string, error) {
	cities := []string{}
	err := s.r.SelectContext(ctx, &cities, `SELECT min(city) FROM properties WHERE city <> ''
		GROUP BY lower(city) ORDER BY lower(city)`)
	if err != nil {
		return nil, fmt.Errorf("db: device cities: %w", err)
	}
	return cities, nil
}
