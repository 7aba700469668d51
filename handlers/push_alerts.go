package handlers

import (
	"context"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/alerts"
	"github.com/keyless/dashboard/handlers/live"
	"github.com/keyless/dashboard/views"
)

// alertPush renders alert rows for the open pages: the row under its own id (every page showing it replaces it)
// and, for a new alert, under AlertNewEvent (live lists put it on top). Each comes in two renderings, with and
// without the lifecycle buttons, and the stream's filter (events.go) gives each viewer the one their role allows.
type alertPush struct{ d Deps }

var _ alerts.Publisher = alertPush{}

// NewAlertPublisher returns what the alerts service pushes rows with; nil without a broker.
func NewAlertPublisher(d Deps) alerts.Publisher {
	if d.Broker == nil {
		return nil
	}
	return alertPush{d: d}
}

// Listening: nothing is read back or rendered when no page is listening.
func (p alertPush) Listening() bool { return p.d.Broker != nil && p.d.Broker.Stats().Subscribers > 0 }

// Alert pushes a's row.
func (p alertPush) Alert(ctx context.Context, a db.AlertView, opened bool) {
	for _, handles := range []bool{true, false} {
		row := alertRowData(a, handles)
		kind := kindAlertView
		if handles {
			kind = kindAlertOps
		}
		ev := live.Event{Name: row.DOMID(), Kind: kind, PropertyID: deref64(a.PropertyID), HubID: a.HubID, DeviceID: a.DeviceID}
		publish(ctx, p.d, ev, views.AlertRow(row))
		if opened {
			ev.Name = views.AlertNewEvent
			publish(ctx, p.d, ev, views.AlertRow(row))
		}
	}
}
