package handlers

import (
	"cmp"
	"errors"
	"net/http"
	"strconv"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

func handleHubList(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		f := views.HubFilterData{Q: clip.String(q.Get("q"), maxQuery), Offline: q.Get("offline") != ""}
		pageNo, _ := strconv.Atoi(q.Get("page"))
		filter := db.HubFilter{Query: f.Q, Offline: f.Offline, Page: max(pageNo, 1), PerPage: listPageSize}
		res, err := d.Store.ListHubs(r.Context(), filter)
		if last := lastPage(res.Total, res.PerPage); err == nil && filter.Page > last {
			filter.Page = last
			res, err = d.Store.ListHubs(r.Context(), filter)
		}
		if err != nil {
			return err
		}
		sync, err := d.loadSync(r.Context())
		if err != nil {
			return err
		}
		data := views.HubListData{Filter: f, Total: res.Total, Sync: sync,
			Pages: views.Paginate("/hubs", q, res.Page, lastPage(res.Total, res.PerPage), "#hub-results")}
		for _, h := range res.Items {
			data.Rows = append(data.Rows, hubRow(h.Hub, h.PropertyName, h.Devices))
		}
		meta := pageMeta(r, "Hubs", views.NavHubs)
		meta.Notices = upstreamNotice(sync)
		return page(w, r, views.HubsPage(meta, data), views.HubResults(data))
	})
}

func handleHub(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		h, err := d.Store.Hub(ctx, r.PathValue("id"))
		if err != nil {
			return err
		}
		devices, err := d.Store.DevicesByHub(ctx, h.ID)
		if err != nil {
			return err
		}
		sync, err := d.loadSync(ctx)
		if err != nil {
			return err
		}
		loc := tz.Load(h.TimeZone)
		data := views.HubDetailData{ID: h.ID, Name: h.HomeName, Serial: h.SerialNo, Online: h.Online,
			PowerSource: powerLabel(h.PowerSource), Battery: batteryData(h.Battery), Signal: h.Signal, Firmware: h.Firmware,
			Model: h.Model, NetworkType: networkLabel(h.NetworkType), TimeZone: h.TimeZone, Sync: sync}
		data.LastHeartbeat, data.LastHeartbeatISO = localTimes(h.LastHeartbeatAt, loc)
		if h.PropertyID != nil {
			p, err := d.Store.Property(ctx, *h.PropertyID)
			if err != nil && !errors.Is(err, db.ErrNotFound) {
				return err
			}
			data.PropertyID, data.PropertyName = strconv.FormatInt(*h.PropertyID, 10), p.Name
		}
		for _, dev := range devices {
			data.Devices = append(data.Devices, deviceRow(dev, loc))
		}
		if data.Sections, err = hubSectionsFor(r, d, h); err != nil {
			return err
		}
		meta := pageMeta(r, cmp.Or(h.HomeName, "Hub "+h.SerialNo), views.NavHubs)
		meta.EventsURL = eventsURL(0, h.ID, "") // live activity, status and alerts of this hub
		meta.Notices = upstreamNotice(sync)
		return render(w, r, http.StatusOK, views.HubPage(meta, data))
	})
}

func powerLabel(s string) string {
	switch s {
	case "external", "main":
		return "External power"
	case "battery":
		return "Battery"
	}
	return s
}

func networkLabel(s string) string {
	switch s {
	case "cellular":
		return "Cellular"
	case "wifi", "wi-fi":
		return "Wi-Fi"
	case "ethernet":
		return "Ethernet"
	}
	return s
}
