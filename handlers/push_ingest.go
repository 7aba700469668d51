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
	"github.com/keyless/dashboard/domain/ingest"
	"github.com/keyless/dashboard/domain/mirror"
	"github.com/keyless/dashboard/handlers/live"
	"github.com/keyless/dashboard/views"
)

// ingestPush renders what the webhook pipeline and the hub watchdog tell the open pages, and publishes it to the
// live broker: the activity row, a device's state panel, a hub's status card, alert banners.
type ingestPush struct{ d Deps }

var (
	_ ingest.Publisher       = ingestPush{}
	_ mirror.SilenceNotifier = ingestPush{}
)

// newIngestPush returns the receiver's publisher; nil without a broker.
func newIngestPush(d Deps) ingest.Publisher {
	if d.Broker == nil {
		return nil
	}
	return ingestPush{d: d}
}

// IngestPublisher returns what pushes the activities other instances committed (domain/fanout) to this
// instance's pages, as the webhook receiver pushes its own. nil without a broker.
func IngestPublisher(d Deps) ingest.Publisher { return newIngestPush(d) }

// HubSilenceNotifier returns what the hub watchdog (mirror.Watchdog) tells the open pages with: a silent hub's
// status card and banner. nil without a broker.
func HubSilenceNotifier(d Deps) mirror.SilenceNotifier {
	if d.Broker == nil {
		return nil
	}
	return ingestPush{d: d}
}

// Listening: nothing is rendered when no page is listening.
func (p ingestPush) Listening() bool { return p.d.Broker != nil && p.d.Broker.Stats().Subscribers > 0 }

// Activity pushes a new activity row.
func (p ingestPush) Activity(ctx context.Context, a db.ActivityView) {
	publish(ctx, p.d, live.Event{ID: a.ID, Name: views.ActivityEvent, Kind: kindActivity, PropertyID: deref64(a.PropertyID),
		HubID: a.HubID, DeviceID: a.DeviceID}, views.ActivityRow(activityRowData(a)))
}

// DeviceState re-renders a device's state panel for the pages showing it.
func (p ingestPush) DeviceState(ctx context.Context, dev db.Device, loc *time.Location) {
	st := deviceState(dev, loc)
	publish(ctx, p.d, live.Event{Name: st.DOMID(), Kind: kindState, PropertyID: deref64(dev.PropertyID), HubID: dev.HubID,
		DeviceID: dev.ID}, views.DeviceState(st))
}

// HubStatus re-renders a hub's status card for the pages showing it.
func (p ingestPush) HubStatus(ctx context.Context, h db.Hub, loc *time.Location) {
	publish(ctx, p.d, live.Event{Name: views.HubStatusDOMID(h.ID), Kind: kindState, PropertyID: deref64(h.PropertyID),
		HubID: h.ID}, views.HubStatus(hubStatusData(h, loc)))
}

// Alert pushes the banner of an alert an activity started or ended.
func (p ingestPush) Alert(ctx context.Context, a ingest.Alert) {
	if a.Device == nil {
		publishBanner(ctx, p.d, hubBanner(*a.Hub, a.PropertyName, a.At, a.Loc), a.Hub.PropertyID, a.Hub.ID, "")
		return
	}
	dev := a.Device
	publishBanner(ctx, p.d, deviceBanner(a), dev.PropertyID, dev.HubID, dev.ID)
}

// HubSilent pushes a silent hub's status card and its banner.
func (p ingestPush) HubSilent(ctx context.Context, s mirror.Silence) {
	p.HubStatus(ctx, s.Hub, s.Loc)
	b := hubBanner(s.Hub, s.PropertyName, s.At, s.Loc)
	b.Detail = "No heartbeat for " + s.Grace.String()
	publishBanner(ctx, p.d, b, s.Hub.PropertyID, s.Hub.ID, "")
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

// deviceBanner is a device alert's banner: one per activity and kind (a cleared alarm and a low battery have
// their own), so a page shows each once.
func deviceBanner(a ingest.Alert) views.AlertBannerData {
	b := views.AlertBannerData{Subject: deviceName(*a.Device), URL: "/devices/" + a.Device.ID, PropertyName: a.PropertyName}
	b.When, b.WhenISO = localTimes(&a.At, a.Loc)
	id := strconv.FormatInt(a.ActivityID, 10)
	switch {
	case a.Kind == db.AlertLowBattery:
		b.ID, b.Kind, b.Detail = id+"-battery", views.AlertLowBattery, "Battery "+strconv.Itoa(a.Battery)+"%"
	case a.Cleared:
		b.ID, b.Kind, b.Cleared = id+"-"+a.Kind+"-cleared", a.Kind, true
	default:
		b.ID, b.Kind, b.Detail = id+"-"+a.Kind, a.Kind, alertLabels[a.Kind]
	}
	return b
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
