package notify

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
)

// AlertNotifier is the Dispatcher as domain/alerts' Notifier: it is told of alert records and reads their names
// (property, device, who acknowledged) and the property's zone before it decides, so a message names things as the
// pages do.
type AlertNotifier struct{ d *Dispatcher }

// ForAlerts returns the Dispatcher as domain/alerts' Notifier.
func (d *Dispatcher) ForAlerts() AlertNotifier { return AlertNotifier{d} }

// Opened implements alerts.Notifier.
func (n AlertNotifier) Opened(ctx context.Context, a db.Alert) {
	if v, ok := n.view(ctx, a); ok {
		n.d.Opened(ctx, v)
	}
}

// Acknowledged implements alerts.Notifier.
func (n AlertNotifier) Acknowledged(ctx context.Context, a db.Alert) {
	if v, ok := n.view(ctx, a); ok {
		n.d.Acknowledged(ctx, v)
	}
}

// Resolved implements alerts.Notifier.
func (n AlertNotifier) Resolved(ctx context.Context, a db.Alert) {
	if v, ok := n.view(ctx, a); ok {
		n.d.Resolved(ctx, v)
	}
}

func (n AlertNotifier) view(ctx context.Context, a db.Alert) (Alert, bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	v, err := n.d.store.AlertView(ctx, a.ID)
	if err != nil {
		n.d.logger.Error("notify: read alert", slog.Int64("alert_id", a.ID), slog.Any("err", err))
		return Alert{}, false
	}
	// The record as the caller changed it wins over the read, which another writer may have overtaken.
	v.Alert = a
	return FromRecord(v), true
}

// FromRecord is an alert record as the channels see it.
func FromRecord(v db.AlertView) Alert {
	out := Alert{ID: v.ID, Kind: v.Kind, Severity: v.Severity, State: v.State, HubID: v.HubID, DeviceID: v.DeviceID,
		PropertyName: v.PropertyName, DeviceName: v.DeviceName, Detail: v.Detail, Zone: v.TimeZone,
		OpenedAt: v.OpenedAt, AcknowledgedBy: v.AcknowledgedByName, AckNote: v.AckNote}
	if v.PropertyID != nil {
		out.PropertyID = strconv.FormatInt(*v.PropertyID, 10)
	}
	if out.DeviceName == "" && v.DeviceID == "" {
		out.DeviceName = v.HubName
	}
	if v.AcknowledgedAt != nil {
		out.AcknowledgedAt = *v.AcknowledgedAt
	}
	if v.ResolvedAt != nil {
		out.ResolvedAt = *v.ResolvedAt
	}
	return out
}
