package handlers

import (
	"net/http"
	"strconv"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// maxQuery bounds free-text search input; anything longer is cut, not an error. Lists show listPageSize rows.
const (
	maxQuery     = 200
	listPageSize = 25
)

// lastPage is the number of the last page of total rows (1 when there are none).
func lastPage(total, perPage int) int { return max(1, (total+perPage-1)/max(perPage, 1)) }

func handlePropertyList(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		f := views.PropertyFilterData{Q: clip.String(q.Get("q"), maxQuery), HubOffline: q.Get("hub_offline") != "",
			LowBattery: q.Get("low_battery") != "", HasAlerts: q.Get("has_alerts") != "", Sort: q.Get("sort"), Dir: q.Get("dir")}
		switch f.Sort {
		case "name", "city", "alerts", "synced":
		default:
			f.Sort = "name"
		}
		if f.Dir != "desc" {
			f.Dir = "asc"
		}
		pageNo, _ := strconv.Atoi(q.Get("page"))
		filter := db.PropertyFilter{Query: f.Q, HubOffline: f.HubOffline, LowBattery: f.LowBattery, HasAlerts: f.HasAlerts,
			Sort: f.Sort, Desc: f.Dir == "desc", Page: max(pageNo, 1), PerPage: listPageSize}
		res, err := d.Store.ListProperties(r.Context(), filter)
		if last := lastPage(res.Total, res.PerPage); err == nil && filter.Page > last { // a stale link past the end
			filter.Page = last
			res, err = d.Store.ListProperties(r.Context(), filter)
		}
		if err != nil {
			return err
		}
		sync, err := d.loadSync(r.Context())
		if err != nil {
			return err
		}
		data := views.PropertyListData{Filter: f, Total: res.Total, Sync: sync,
			Pages: views.Paginate("/properties", q, res.Page, lastPage(res.Total, res.PerPage), "#property-results")}
		for _, p := range res.Items {
			local, iso := localTimes(&p.SyncedAt, tz.Load(p.TimeZone))
			data.Rows = append(data.Rows, views.PropertyRowData{ID: strconv.FormatInt(p.ID, 10), Name: p.Name,
				Address: p.Address, City: p.City, TimeZone: p.TimeZone, Hubs: p.Hubs, HubsOffline: p.HubsOffline,
				Devices: p.Devices, LowBattery: p.LowBattery, Alerts: p.Alerts, Synced: local, SyncedISO: iso})
		}
		meta := pageMeta(r, "Properties", views.NavProperties)
		meta.Notices = upstreamNotice(sync)
		return page(w, r, views.PropertiesPage(meta, data), views.PropertyResults(data))
	})
}

func handleProperty(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		ctx := r.Context()
		p, err := d.Store.Property(ctx, id)
		if err != nil {
			return err
		}
		hubs, err := d.Store.HubsByProperty(ctx, id)
		if err != nil {
			return err
		}
		devices, err := d.Store.DevicesByProperty(ctx, id)
		if err != nil {
			return err
		}
		sync, err := d.loadSync(ctx)
		if err != nil {
			return err
		}
		loc := tz.Load(p.TimeZone)
		perHub := map[string]int{}
		for _, dev := range devices {
			perHub[dev.HubID]++
		}
		data := views.PropertyDetailData{ID: strconv.FormatInt(p.ID, 10), Name: p.Name, Address: p.Address,
			TimeZone: p.TimeZone, Sync: sync, Devices: groupDevices(devices, loc)}
		for _, h := range hubs {
			data.Hubs = append(data.Hubs, hubRow(h, p.Name, perHub[h.ID]))
		}
		if data.Sections, err = propertySectionsFor(r, d, propertyView{Property: p, Devices: devices}); err != nil {
			return err
		}
		meta := pageMeta(r, p.Name, views.NavProperties)
		meta.EventsURL = eventsURL(p.ID, "", "") // live activity, state and alerts of this property
		meta.Notices = upstreamNotice(sync)
		return render(w, r, http.StatusOK, views.PropertyPage(meta, data))
	})
}
