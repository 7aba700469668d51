package handlers

import (
	"bytes"
	"context"
	"log/slog"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/handlers/live"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// commandNotifier is the commands.Notifier of the open pages: it re-renders what a command's progress changes (its
// list, the device's state panel, the hub's MQTT panel) and publishes it as a kindState live event, after the
// database commit. No PIN or master code is ever part of what it renders.
type commandNotifier struct {
	logger *slog.Logger
	store  *db.Store
	broker *live.Broker
}

// NewCommandNotifier returns what tells the open pages about a command's progress through broker (nil: nobody),
// for the commands.Tracker cmd/web builds.
func NewCommandNotifier(logger *slog.Logger, store *db.Store, broker *live.Broker) commands.Notifier {
	return commandNotifier{logger: logger, store: store, broker: broker}
}

func (d Deps) commandNotifier() commandNotifier {
	return commandNotifier{logger: d.Logger, store: d.Store, broker: d.Broker}
}

// ListChanged publishes the re-rendered list of the record's device or hub.
func (n commandNotifier) ListChanged(ctx context.Context, c db.Command) {
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

// DeviceChanged publishes the device's re-rendered state panel, under the event name the panel listens for (its
// DOM id), as the webhook receiver does.
func (n commandNotifier) DeviceChanged(ctx context.Context, dev db.Device) {
	if n.broker == nil {
		return
	}
	st := deviceState(dev, commandZone(ctx, n.store, dev.HubID, dev.PropertyID))
	n.publish(ctx, st.DOMID(), views.DeviceState(st), dev.PropertyID, dev.HubID, dev.ID)
}

// MQTTChanged publishes the hub's re-rendered MQTT panel.
func (n commandNotifier) MQTTChanged(ctx context.Context, hub db.Hub, m *smarthome.MQTTResponse) {
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
