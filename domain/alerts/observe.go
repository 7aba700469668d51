package alerts

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/smarthome"
)

// alarms are the events that raise or clear a device alarm, and whether they raise it.
var alarms = map[smarthome.EventKind]struct {
	kind  string
	raise bool
}{
	smarthome.KindLeakDetected:  {db.AlertLeak, true},
	smarthome.KindLeakCleared:   {db.AlertLeak, false},
	smarthome.KindSmokeDetected: {db.AlertSmoke, true},
	smarthome.KindSmokeCleared:  {db.AlertSmoke, false},
	smarthome.KindDeviceTamper:  {db.AlertTamper, true},
	smarthome.KindLockJammed:    {db.AlertJammed, true},
	smarthome.KindLockLocked:    {db.AlertJammed, false}, // the bolt moved: no longer jammed
	smarthome.KindLockUnlocked:  {db.AlertJammed, false},
}

// Observe is the webhook receiver's observer (observe.Observers): each stored delivery that reports a condition
// opens its alert or counts a flap, and each that reports it over resolves it. It runs after the commit, on the
// receiver's (or the projector's) goroutine: an event that concerns no alert costs nothing, a clearing event a read.
// A failure is logged: the next sync reconciles what the mirror says.
func (s *Service) Observe(ctx context.Context, ob observe.Observation) {
	if err := s.observe(ctx, ob); err != nil && ctx.Err() == nil {
		s.logger.Error("alerts: observation", slog.Int64("activity_id", ob.ActivityID), slog.String("kind", ob.Kind),
			slog.Any("err", err))
	}
}

func (s *Service) observe(ctx context.Context, ob observe.Observation) error {
	kind := smarthome.EventKind(ob.Kind)
	switch kind {
	case smarthome.KindHubOffline:
		return s.hubOffline(ctx, ob.HubID, ob.At)
	case smarthome.KindHubOnline, smarthome.KindHubHeartbeat:
		return s.hubOnline(ctx, ob.HubID)
	}
	if ob.DeviceID == "" || ob.HubID == "" {
		return nil
	}
	if al, ok := alarms[kind]; ok {
		if !al.raise {
			return s.clear(ctx, ob.HubID, ob.DeviceID, al.kind)
		}
		dev, ok, err := s.device(ctx, ob.DeviceID)
		if err != nil || !ok {
			return err
		}
		return s.raise(ctx, db.AlertRaise{Kind: al.kind, PropertyID: dev.PropertyID, HubID: dev.HubID, DeviceID: dev.ID,
			Detail: alarmDetail[al.kind], At: ob.At, Repeat: true})
	}
	n, err := strconv.Atoi(strings.TrimSpace(ob.Details))
	if err != nil || (kind != smarthome.KindDeviceLowBattery && kind != smarthome.KindThermostatTemperature) {
		return nil
	}
	dev, ok, err := s.device(ctx, ob.DeviceID)
	if err != nil || !ok {
		return err
	}
	settings, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	lim := settings.For(dev.PropertyID)
	var found []condition
	if kind == smarthome.KindDeviceLowBattery {
		found = batteryConditions(n, lim)
		return s.apply(ctx, dev, found, []string{db.AlertLowBattery}, ob)
	}
	found = temperatureConditions(n, lim)
	return s.apply(ctx, dev, found, []string{db.AlertTemperatureHigh, db.AlertTemperatureLow}, ob)
}

// apply raises the conditions found (as repeats: each webhook is a new report) and clears the other kinds of
// those considered.
func (s *Service) apply(ctx context.Context, dev db.Device, found []condition, considered []string, ob observe.Observation) error {
	var errs []error
	for _, k := range considered {
		c, ok := findCondition(found, k)
		if ok {
			errs = append(errs, s.raise(ctx, db.AlertRaise{Kind: k, PropertyID: dev.PropertyID, HubID: dev.HubID,
				DeviceID: dev.ID, Detail: c.detail, At: ob.At, Repeat: true}))
			continue
		}
		errs = append(errs, s.clear(ctx, dev.HubID, dev.ID, k))
	}
	return errors.Join(errs...)
}

// device reads a device from the mirror; ok is false for one it does not know (nothing to attach an alert to).
func (s *Service) device(ctx context.Context, id string) (db.Device, bool, error) {
	dev, err := s.store.Device(ctx, id)
	if errors.Is(err, db.ErrNotFound) {
		return db.Device{}, false, nil
	}
	return dev, err == nil, err
}
