package handlers

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/handlers/live"
	"github.com/keyless/dashboard/views"
)

// lockCodePush renders a code's changed per-lock states and publishes them to the pages showing them.
type lockCodePush struct {
	logger *slog.Logger
	store  *db.Store
	broker *live.Broker // nil: nothing is pushed
}

// NewLockCodePush is the lock-code service's access.Notifier: the open pages' code rows follow each lock's state
// live. The fragment carries the state only: no PIN, no code name.
func NewLockCodePush(logger *slog.Logger, store *db.Store, broker *live.Broker) access.Notifier {
	return &lockCodePush{logger: logger, store: store, broker: broker}
}

// CodeChanged pushes the per-lock states of c that changed, one event per lock.
func (p *lockCodePush) CodeChanged(ctx context.Context, c db.LockCode, changed []db.LockCodeDevice) {
	if p.broker == nil {
		return
	}
	prop, _ := p.store.Property(ctx, c.PropertyID)
	loc := tz.Load(prop.TimeZone)
	for _, dv := range changed {
		st := lcStatusData(c.ID, dv, "", loc)
		if dv.Status == db.LockCodeFailed { // the row's actions must now offer Retry, for whoever may use it
			st.ActionsURL = "/lock-codes/" + url.PathEscape(c.ID) + "/actions"
		}
		var buf bytes.Buffer
		if err := views.LockCodeStatusBody(st).Render(ctx, &buf); err != nil {
			p.logger.Error("render lock-code state", slog.String("code_id", c.ID), slog.Any("err", err))
			return
		}
		hubID := ""
		if dev, err := p.store.Device(ctx, dv.DeviceID); err == nil {
			hubID = dev.HubID
		}
		p.broker.Publish(live.Event{Name: st.EventName(), Data: buf.Bytes(), PropertyID: c.PropertyID,
			HubID: hubID, DeviceID: dv.DeviceID, Kind: kindState})
	}
}
