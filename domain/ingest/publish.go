package ingest

import (
	"context"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/tz"
)

// Publisher tells the open pages what a committed activity changed. ingest decides what is told and in which
// order (the row, then each entity's new state followed by the alerts it started or ended); the implementation
// renders it and pushes it to the live broker. Calls come after the commit, one delivery at a time per caller.
type Publisher interface {
	// Listening reports whether any page listens: nothing is looked up or rendered for nobody.
	Listening() bool
	// Activity is a new row of the activity log.
	Activity(ctx context.Context, a db.ActivityView)
	// DeviceState is a device's mirrored state after a change, shown in its zone.
	DeviceState(ctx context.Context, d db.Device, loc *time.Location)
	// HubStatus is a hub's mirrored status after a change, shown in its zone.
	HubStatus(ctx context.Context, h db.Hub, loc *time.Location)
	// Alert is a condition an activity started or ended.
	Alert(ctx context.Context, a Alert)
}

// Alert is a condition an activity started or ended, for the banners on open pages.
type Alert struct {
	Kind    string     // db.AlertTamper, AlertJammed, AlertLeak, AlertSmoke, AlertLowBattery or AlertHubOffline
	Cleared bool       // the condition ended: an alarm cleared, a hub back online
	Battery int        // for AlertLowBattery: the percentage
	Device  *db.Device // the device it concerns, as it is now; nil for a hub's
	Hub     *db.Hub    // the hub it concerns (AlertHubOffline), as it is now

	ActivityID   int64     // the activity that reported it: one banner per activity and kind
	At           time.Time // when it happened
	PropertyName string
	Loc          *time.Location // the property's zone, for the time shown
}

// notify hands an applied activity to the observers (commands, lock codes). It carries no PIN: webhooks have none.
func (rx *Receiver) notify(ctx context.Context, a db.ActivityView) {
	rx.observers.Notify(ctx, observe.Observation{ActivityID: a.ID, HubID: a.HubID, DeviceID: a.DeviceID, DeviceType: a.DeviceType,
		MessageType: a.MessageType, Kind: a.Kind, Details: a.Details, Actor: a.Actor, At: a.At})
}

// listening reports whether any open page would be told anything.
func (rx *Receiver) listening() bool { return rx.pub != nil && rx.pub.Listening() }

// publishActivity pushes the new activity row. Nothing is looked up when no page is listening.
func (rx *Receiver) publishActivity(ctx context.Context, a db.ActivityView) {
	if !rx.listening() {
		return
	}
	if a.Actor != "" { // a code name may stand for a person: the stored view says whom
		if v, err := rx.store.ActivityByID(ctx, a.ID); err == nil {
			a.Person = v.Person
		}
	}
	rx.pub.Activity(ctx, a)
}

// publishChanges pushes the new state of what an activity changed in the mirror, and its alerts.
func (rx *Receiver) publishChanges(ctx context.Context, a db.ActivityView, hub *db.HubChange, dev *db.DeviceChange) {
	if !rx.listening() {
		return
	}
	loc := tz.Load(a.TimeZone)
	if dev != nil {
		rx.pub.DeviceState(ctx, dev.After, loc)
		for _, al := range deviceAlerts(dev) {
			rx.pub.Alert(ctx, alertOf(al, a, loc))
		}
	}
	if hub != nil {
		rx.pub.HubStatus(ctx, hub.After, loc)
		if hub.Before.Online != hub.After.Online {
			rx.pub.Alert(ctx, alertOf(Alert{Kind: db.AlertHubOffline, Cleared: hub.After.Online, Hub: &hub.After}, a, loc))
		}
	}
}

// alertOf dates al by the activity that reported it.
func alertOf(al Alert, a db.ActivityView, loc *time.Location) Alert {
	al.ActivityID, al.At, al.PropertyName, al.Loc = a.ID, a.At, a.PropertyName, loc
	return al
}

// deviceAlerts are the alerts a device change started or ended: a new alert, an alarm (leak, smoke) cleared, a
// battery that dropped below the low mark.
func deviceAlerts(c *db.DeviceChange) []Alert {
	var out []Alert
	if c.After.Alert != c.Before.Alert {
		switch {
		case c.After.Alert != "":
			out = append(out, Alert{Kind: c.After.Alert, Device: &c.After})
		case c.Before.Alert == db.AlertLeak || c.Before.Alert == db.AlertSmoke:
			out = append(out, Alert{Kind: c.Before.Alert, Cleared: true, Device: &c.After})
		}
	}
	wasLow := c.Before.Battery != nil && *c.Before.Battery < db.LowBatteryPercent
	if c.After.Battery != nil && *c.After.Battery < db.LowBatteryPercent && !wasLow {
		out = append(out, Alert{Kind: db.AlertLowBattery, Battery: *c.After.Battery, Device: &c.After})
	}
	return out
}
