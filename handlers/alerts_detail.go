package handlers

import (
	"net/http"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/views"
)

// alertNotificationsListed bounds the notifications an alert's page lists; the delivery log has the rest.
const alertNotificationsListed = 50

// handleAlert serves GET /alerts/{id}: the alert that a mail or webhook links to, live, with its actions and, for
// admins, the notifications it called for.
func handleAlert(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		a, err := d.Store.AlertView(ctx, id)
		if err != nil {
			return err
		}
		p := currentUser(ctx)
		data := views.AlertPageData{Row: alertRowData(a, p.can(auth.HandleAlerts)), ShowNotifications: p.can(auth.ManageAlerts)}
		if data.ShowNotifications {
			ns, err := d.Store.ListNotifications(ctx, db.NotificationFilter{AlertID: id, Limit: alertNotificationsListed + 1})
			if err != nil {
				return err
			}
			if len(ns) > alertNotificationsListed {
				ns, data.HasMoreThanListed = ns[:alertNotificationsListed], true
			}
			for _, n := range ns {
				data.Notifications = append(data.Notifications, notificationRow(n))
			}
		}
		meta := pageMeta(r, alertKindLabel(a.Kind), views.NavAlerts)
		meta.EventsURL = eventsURL(0, "", "")
		return render(w, r, http.StatusOK, views.AlertPage(meta, data))
	})
}
