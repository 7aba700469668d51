package handlers

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// handleDeviceList is GET /devices: every mirrored device, filtered, sorted and paged as the query string says.
func handleDeviceList(d Deps) http.Handler {
	cities := &cityCache{}
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		dq, err := parseDeviceQuery(ctx, d.Store, r.URL.Query())
		if err != nil {
			return err
		}
		res, err := d.Store.ListDevices(ctx, dq.filter)
		if last := lastPage(res.Total, res.PerPage); err == nil && dq.filter.Page > last { // a stale link past the end
			dq.filter.Page = last
			res, err = d.Store.ListDevices(ctx, dq.filter)
		}
		if err != nil {
			return err
		}
		cityList, err := cities.get(ctx, d.Store)
		if err != nil {
			return err
		}
		sync, err := d.loadSync(ctx)
		if err != nil {
			return err
		}
		data := views.DeviceListData{Filter: dq.form, Quick: dq.quickFilters(), Errors: dq.errs, Total: res.Total,
			Sync: sync, Pages: views.Paginate("/devices", dq.values(), res.Page, lastPage(res.Total, res.PerPage), "#device-results")}
		data.Filter.Types = deviceTypeOptions()
		data.Filter.Cities, data.Filter.City = cityOptions(cityList, dq.form.City)
		noProperty := dq.values()
		noProperty.Del("property")
		data.Filter.ClearURL = withQuery("/devices", noProperty)
		for _, row := range res.Items {
			data.Rows = append(data.Rows, deviceListRow(row))
		}
		meta := pageMeta(r, "Devices", views.NavDevices)
		meta.Notices = upstreamNotice(sync)
		return page(w, r, views.DeviceListPage(meta, data), views.DeviceResults(data))
	})
}

// cityCache keeps the mirror's cities for the city filter's options for cityTTL: grouping 5,000 properties by city
// took 2.5 ms a page, more than the page's own query. A new city shows among the options up to cityTTL later; the
// filter itself reads the mirror, so a typed or linked city works at once.
type cityCache struct {
	mu     sync.Mutex
	at     time.Time
	cities []string
}

const cityTTL = 30 * time.Second

func (c *cityCache) get(ctx context.Context, store *db.Store) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cities != nil && time.Since(c.at) < cityTTL {
		return c.cities, nil
	}
	cities, err := store.DeviceCities(ctx)
	if err != nil {
		return nil, err
	}
	c.cities, c.at = cities, time.Now()
	return cities, nil
}

func deviceListRow(row db.DeviceListRow) views.DeviceListRowData {
	v := views.DeviceListRowData{ID: row.ID, Name: deviceName(row.Device), Occupant: row.OccupantSetting, Type: row.Type,
		PropertyName: row.PropertyName, City: row.City, HubID: row.HubID, HubName: row.HubName, Online: row.Online,
		HubOnline: row.HubOnline, Battery: batteryData(row.Battery), Alerts: row.OpenAlerts}
	if row.PropertyID != nil {
		v.PropertyID = strconv.FormatInt(*row.PropertyID, 10)
	}
	v.Changed, v.ChangedISO = localTimes(&row.StateChangedAt, tz.Load(row.TimeZone))
	return v
}

func deviceTypeOptions() []views.OptionData {
	types := smarthome.DeviceTypes()
	out := make([]views.OptionData, len(types))
	for i, t := range types {
		out[i] = views.OptionData{Value: t, Label: views.DeviceTypeLabel(t)}
	}
	return out
}

// cityOptions is the mirror's cities, plus the chosen one when the mirror has no property there (a bookmarked
// link), so the form keeps it; and the chosen city as the mirror spells it (the filter ignores case).
func cityOptions(cities []string, chosen string) ([]string, string) {
	if chosen == "" {
		return cities, ""
	}
	if i := slices.IndexFunc(cities, func(c string) bool { return strings.EqualFold(c, chosen) }); i >= 0 {
		return cities, cities[i]
	}
	return append([]string{chosen}, cities...), chosen
}
