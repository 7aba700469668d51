package handlers

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// commandListSize is how many recent records a commands section shows.
const commandListSize = 10

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
	card := views.CommandCardData{ID: strconv.FormatInt(c.ID, 10), Label: commands.ParseSpec(c.Command).Label(),
		Status: c.Status, By: c.UserEmail, Reason: c.Reason, Result: c.Result}
	card.Sent, card.SentISO = localTimes(&c.CreatedAt, loc)
	card.Finished, card.FinishedISO = localTimes(c.ConfirmedAt, loc)
	return card
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
