package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

func handleDevice(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		dev, err := d.Store.Device(ctx, r.PathValue("id"))
		if err != nil {
			return err
		}
		hub, err := d.Store.Hub(ctx, dev.HubID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		sync, err := d.loadSync(ctx)
		if err != nil {
			return err
		}
		loc := tz.Load(hub.TimeZone)
		data := views.DeviceDetailData{ID: dev.ID, Name: deviceName(dev), Type: dev.Type, HubID: dev.HubID,
			HubName: hub.HomeName, Sync: sync}
		if dev.PropertyID != nil {
			p, err := d.Store.Property(ctx, *dev.PropertyID)
			if err != nil && !errors.Is(err, db.ErrNotFound) {
				return err
			}
			data.PropertyID, data.PropertyName = strconv.FormatInt(*dev.PropertyID, 10), p.Name
			if p.TimeZone != "" {
				loc = tz.Load(p.TimeZone)
			}
		}
		data.State = deviceState(dev, loc)
		if data.Sections, err = deviceSectionsFor(r, d, dev, hub); err != nil {
			return err
		}
		meta := pageMeta(r, deviceName(dev), views.NavHubs)
		meta.EventsURL = eventsURL(0, "", dev.ID) // live activity, state and alerts of this device
		meta.Notices = upstreamNotice(sync)
		return render(w, r, http.StatusOK, views.DevicePage(meta, data))
	})
}
