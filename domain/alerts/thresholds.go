package alerts

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
)

// Limits are the thresholds in force for one property.
type Limits struct {
	LowBatteryPercent int // a battery below this is low
	OfflineGrace      time.Duration
	TempHighF         int // a room above this is too hot
	TempLowF          int // a room below this is too cold
}

// Defaults are the built-in limits, in force until an admin sets others. A battery below 20% has weeks left; a
// hub that drops offline is an alert at once, since the heartbeat watchdog has already waited three missed beats;
// a vacant home above 90 °F or below 45 °F risks damage (heat, frozen pipes).
var Defaults = Limits{LowBatteryPercent: 20, OfflineGrace: 0, TempHighF: 90, TempLowF: 45}

// Range is the allowed interval of a threshold, inclusive.
type Range struct{ Min, Max int }

// Allowed ranges; migrations/*/0014_alerts.sql repeats them as CHECKs.
var (
	LowBatteryRange   = Range{5, 50}
	OfflineGraceRange = Range{0, 1440} // minutes: up to a day
	TempHighRange     = Range{60, 120}
	TempLowRange      = Range{20, 70}
)

// maxLowBattery bounds the devices a reconcile must look at: no limit can be above it.
var maxLowBattery = LowBatteryRange.Max

// Thresholds are the values of one row of settings: nil inherits.
type Thresholds struct {
	LowBatteryPercent *int
	OfflineGraceMin   *int
	TempHighF         *int
	TempLowF          *int
}

// FieldErrors maps a threshold's form field (low_battery, offline_grace, temp_high, temp_low) to what is wrong.
type FieldErrors map[string]string

func (f FieldErrors) Error() string { return fmt.Sprintf("alerts: %d invalid thresholds", len(f)) }

// Validate checks each value against its range and, with the values inherited for the fields left empty, that
// too cold is below too hot.
func (t Thresholds) Validate(inherited Limits) FieldErrors {
	errs := FieldErrors{}
	check := func(field, what string, v *int, r Range) {
		if v != nil && (*v < r.Min || *v > r.Max) {
			errs[field] = what + " must be between " + strconv.Itoa(r.Min) + " and " + strconv.Itoa(r.Max) + "."
		}
	}
	check("low_battery", "The low-battery level", t.LowBatteryPercent, LowBatteryRange)
	check("offline_grace", "The offline grace", t.OfflineGraceMin, OfflineGraceRange)
	check("temp_high", "Too hot", t.TempHighF, TempHighRange)
	check("temp_low", "Too cold", t.TempLowF, TempLowRange)
	eff := t.over(inherited)
	if errs["temp_high"] == "" && errs["temp_low"] == "" && eff.TempLowF >= eff.TempHighF {
		errs["temp_low"] = "Too cold (" + strconv.Itoa(eff.TempLowF) + " °F) must be below too hot (" +
			strconv.Itoa(eff.TempHighF) + " °F)."
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// over is l with t's set values in place of its own.
func (t Thresholds) over(l Limits) Limits {
	if t.LowBatteryPercent != nil {
		l.LowBatteryPercent = *t.LowBatteryPercent
	}
	if t.OfflineGraceMin != nil {
		l.OfflineGrace = time.Duration(*t.OfflineGraceMin) * time.Minute
	}
	if t.TempHighF != nil {
		l.TempHighF = *t.TempHighF
	}
	if t.TempLowF != nil {
		l.TempLowF = *t.TempLowF
	}
	return l
}

// Settings are every row of thresholds as stored: the global one and each property's overrides.
type Settings struct {
	Global    Thresholds
	Overrides map[int64]Thresholds
}

// For returns the limits in force for a property (nil: an unassigned hub or device, which gets the global ones).
func (s Settings) For(propertyID *int64) Limits {
	l := s.Global.over(Defaults)
	if propertyID != nil {
		if o, ok := s.Overrides[*propertyID]; ok {
			l = o.over(l)
		}
	}
	return l
}

// Settings reads every row of thresholds.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	rows, err := s.store.ListAlertThresholds(ctx)
	if err != nil {
		return Settings{}, err
	}
	out := Settings{Overrides: map[int64]Thresholds{}}
	for _, r := range rows {
		t := Thresholds{LowBatteryPercent: r.LowBatteryPercent, OfflineGraceMin: r.OfflineGraceMin,
			TempHighF: r.TempHighF, TempLowF: r.TempLowF}
		if r.PropertyID == db.GlobalThresholds {
			out.Global = t
		} else {
			out.Overrides[r.PropertyID] = t
		}
	}
	return out, nil
}

// SetThresholds validates and stores the global thresholds (propertyID db.GlobalThresholds) or a property's
// overrides, then re-reads the mirror against them, so a changed limit opens or resolves alerts at once. An invalid
// value is FieldErrors and nothing is stored.
func (s *Service) SetThresholds(ctx context.Context, propertyID int64, t Thresholds, by int64) error {
	cur, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	inherited := Defaults
	if propertyID != db.GlobalThresholds {
		inherited = cur.Global.over(Defaults)
	}
	if errs := t.Validate(inherited); errs != nil {
		return errs
	}
	if propertyID == db.GlobalThresholds { // every override must still make sense over the new defaults
		for pid, o := range cur.Overrides {
			if errs := o.Validate(t.over(Defaults)); errs != nil {
				return FieldErrors{"temp_low": "Property " + strconv.FormatInt(pid, 10) +
					" overrides one temperature limit, and with these defaults its too cold would not be below its too hot."}
			}
		}
	}
	row := db.AlertThresholds{PropertyID: propertyID, LowBatteryPercent: t.LowBatteryPercent, OfflineGraceMin: t.OfflineGraceMin,
		TempHighF: t.TempHighF, TempLowF: t.TempLowF, UpdatedAt: s.Now(), UpdatedBy: &by}
	if err := s.store.SetAlertThresholds(ctx, row); err != nil {
		return err
	}
	return s.Reconcile(ctx)
}

// ClearThresholds puts a property back on the global thresholds; one without overrides is not an error.
func (s *Service) ClearThresholds(ctx context.Context, propertyID int64) error {
	if err := s.store.DeleteAlertThresholds(ctx, propertyID); err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	return s.Reconcile(ctx)
}

func ignoreNotFound(err error) error {
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	return err
}
