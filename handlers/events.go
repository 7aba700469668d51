package handlers

import (
	"net/http"
	"strconv"

	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/handlers/live"
)

// Event kinds on the live stream. The kind decides who may receive an event; the name (live.Event.Name) is what a
// page's sse-swap listens for.
const (
	kindActivity  = "activity"   // a new device activity row: people who may read the activity log
	kindState     = "state"      // a device or hub state change, a command's progress: anyone who may view the portfolio
	kindAlert     = "alert"      // alert banners: anyone who may view the portfolio
	kindAlertOps  = "alert-ops"  // an alert record's row with its buttons: people who may handle alerts
	kindAlertView = "alert-view" // the same row without buttons: everyone else who may view the portfolio
)

// handleEvents serves the live stream. Scope parameters (property, hub, device) narrow it; the server checks each
// against the mirror and builds the filter itself, so a client cannot widen what it receives.
func handleEvents(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		p := currentUser(r.Context())
		q := r.URL.Query()
		var propertyID int64
		var hubID, deviceID string
		if v := q.Get("property"); v != "" {
			id, err := parseID(v)
			if err != nil {
				return badRequest("Unknown property.", err)
			}
			if _, err := d.Store.Property(r.Context(), id); err != nil {
				return err
			}
			propertyID = id
		}
		if v := q.Get("hub"); v != "" {
			h, err := d.Store.Hub(r.Context(), v)
			if err != nil {
				return err
			}
			hubID = h.ID
		}
		if v := q.Get("device"); v != "" {
			dev, err := d.Store.Device(r.Context(), v)
			if err != nil {
				return err
			}
			deviceID = dev.ID
		}
		canActivity, canView, canHandle := p.can(auth.ViewActivity), p.can(auth.ViewPortfolio), p.can(auth.HandleAlerts)
		match := func(ev live.Event) bool {
			switch ev.Kind {
			case kindActivity:
				if !canActivity {
					return false
				}
			case kindState, kindAlert:
				if !canView {
					return false
				}
			case kindAlertOps, kindAlertView:
				if !canView || canHandle != (ev.Kind == kindAlertOps) {
					return false
				}
			default:
				return false
			}
			if ev.Kind == kindAlert { // banners are portfolio-wide
				return true
			}
			return (propertyID == 0 || ev.PropertyID == propertyID) && (hubID == "" || ev.HubID == hubID) &&
				(deviceID == "" || ev.DeviceID == deviceID)
		}
		d.Broker.Serve(w, r, live.Subscriber{UserID: p.user.ID, SessionID: p.sessionID, Match: match})
		return nil
	})
}

// eventsURL is the stream URL of a page scoped to one property, hub or device (zero values: everything).
func eventsURL(propertyID int64, hubID, deviceID string) string {
	switch {
	case deviceID != "":
		return "/events?device=" + deviceID
	case hubID != "":
		return "/events?hub=" + hubID
	case propertyID != 0:
		return "/events?property=" + strconv.FormatInt(propertyID, 10)
	}
	return "/events"
}
