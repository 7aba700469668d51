package alerts

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/mirror"
)

// Synced is the mirror's after-sync hook (mirror.Syncer.AfterSync): the upstream's word on every device and hub.
func (s *Service) Synced(ctx context.Context) {
	if err := s.Reconcile(ctx); err != nil && ctx.Err() == nil {
		s.logger.Error("alerts: reconcile after sync", slog.Any("err", err))
	}
}

// Reconcile brings the records in line with the mirror: each condition a device or hub shows has its alert (a
// re-read, not a repeat: no flap is counted), and each unresolved alert whose condition the mirror shows over, or
// whose hub or device is gone, is resolved.
func (s *Service) Reconcile(ctx context.Context) error {
	settings, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	devices, err := s.store.DevicesForAlerts(ctx, maxLowBattery)
	if err != nil {
		return err
	}
	unresolved, err := s.store.UnresolvedAlerts(ctx)
	if err != nil {
		return err
	}
	byID := make(map[string]db.Device, len(devices))
	for _, d := range devices {
		byID[d.ID] = d
	}
	var errs []error
	for _, d := range devices {
		found, _ := deviceConditions(d, settings.For(d.PropertyID))
		for _, c := range found {
			errs = append(errs, s.raise(ctx, db.AlertRaise{Kind: c.kind, PropertyID: d.PropertyID, HubID: d.HubID,
				DeviceID: d.ID, Detail: c.detail, At: s.Now()}))
		}
	}
	for _, a := range unresolved {
		if a.DeviceID == "" {
			continue
		}
		d, ok := byID[a.DeviceID]
		if !ok { // not a candidate: it shows no condition, or it is gone
			if d, ok, err = s.device(ctx, a.DeviceID); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if ok {
			found, known := deviceConditions(d, settings.For(d.PropertyID))
			if _, still := findCondition(found, a.Kind); still || !slices.Contains(known, a.Kind) {
				continue
			}
		}
		errs = append(errs, s.clear(ctx, a.HubID, a.DeviceID, a.Kind))
	}
	errs = append(errs, s.checkHubs(ctx, settings))
	return errors.Join(errs...)
}

// CheckHubs opens the alerts of hubs offline past their grace and resolves those of hubs back online or gone.
func (s *Service) CheckHubs(ctx context.Context) error {
	settings, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	return s.checkHubs(ctx, settings)
}

func (s *Service) checkHubs(ctx context.Context, settings Settings) error {
	offline, err := s.store.OfflineHubs(ctx)
	if err != nil {
		return err
	}
	down := map[string]bool{}
	var errs []error
	for _, h := range offline {
		down[h.ID] = true
		errs = append(errs, s.hubDown(ctx, h, settings.For(h.PropertyID), s.Now()))
	}
	pending, err := s.store.PendingAlerts(ctx, db.AlertHubOffline)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	unresolved, err := s.store.UnresolvedAlerts(ctx)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, p := range pending {
		if !down[p.HubID] {
			errs = append(errs, s.store.UnpendAlert(ctx, p.HubID, "", db.AlertHubOffline))
		}
	}
	for _, a := range unresolved {
		if a.Kind == db.AlertHubOffline && !down[a.HubID] {
			errs = append(errs, s.clear(ctx, a.HubID, "", db.AlertHubOffline))
		}
	}
	return errors.Join(errs...)
}

// hubDown handles an offline hub: an alert once it has been offline for its grace, pending until then. since is
// when it was seen offline, if it is not pending already.
func (s *Service) hubDown(ctx context.Context, h db.Hub, lim Limits, since time.Time) error {
	if _, err := s.store.UnresolvedAlert(ctx, h.ID, "", db.AlertHubOffline); err == nil {
		return nil // already an alert: a re-read is no news
	} else if !errors.Is(err, db.ErrNotFound) {
		return err
	}
	first := since
	if lim.OfflineGrace > 0 {
		var err error
		if first, err = s.store.PendAlert(ctx, h.ID, "", db.AlertHubOffline, since); err != nil {
			return err
		}
		if s.Now().Sub(first) < lim.OfflineGrace {
			return nil
		}
	}
	if err := s.raise(ctx, db.AlertRaise{Kind: db.AlertHubOffline, PropertyID: h.PropertyID, HubID: h.ID,
		Detail: "Offline since " + first.UTC().Format(time.RFC3339), At: s.Now()}); err != nil {
		return err
	}
	return s.store.UnpendAlert(ctx, h.ID, "", db.AlertHubOffline)
}

// hubOffline handles a hub's offline event: pending, or an alert when its grace is zero. A repeat of the event
// while the alert is open counts as a flap.
func (s *Service) hubOffline(ctx context.Context, hubID string, at time.Time) error {
	h, err := s.store.Hub(ctx, hubID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if a, err := s.store.UnresolvedAlert(ctx, hubID, "", db.AlertHubOffline); err == nil {
		return s.raise(ctx, db.AlertRaise{Kind: a.Kind, PropertyID: h.PropertyID, HubID: hubID, At: at, Repeat: true})
	}
	settings, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	if at.IsZero() || at.After(s.Now()) {
		at = s.Now()
	}
	return s.hubDown(ctx, h, settings.For(h.PropertyID), at)
}

// hubOnline handles a hub heard from: whatever it waited for or raised is over.
func (s *Service) hubOnline(ctx context.Context, hubID string) error {
	if hubID == "" {
		return nil
	}
	if err := s.clear(ctx, hubID, "", db.AlertHubOffline); err != nil {
		return err
	}
	pending, err := s.store.PendingAlerts(ctx, db.AlertHubOffline)
	if err != nil {
		return err
	}
	for _, p := range pending {
		if p.HubID == hubID {
			return s.store.UnpendAlert(ctx, hubID, "", db.AlertHubOffline)
		}
	}
	return nil
}

// HubSilent is the heartbeat watchdog's news (mirror.SilenceNotifier): the hub is offline since it went silent.
func (s *Service) HubSilent(ctx context.Context, sl mirror.Silence) {
	since := sl.At.Add(-sl.Grace)
	if err := s.hubOffline(ctx, sl.Hub.ID, since); err != nil && ctx.Err() == nil {
		s.logger.Error("alerts: silent hub", slog.String("hub_id", sl.Hub.ID), slog.Any("err", err))
	}
}

var _ mirror.SilenceNotifier = (*Service)(nil)
