package handlers

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/handlers/live"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// commandListSize is how many recent records a commands section shows.
const commandListSize = 10

// commandNotifier re-renders what a command's progress changes (its list, the device's state panel, the hub's
// MQTT panel) and publishes it as a kindState live event, after the database commit. No PIN or master code is
// ever part of what it renders.
type commandNotifier struct {
	logger *slog.Logger
	store  *db.Store
	broker *live.Broker
}

func (d Deps) commandNotifier() commandNotifier {
	return commandNotifier{logger: d.Logger, store: d.Store, broker: d.Broker}
}

// commandZone is where a command's times are shown: the property's zone, else the hub's, else UTC.
func commandZone(ctx context.Context, store *db.Store, hubID string, propertyID *int64) *time.Location {
	if propertyID != nil {
		if p, err := store.Property(ctx, *propertyID); err == nil && p.TimeZone != "" {
			return tz.Load(p.TimeZone)
		}
	}
	if h, err := store.Hub(ctx, hubID); err == nil {
		return tz.Load(h.TimeZone)
	}
	return time.UTC
}

// commandList reads the recent records of a device (deviceID set) or the hub-level records of a hub.
func commandList(ctx context.Context, store *db.Store, hubID, deviceID string, loc *time.Location) (views.CommandListData, error) {
	l := views.CommandListData{Target: "hub", ID: hubID}
	var recs []db.Command
	var err error
	if deviceID != "" {
		l.Target, l.ID = "device", deviceID
		recs, err = store.DeviceCommands(ctx, deviceID, commandListSize)
	} else {
		recs, err = store.HubCommands(ctx, hubID, commandListSize)
	}
	if err != nil {
		return l, err
	}
	for _, c := range recs {
		l.Cards = append(l.Cards, commandCard(c, loc))
	}
	return l, nil
}

func commandCard(c db.Command, loc *time.Location) views.CommandCardData {
	card := views.CommandCardData{ID: strconv.FormatInt(c.ID, 10), Label: parseSpec(c.Command).label(),
		Status: c.Status, By: c.UserEmail, Reason: c.Reason, Result: c.Result}
	card.Sent, card.SentISO = localTimes(&c.CreatedAt, loc)
	card.Finished, card.FinishedISO = localTimes(c.ConfirmedAt, loc)
	return card
}

// listChanged publishes the re-rendered list of the record's device or hub.
func (n commandNotifier) listChanged(ctx context.Context, c db.Command) {
	if n.broker == nil {
		return
	}
	l, err := commandList(ctx, n.store, c.HubID, c.DeviceID, commandZone(ctx, n.store, c.HubID, c.PropertyID))
	if err != nil {
		n.logger.Warn("command list for live update", slog.Int64("command_id", c.ID), slog.Any("err", err))
		return
	}
	n.publish(ctx, l.EventName(), views.CommandCards(l), c.PropertyID, c.HubID, c.DeviceID)
}

// deviceChanged publishes the device's re-rendered state panel, under the event name the panel listens for (its
// DOM id), as the webhook receiver does.
func (n commandNotifier) deviceChanged(ctx context.Context, dev db.Device) {
	if n.broker == nil {
		return
	}
	st := deviceState(dev, commandZone(ctx, n.store, dev.HubID, dev.PropertyID))
	n.publish(ctx, st.DOMID(), views.DeviceState(st), dev.PropertyID, dev.HubID, dev.ID)
}

// mqttChanged publishes the hub's re-rendered MQTT panel.
func (n commandNotifier) mqttChanged(ctx context.Context, hub db.Hub, m *smarthome.MQTTResponse) {
	if n.broker == nil {
		return
	}
	loc := commandZone(ctx, n.store, hub.ID, hub.PropertyID)
	n.publish(ctx, views.MQTTEventName(hub.ID), views.MQTTPanel(mqttData(hub.ID, m, nil, loc)), hub.PropertyID, hub.ID, "")
}

func (n commandNotifier) publish(ctx context.Context, name string, c templ.Component, propertyID *int64, hubID, deviceID string) {
	var buf bytes.Buffer
	if err := c.Render(ctx, &buf); err != nil {
		n.logger.Error("render live update", slog.String("event", name), slog.Any("err", err))
		return
	}
	ev := live.Event{Name: name, Data: buf.Bytes(), HubID: hubID, DeviceID: deviceID, Kind: kindState}
	if propertyID != nil {
		ev.PropertyID = *propertyID
	}
	n.broker.Publish(ev)
}

// mqttData maps a hub's MQTT response (or the error reading it) onto the panel; a 404 means no answer yet.
func mqttData(hubID string, m *smarthome.MQTTResponse, err error, loc *time.Location) views.MQTTData {
	d := views.MQTTData{HubID: hubID}
	switch {
	case errors.Is(err, smarthome.ErrNotFound):
		return d
	case err != nil:
		_, d.Error = classify(err)
		return d
	case m == nil:
		return d
	}
	d.Known, d.Command, d.CommandID, d.Status, d.Message = true, m.Command, m.CommandID, m.Response.Status, m.Response.Message
	d.Received, d.ReceivedISO = localTimes(&m.ReceivedAt, loc)
	return d
}
