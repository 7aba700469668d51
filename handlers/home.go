package handlers

import (
	"net/http"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
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
		alerts, err := d.Store.ListAlerts(ctx, db.AlertFilter{State: db.AlertUnresolved, Limit: homeAlertLimit})
		if err != nil {
			return err
		}
		unresolved, err := d.Store.CountUnresolvedAlerts(ctx)
		if err != nil {
			return err
		}
		sync, err := d.loadSync(ctx)
		if err != nil {
			return err
		}
		data := views.HomeData{Properties: counts.Properties, Hubs: counts.Hubs, HubsOffline: counts.HubsOffline,
			LowBatteries: counts.LowBattery, AlertCount: unresolved, Sync: sync,
			Alerts: alertTable(alerts.Items, currentUser(ctx).can(auth.HandleAlerts), true, "home")}
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

var alertLabels = map[string]string{"leak": "Water leak detected", "smoke": "Smoke detected", "tamper": "Tampered", "jammed": "Lock jammed"}
