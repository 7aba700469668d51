package handlers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/views"
)

// homeAlertLimit caps the alert list on the home page; the count above it is always the full number.
const homeAlertLimit = 50

func handleHome(d Deps, opts Options) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		counts, err := d.Store.PortfolioCounts(ctx)
		if err != nil {
			return err
		}
		alerts, err := d.Store.AlertDevices(ctx, homeAlertLimit)
		if err != nil {
			return err
		}
		sync, err := d.loadSync(ctx)
		if err != nil {
			return err
		}
		data := views.HomeData{Properties: counts.Properties, Hubs: counts.Hubs, HubsOffline: counts.HubsOffline,
			LowBatteries: counts.LowBattery, AlertCount: counts.Alerts, Sync: sync}
		for _, a := range alerts {
			data.Alerts = append(data.Alerts, alertData(a))
		}
		if len(opts.WebhookSecrets) == 0 {
			data.Warnings = append(data.Warnings, views.NoticeData{Kind: "warn", Message: "WEBHOOK_SECRET is not set: " +
				"the webhook endpoint accepts deliveries from anyone. Set it, and give the upstream the URL with ?token=<secret>."})
		}
		meta := pageMeta(r, "Home", views.NavHome)
		meta.EventsURL = eventsURL(0, "", "") // live alert banners
		meta.Notices = append(upstreamNotice(sync), behindNotice(ctx, d.Store, time.Now())...)
		return render(w, r, http.StatusOK, views.HomePage(meta, data))
	})
}

func alertData(a db.DeviceAlert) views.AlertData {
	out := views.AlertData{Kind: a.Kind, Subject: a.Name, HubID: a.HubID, DeviceID: a.DeviceID, PropertyName: a.PropertyName}
	if a.PropertyID != nil {
		out.PropertyID = strconv.FormatInt(*a.PropertyID, 10)
	}
	switch a.Kind {
	case db.AlertHubOffline:
		out.Detail = "Hub offline"
	case db.AlertLowBattery:
		out.Detail = "Battery low"
	default:
		out.Detail = alertLabels[a.Kind]
	}
	if a.Battery != nil {
		out.Detail += " · battery " + strconv.Itoa(*a.Battery) + "%"
	}
	out.Since, out.SinceISO = localTimes(&a.At, time.Local)
	return out
}

var alertLabels = map[string]string{"leak": "Water leak detected", "smoke": "Smoke detected", "tamper": "Tampered", "jammed": "Lock jammed"}
