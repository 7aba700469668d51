package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// lowBatteryCond is the low-battery test as the partial index devices_attention and the counting
// triggers in migrations/0001_init.sql spell it: SQLite uses a partial index only when a query
// repeats its WHERE terms (TestQueryPlansUseIndexes checks).
var lowBatteryCond = "battery < " + strconv.Itoa(LowBatteryPercent)

// PropertyFilter selects and orders a page of properties. The zero value lists the first page by name.
type PropertyFilter struct {
	Query      string // case-insensitive substring of the name, address or city
	HubOffline bool   // only properties with an offline hub
	LowBattery bool   // only properties with a device below LowBatteryPercent
	HasAlerts  bool   // only properties with at least one alert (see PropertyRow.Alerts)
	Sort       string // "name" (default, also for unknown values), "city", "alerts" or "synced"
	Desc       bool   // reverse the sort
	Page       int    // 1-based; values below 1 mean 1
	PerPage    int    // 0 means DefaultPerPage; capped at MaxPerPage
}

// PropertyRow is a property with the counts its list row shows.
type PropertyRow struct {
	Property
	Hubs        int
	HubsOffline int
	Devices     int
	LowBattery  int
	Alerts      int // HubsOffline + devices with an alert + LowBattery
}

// PropertyPage is one page of ListProperties, with the normalised page number and size.
type PropertyPage struct {
	Items   []PropertyRow
	Total   int // rows matching the filter, over all pages
	Page    int
	PerPage int
}

type propertyListRow struct {
	propertyRow
	Hubs        int `db:"n_hubs"`
	HubsOffline int `db:"n_hubs_offline"`
	Devices     int `db:"n_devices"`
	LowBattery  int `db:"n_low_battery"`
	Alerts      int `db:"n_alerts"`
}

// where returns the filter's SQL condition over properties p, and its arguments.
func (f PropertyFilter) where() (string, []any) {
	conds, args := []string{"1 = 1"}, []any{}
	if q := strings.TrimSpace(f.Query); q != "" {
		conds = append(conds, `(p.name LIKE ? ESCAPE '\' OR p.address LIKE ? ESCAPE '\' OR p.city LIKE ? ESCAPE '\')`)
		pat := likePattern(q)
		args = append(args, pat, pat, pat)
	}
	if f.HubOffline {
		conds = append(conds, "p.n_hubs_offline > 0")
	}
	if f.LowBattery {
		conds = append(conds, "p.n_low_battery > 0")
	}
	if f.HasAlerts {
		conds = append(conds, "p.n_alerts > 0")
	}
	return strings.Join(conds, " AND "), args
}

// orderBy returns the ORDER BY list; ties fall back to name and id so paging is stable. Each
// ascending order matches an index (properties_name, _city, _synced, _alerts).
func (f PropertyFilter) orderBy() string {
	dir := "ASC"
	if f.Desc {
		dir = "DESC"
	}
	switch f.Sort {
	case "city":
		return "lower(p.city) " + dir + ", lower(p.name), p.id"
	case "alerts":
		return "p.n_alerts " + dir + ", lower(p.name), p.id"
	case "synced":
		return "p.synced_at " + dir + ", p.id"
	default:
		return "lower(p.name) " + dir + ", p.id"
	}
}

// queries returns the count and page statements for f and their shared arguments (the page
// statement takes LIMIT and OFFSET after them).
func (f PropertyFilter) queries() (count, page string, args []any) {
	where, args := f.where()
	if where == "1 = 1" { // no filter: a bare count(*) lets SQLite count the table's pages, 8x faster than a scan
		count = `SELECT count(*) FROM properties p`
	} else {
		count = `SELECT count(*) FROM properties p WHERE ` + where
	}
	page = `SELECT ` + qualify("p", propertyCols) + `, p.n_hubs, p.n_hubs_offline, p.n_devices, p.n_low_battery, p.n_alerts
		FROM properties p WHERE ` + where + ` ORDER BY ` + f.orderBy() + ` LIMIT ? OFFSET ?`
	return count, page, args
}

// ListProperties returns one page of mirrored properties with their hub, device and alert counts.
func (s *Store) ListProperties(ctx context.Context, f PropertyFilter) (PropertyPage, error) {
	page, perPage, offset := pageBounds(f.Page, f.PerPage)
	countSQL, pageSQL, args := f.queries()
	countSQL, pageSQL = s.caseless(countSQL), s.caseless(pageSQL)
	res := PropertyPage{Page: page, PerPage: perPage}
	rows := []propertyListRow{}
	// One read transaction, so Total and Items describe the same state of the mirror.
	err := s.readTx(ctx, func(tx *dbTx) error {
		if err := tx.GetContext(ctx, &res.Total, countSQL, args...); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &rows, pageSQL, append(args, perPage, offset)...)
	})
	if err != nil {
		return PropertyPage{}, fmt.Errorf("db: list properties: %w", err)
	}
	res.Items = make([]PropertyRow, len(rows))
	for i, r := range rows {
		res.Items[i] = PropertyRow{Property: r.property(), Hubs: r.Hubs, HubsOffline: r.HubsOffline,
			Devices: r.Devices, LowBattery: r.LowBattery, Alerts: r.Alerts}
	}
	return res, nil
}
