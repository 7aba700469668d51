package handlers

import (
	"bytes"
	"cmp"
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/handlers/live"
	"github.com/keyless/dashboard/views"
)

// afterCommit tells the rest of the dashboard about a stored activity: the features waiting on hardware
// (Observed), then every open page (the broker). It runs after the sender was answered.
func (wr *webhookReceiver) afterCommit(ctx context.Context, a db.ActivityView, res db.IngestResult) {
	notifyStored(ctx, wr.d, a)
	publishIngest(ctx, wr.d, a, res)
}

// notifyStored hands a stored activity to the observers (commands, lock codes). It carries no PIN: webhooks have none.
func notifyStored(ctx context.Context, d Deps, a db.ActivityView) {
	d.Observed.Notify(ctx, observe.Observation{ActivityID: a.ID, HubID: a.HubID, DeviceID: a.DeviceID, DeviceType: a.DeviceType,
		MessageType: a.MessageType, Kind: a.Kind, Details: a.Details, Actor: a.Actor, At: a.At})
}

// publishIngest pushes the new activity row (not for a Released one: its row is not new), the re-rendered state of
// what it changed, and alert banners for conditions it started or ended. Nothing is rendered when no page is
// listening.
func publishIngest(ctx context.Context, d Deps, a db.ActivityView, res db.IngestResult) {
	if d.Broker == nil || d.Broker.Stats().Subscribers == 0 {
		return
	}
	if !res.Released {
		if a.Actor != "" { // a code name may stand for a person: the stored view says whom
			if v, err := d.Store.ActivityByID(ctx, a.ID); err == nil {
				a.Person = v.Person
			}
		}
		publish(ctx, d, live.Event{ID: a.ID, Name: views.ActivityEvent, Kind: kindActivity, PropertyID: deref64(a.PropertyID),
			HubID: a.HubID, DeviceID: a.DeviceID}, views.ActivityRow(activityRowData(a)))
	}
	publishChanges(ctx, d, a, res)
}

// publishChanges pushes the re-rendered state of what an activity changed in the mirror, and its alert banners.
func publishChanges(ctx context.Context, d Deps, a db.ActivityView, res db.IngestResult) {
	if d.Broker == nil || d.Broker.Stats().Subscribers == 0 {
		return
	}
	loc := tz.Load(a.TimeZone)
	if c := res.Device; c != nil {
		publishDeviceState(ctx, d, c.After, loc)
		for _, b := range deviceBanners(c, a) {
			publishBanner(ctx, d, b, c.After.PropertyID, c.After.HubID, c.After.ID)
		}
	}
	if c := res.Hub; c != nil {
		publishHubStatus(ctx, d, c.After, loc)
		if c.Before.Online != c.After.Online {
			publishBanner(ctx, d, hubBanner(c.After, a.PropertyName, a.At, loc), c.After.PropertyID, c.After.ID, "")
		}
	}
}

// publishDeviceState re-renders a device's state panel for the pages showing it.
func publishDeviceState(ctx context.Context, d Deps, dev db.Device, loc *time.Location) {
	st := deviceState(dev, loc)
	publish(ctx, d, live.Event{Name: st.DOMID(), Kind: kindState, PropertyID: deref64(dev.PropertyID), HubID: dev.HubID,
		DeviceID: dev.ID}, views.DeviceState(st))
}

// publishHubStatus re-renders a hub's status card for the pages showing it.
func publishHubStatus(ctx context.Context, d Deps, h db.Hub, loc *time.Location) {
	publish(ctx, d, live.Event{Name: views.HubStatusDOMID(h.ID), Kind: kindState, PropertyID: deref64(h.PropertyID),
		HubID: h.ID}, views.HubStatus(hubStatusData(h, loc)))
}

func publishBanner(ctx context.Context, d Deps, b views.AlertBannerData, propertyID *int64, hubID, deviceID string) {
	publish(ctx, d, live.Event{Name: views.AlertEvent, Kind: kindAlert, PropertyID: deref64(propertyID), HubID: hubID,
		DeviceID: deviceID}, views.AlertBanner(b))
}

// publish renders c into ev and hands it to the broker. A render failure is logged; the page catches up when its
// stream reopens.
func publish(ctx context.Context, d Deps, ev live.Event, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		d.Logger.Error("render live event", slog.String("event", ev.Name), slog.Any("err", err))
		return
	}
	ev.Data = buf.Bytes()
	d.Broker.Publish(ev)
}

// hubStatusData fills the fields of a hub page that its status card shows.
func hubStatusData(h db.Hub, loc *time.Location) views.HubDetailData {
	data := views.HubDetailData{ID: h.ID, Online: h.Online, PowerSource: powerLabel(h.PowerSource),
		Battery: batteryData(h.Battery), Signal: h.Signal, NetworkType: networkLabel(h.NetworkType)}
	data.LastHeartbeat, data.LastHeartbeatISO = localTimes(h.LastHeartbeatAt, loc)
	return data
}

// deviceBanners are the alerts a device change started or ended: a new alert, an alarm cleared, a battery that
// dropped below the low mark.
func deviceBanners(c *db.DeviceChange, a db.ActivityView) []views.AlertBannerData {
	loc := tz.Load(a.TimeZone)
	base := views.AlertBannerData{Subject: deviceName(c.After), URL: "/devices/" + c.After.ID, PropertyName: a.PropertyName}
	base.When, base.WhenISO = localTimes(&a.At, loc)
	id := strconv.FormatInt(a.ID, 10)
	var out []views.AlertBannerData
	if c.After.Alert != c.Before.Alert {
		b := base
		switch {
		case c.After.Alert != "":
			b.ID, b.Kind, b.Detail = id+"-"+c.After.Alert, c.After.Alert, alertLabels[c.After.Alert]
			out = append(out, b)
		case c.Before.Alert == db.AlertLeak || c.Before.Alert == db.AlertSmoke:
			b.ID, b.Kind, b.Cleared = id+"-"+c.Before.Alert+"-cleared", c.Before.Alert, true
			out = append(out, b)
		}
	}
	wasLow := c.Before.Battery != nil && *c.Before.Battery < db.LowBatteryPercent
	if c.After.Battery != nil && *c.After.Battery < db.LowBatteryPercent && !wasLow {
		b := base
		b.ID, b.Kind, b.Detail = id+"-battery", views.AlertLowBattery, "Battery "+strconv.Itoa(*c.After.Battery)+"%"
		out = append(out, b)
	}
	return out
}

// hubBanner announces a hub going offline or coming back.
func hubBanner(h db.Hub, propertyName string, at time.Time, loc *time.Location) views.AlertBannerData {
	b := views.AlertBannerData{ID: "hub-" + h.ID + "-" + strconv.FormatInt(at.UnixMilli(), 10), Kind: views.AlertHubOffline,
		Subject: cmp.Or(h.HomeName, "Hub "+h.SerialNo), URL: "/hubs/" + h.ID, PropertyName: propertyName,
		Cleared: h.Online}
	if !h.Online {
		b.Detail = "No longer reachable"
	}
	b.When, b.WhenISO = localTimes(&at, loc)
	return b
}

func deref64(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}
