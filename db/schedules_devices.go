package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

type deviceScheduleRow struct {
	DeviceID    string         `db:"device_id"`
	ActiveID    sql.NullString `db:"active_schedule_id"`
	ActivatedAt sql.NullInt64  `db:"activated_at"`
	SyncedAt    int64          `db:"synced_at"`
}

// upsertDeviceScheduleSQL records a device's active schedule. A NULL activated_at keeps the known activation
// time while the active schedule stays the same (a refresh from the upstream does not say when it was activated).
const upsertDeviceScheduleSQL = `INSERT INTO device_schedules (device_id, active_schedule_id, activated_at, synced_at)
	VALUES (?, ?, ?, ?)
	ON CONFLICT (device_id) DO UPDATE SET
		activated_at = CASE
			WHEN excluded.activated_at IS NOT NULL THEN excluded.activated_at
			WHEN device_schedules.active_schedule_id IS NOT DISTINCT FROM excluded.active_schedule_id THEN device_schedules.activated_at
			ELSE NULL END,
		active_schedule_id = excluded.active_schedule_id,
		synced_at = excluded.synced_at`

// DeviceScheduleState returns what the mirror knows of a device's schedules, or ErrNotFound when its schedules
// were never read.
func (s *Store) DeviceScheduleState(ctx context.Context, deviceID string) (DeviceSchedule, error) {
	var r deviceScheduleRow
	err := s.r.GetContext(ctx, &r, `SELECT device_id, active_schedule_id, activated_at, synced_at
		FROM device_schedules WHERE device_id = ?`, deviceID)
	if err != nil {
		return DeviceSchedule{}, fmt.Errorf("db: schedules of device %s: %w", deviceID, notFound(err))
	}
	return DeviceSchedule{DeviceID: r.DeviceID, ActiveID: r.ActiveID.String, ActivatedAt: fromNullMS(r.ActivatedAt),
		SyncedAt: fromMS(r.SyncedAt)}, nil
}

// SetActiveSchedule records that the device runs scheduleID since at, after the upstream activated it. An unknown
// device or schedule is ErrNotFound.
func (s *Store) SetActiveSchedule(ctx context.Context, deviceID, scheduleID string, at time.Time) error {
	_, err := s.w.ExecContext(ctx, upsertDeviceScheduleSQL, deviceID, scheduleID, ms(at), ms(at))
	if isForeignKey(err) {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("db: activate schedule %s on device %s: %w", scheduleID, deviceID, err)
	}
	return nil
}

// DevicesRunning returns the ids of the mirrored devices whose active schedule is scheduleID, sorted.
func (s *Store) DevicesRunning(ctx context.Context, scheduleID string) ([]string, error) {
	ids := []string{}
	if err := s.r.SelectContext(ctx, &ids, `SELECT device_id FROM device_schedules
		WHERE active_schedule_id = ? ORDER BY device_id`, scheduleID); err != nil {
		return nil, fmt.Errorf("db: devices running schedule %s: %w", scheduleID, err)
	}
	return ids, nil
}

// DeviceScheduleSet is everything the upstream said about one device's schedules at one time.
type DeviceScheduleSet struct {
	DeviceID    string
	DeviceType  string
	PropertyID  *int64     // the device's property: which mirrored schedules the set replaces
	Schedules   []Schedule // every schedule that fits the device
	ActiveID    string     // "" for none
	ActivatedAt *time.Time // nil: unknown (kept when the active schedule did not change)
	At          time.Time  // when the upstream was read; zero means now
}

// ReplaceDeviceSchedules makes the mirror agree with set in one transaction: it upserts every schedule of the
// set, deletes the mirrored schedules that fit the device but are no longer upstream, and records the active
// one. Schedules of a property the mirror does not have yet are skipped (the next sync brings the property).
// An unknown device is ErrNotFound.
func (s *Store) ReplaceDeviceSchedules(ctx context.Context, set DeviceScheduleSet) error {
	at := nowOr(set.At)
	err := s.inTx(ctx, func(tx *dbTx) error {
		keep := map[string]bool{}
		for _, sc := range set.Schedules {
			if sc.PropertyID != nil {
				var n int
				if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM properties WHERE id = ?`, *sc.PropertyID); err != nil {
					return err
				}
				if n == 0 {
					continue
				}
			}
			sc.SyncedAt = at
			args, err := sc.upsertArgs()
			if err != nil {
				return fmt.Errorf("schedule %s: %w", sc.ID, err)
			}
			if _, err := tx.ExecContext(ctx, upsertScheduleSQL, args...); err != nil {
				return fmt.Errorf("schedule %s: %w", sc.ID, err)
			}
			keep[sc.ID] = true
		}
		if err := deleteVanishedSchedules(ctx, tx, set, keep); err != nil {
			return err
		}
		active := sql.NullString{String: set.ActiveID, Valid: set.ActiveID != "" && keep[set.ActiveID]}
		_, err := tx.ExecContext(ctx, upsertDeviceScheduleSQL, set.DeviceID, active, nullMS(set.ActivatedAt), ms(at))
		if isForeignKey(err) {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("db: replace schedules of device %s: %w", set.DeviceID, err)
	}
	return nil
}

// deleteVanishedSchedules deletes the mirrored schedules that fit the set's device and are not in keep.
func deleteVanishedSchedules(ctx context.Context, tx *dbTx, set DeviceScheduleSet, keep map[string]bool) error {
	var have []string
	if err := tx.SelectContext(ctx, &have, `SELECT id FROM schedules WHERE `+fitCond,
		set.DeviceType, nullInt64(set.PropertyID)); err != nil {
		return fmt.Errorf("list schedules: %w", err)
	}
	for _, id := range have {
		if keep[id] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM schedules WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete vanished schedule %s: %w", id, err)
		}
	}
	return nil
}
