package mirror

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

// Silence is a hub the watchdog marked offline, as the open pages are told it.
type Silence struct {
	Hub          db.Hub         // as it is now: offline
	PropertyName string         // its property's name; "" when it has none
	Loc          *time.Location // the property's zone, else the hub's
	At           time.Time      // when the watchdog marked it
	Grace        time.Duration  // how long it was silent at least
}

// SilenceNotifier tells the open pages that a hub went silent: its status card and a banner. handlers renders and
// pushes them.
type SilenceNotifier interface {
	HubSilent(ctx context.Context, s Silence)
}

// SilenceNotifiers tells each of its notifiers in turn; nil entries are skipped.
type SilenceNotifiers []SilenceNotifier

// HubSilent tells every notifier.
func (ns SilenceNotifiers) HubSilent(ctx context.Context, s Silence) {
	for _, n := range ns {
		if n != nil {
			n.HubSilent(ctx, s)
		}
	}
}

// Watchdog debounces hub connectivity from heartbeats: a hub whose heartbeats (or online events) stop arriving
// for the grace period is marked offline in the mirror, which puts it on the home page's alerts and pushes a banner
// and its status card to open pages. Its next heartbeat brings it back. Hubs that never sent a heartbeat by webhook
// are left to the sync and to explicit offline webhooks.
type Watchdog struct {
	store  *db.Store
	logger *slog.Logger
	grace  time.Duration
	notify SilenceNotifier

	// Now is the watchdog's clock; tests move it past the grace period.
	Now func() time.Time
}

// NewWatchdog returns a watchdog with the given grace period (≤ 0: DefaultHeartbeatGrace). notify may be nil: the
// hubs are marked all the same, and nobody is told.
func NewWatchdog(store *db.Store, logger *slog.Logger, grace time.Duration, notify SilenceNotifier) *Watchdog {
	if grace <= 0 {
		grace = DefaultHeartbeatGrace
	}
	return &Watchdog{store: store, logger: logger, grace: grace, notify: notify, Now: time.Now}
}

// Run checks every sixth of the grace period until ctx ends.
func (w *Watchdog) Run(ctx context.Context) {
	t := time.NewTicker(w.grace / 6)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := w.Check(ctx); err != nil && ctx.Err() == nil {
			w.logger.Error("hub heartbeat check failed", slog.Any("err", err))
		}
	}
}

// Check marks the silent hubs offline now and announces each; it returns how many it marked.
func (w *Watchdog) Check(ctx context.Context) (int, error) {
	hubs, err := w.store.SilenceHubs(ctx, w.Now().Add(-w.grace))
	if err != nil {
		return 0, err
	}
	for _, h := range hubs {
		w.logger.Warn("hub silent: marked offline", slog.String("hub_id", h.ID), slog.Duration("grace", w.grace))
		if w.notify == nil {
			continue
		}
		zone, name := h.TimeZone, ""
		if h.PropertyID != nil {
			p, err := w.store.Property(ctx, *h.PropertyID)
			if err != nil && !errors.Is(err, db.ErrNotFound) {
				return len(hubs), err
			}
			name = p.Name
			if p.TimeZone != "" {
				zone = p.TimeZone
			}
		}
		w.notify.HubSilent(ctx, Silence{Hub: h, PropertyName: name, Loc: tz.Load(zone), At: w.Now(), Grace: w.grace})
	}
	return len(hubs), nil
}
