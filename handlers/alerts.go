package handlers

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
)

// DefaultHeartbeatGrace is how long a hub that sends heartbeats by webhook may stay silent before it counts as
// offline: three missed beats of the upstream's 60-second heartbeat. One late beat does not flap it.
const DefaultHeartbeatGrace = 3 * time.Minute

// HubWatchdog debounces hub connectivity from heartbeats: a hub whose heartbeats (or online events) stop arriving
// for the grace period is marked offline in the mirror, which puts it on the home page's alerts and pushes a banner
// and its status card to open pages. Its next heartbeat brings it back. Hubs that never sent a heartbeat by webhook
// are left to the sync and to explicit offline webhooks.
type HubWatchdog struct {
	d     Deps
	grace time.Duration
	now   func() time.Time
}

// NewHubWatchdog returns a watchdog with the given grace period (≤ 0: DefaultHeartbeatGrace).
func NewHubWatchdog(d Deps, grace time.Duration) *HubWatchdog {
	if grace <= 0 {
		grace = DefaultHeartbeatGrace
	}
	return &HubWatchdog{d: d, grace: grace, now: time.Now}
}

// Run checks every sixth of the grace period until ctx ends.
func (w *HubWatchdog) Run(ctx context.Context) {
	t := time.NewTicker(w.grace / 6)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := w.Check(ctx); err != nil && ctx.Err() == nil {
			w.d.Logger.Error("hub heartbeat check failed", slog.Any("err", err))
		}
	}
}

// Check marks the silent hubs offline now and announces each; it returns how many it marked.
func (w *HubWatchdog) Check(ctx context.Context) (int, error) {
	hubs, err := w.d.Store.SilenceHubs(ctx, w.now().Add(-w.grace))
	if err != nil {
		return 0, err
	}
	for _, h := range hubs {
		w.d.Logger.Warn("hub silent: marked offline", slog.String("hub_id", h.ID), slog.Duration("grace", w.grace))
		if w.d.Broker == nil {
			continue
		}
		zone, name := h.TimeZone, ""
		if h.PropertyID != nil {
			p, err := w.d.Store.Property(ctx, *h.PropertyID)
			if err != nil && !errors.Is(err, db.ErrNotFound) {
				return len(hubs), err
			}
			name = p.Name
			if p.TimeZone != "" {
				zone = p.TimeZone
			}
		}
		loc := tz.Load(zone)
		publishHubStatus(ctx, w.d, h, loc)
		b := hubBanner(h, name, w.now(), loc)
		b.Detail = "No heartbeat for " + w.grace.String()
		publishBanner(ctx, w.d, b, h.PropertyID, h.ID, "")
	}
	return len(hubs), nil
}
