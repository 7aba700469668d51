package ingest

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
)

// What an activity changed, told to the other instances (domain/fanout) in a few bits beside its id, so that
// they push what this instance pushed: the row (unless the activity was released, not new), the states it
// changed and the alerts it started or ended. They re-read the row and the states from the database; the bits
// say only which to push, since the before-and-after pair that decided them is gone after the commit.

// Effects is the set of what an activity changed.
type Effects uint16

// The effects of an activity.
const (
	FxHub      Effects = 1 << iota // the hub's mirrored status changed
	FxDevice                       // the device's mirrored state changed
	FxReleased                     // not a new row: a held activity became verified
	FxTamper                       // a device alert started, by kind
	FxJammed
	FxLeak
	FxSmoke
	FxLeakCleared
	FxSmokeCleared
	FxLowBattery
	FxHubOffline // the hub went offline
	FxHubOnline  // the hub came back online
)

var startedFx = map[string]Effects{db.AlertTamper: FxTamper, db.AlertJammed: FxJammed, db.AlertLeak: FxLeak, db.AlertSmoke: FxSmoke}

// EffectsOf is what an ingest result changed, as Announce pushes it.
func EffectsOf(res db.IngestResult) Effects {
	var fx Effects
	if res.Released {
		fx |= FxReleased
	}
	if res.Device != nil {
		fx |= FxDevice
		for _, al := range deviceAlerts(res.Device) {
			switch {
			case al.Kind == db.AlertLowBattery:
				fx |= FxLowBattery
			case al.Cleared && al.Kind == db.AlertLeak:
				fx |= FxLeakCleared
			case al.Cleared && al.Kind == db.AlertSmoke:
				fx |= FxSmokeCleared
			default:
				fx |= startedFx[al.Kind]
			}
		}
	}
	if h := res.Hub; h != nil {
		fx |= FxHub
		if h.Before.Online != h.After.Online {
			if h.After.Online {
				fx |= FxHubOnline
			} else {
				fx |= FxHubOffline
			}
		}
	}
	return fx
}

// Entry is a result's entry in a notification: "<id>", or "<id>.<effects in hex>".
func Entry(res db.IngestResult) string {
	id := strconv.FormatInt(res.ID, 10)
	if fx := EffectsOf(res); fx != 0 {
		return id + "." + strconv.FormatUint(uint64(fx), 16)
	}
	return id
}

// ParseEntry reads an Entry; ok is false for anything else (a typed entry such as "c:12").
func ParseEntry(s string) (id int64, fx Effects, ok bool) {
	idText, fxText, hasFx := strings.Cut(s, ".")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return 0, 0, false
	}
	if hasFx {
		v, err := strconv.ParseUint(fxText, 16, 16)
		if err != nil {
			return 0, 0, false
		}
		fx = Effects(v)
	}
	return id, fx, true
}

// Republish pushes, from the database, what an activity committed by another instance changed: its row (unless
// released), the current state of its device and hub when fx says they changed, and the alerts fx names. With
// known false (a listener's catch-up, which has ids but no effects) it pushes the row and the current states of
// its device and hub, and no alert banner: the pages show alerts again from the database when they reload.
func Republish(ctx context.Context, store *db.Store, pub Publisher, id int64, fx Effects, known bool) error {
	if pub == nil || !pub.Listening() {
		return nil
	}
	a, err := store.ActivityByID(ctx, id)
	if err != nil {
		return err
	}
	if fx&FxReleased == 0 {
		pub.Activity(ctx, a)
	}
	loc := tz.Load(a.TimeZone)
	if a.DeviceID != "" && (!known || fx&FxDevice != 0) {
		dev, err := store.Device(ctx, a.DeviceID)
		switch {
		case err == nil:
			pub.DeviceState(ctx, dev, loc)
			for _, al := range alertsOf(fx, &dev) {
				pub.Alert(ctx, alertOf(al, a, loc))
			}
		case !errors.Is(err, db.ErrNotFound):
			return err
		}
	}
	if a.HubID != "" && (!known || fx&FxHub != 0) {
		hub, err := store.Hub(ctx, a.HubID)
		switch {
		case err == nil:
			pub.HubStatus(ctx, hub, loc)
			if fx&(FxHubOffline|FxHubOnline) != 0 {
				pub.Alert(ctx, alertOf(Alert{Kind: db.AlertHubOffline, Cleared: fx&FxHubOnline != 0, Hub: &hub}, a, loc))
			}
		case !errors.Is(err, db.ErrNotFound):
			return err
		}
	}
	return nil
}

// alertsOf are the device alerts fx names, on dev as it is now, in the order deviceAlerts makes them.
func alertsOf(fx Effects, dev *db.Device) []Alert {
	var out []Alert
	for kind, bit := range startedFx { // a device has one alert at a time: at most one of these is set
		if fx&bit != 0 {
			out = append(out, Alert{Kind: kind, Device: dev})
		}
	}
	if fx&FxLeakCleared != 0 {
		out = append(out, Alert{Kind: db.AlertLeak, Cleared: true, Device: dev})
	}
	if fx&FxSmokeCleared != 0 {
		out = append(out, Alert{Kind: db.AlertSmoke, Cleared: true, Device: dev})
	}
	if fx&FxLowBattery != 0 && dev.Battery != nil {
		out = append(out, Alert{Kind: db.AlertLowBattery, Battery: *dev.Battery, Device: dev})
	}
	return out
}
