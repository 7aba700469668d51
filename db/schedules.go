package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Schedule mirrors an upstream weekly schedule. PropertyID is nil for a schedule of no property, which fits
// devices of its type on every property.
type Schedule struct {
	ID         string
	Name       string
	DeviceType string // thermostat, switch or dimmable_switch
	PropertyID *int64
	Blocks     []ScheduleBlock
	CreatedAt  time.Time
	UpdatedAt  time.Time
	SyncedAt   time.Time // when the mirror last wrote this row from the upstream
}

// ScheduleBlock is one time block of a schedule, as the upstream sends it. From and To are "HH:MM" wall-clock
// times in the hub's zone; Days are 0–6, Sunday 0. Nil values are not part of the block.
type ScheduleBlock struct {
	Days            []int  `json:"days"`
	From            string `json:"from"`
	To              string `json:"to"`
	Mode            string `json:"mode"`
	HeatingSetpoint *int   `json:"heating_setpoint"`
	CoolingSetpoint *int   `json:"cooling_setpoint"`
	Power           *int   `json:"power"`
}

// DeviceSchedule is what the mirror knows about one device's schedules.
type DeviceSchedule struct {
	DeviceID    string
	ActiveID    string     // the schedule the device runs; "" for none
	ActivatedAt *time.Time // when it was activated, when known
	SyncedAt    time.Time  // when the device's schedules were last read from (or written to) the upstream
}

type scheduleRow struct {
	ID         string        `db:"id"`
	Name       string        `db:"name"`
	DeviceType string        `db:"device_type"`
	PropertyID sql.NullInt64 `db:"property_id"`
	Blocks     string        `db:"blocks"`
	CreatedAt  int64         `db:"created_at"`
	UpdatedAt  int64         `db:"updated_at"`
	SyncedAt   int64         `db:"synced_at"`
}

const scheduleCols = `id, name, device_type, property_id, blocks, created_at, updated_at, synced_at`

func (r scheduleRow) schedule() (Schedule, error) {
	sc := Schedule{ID: r.ID, Name: r.Name, DeviceType: r.DeviceType, PropertyID: fromNullInt64(r.PropertyID),
		CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt), SyncedAt: fromMS(r.SyncedAt)}
	if err := json.Unmarshal([]byte(r.Blocks), &sc.Blocks); err != nil {
		return Schedule{}, fmt.Errorf("schedule %s: blocks: %w", r.ID, err)
	}
	return sc, nil
}

const upsertScheduleSQL = `INSERT INTO schedules (` + scheduleCols + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET
		name = excluded.name, device_type = excluded.device_type, property_id = excluded.property_id,
		blocks = excluded.blocks, created_at = excluded.created_at, updated_at = excluded.updated_at,
		synced_at = excluded.synced_at`

func (sc Schedule) upsertArgs() ([]any, error) {
	blocks := sc.Blocks
	if blocks == nil {
		blocks = []ScheduleBlock{}
	}
	b, err := json.Marshal(blocks)
	if err != nil {
		return nil, err
	}
	return []any{sc.ID, sc.Name, sc.DeviceType, nullInt64(sc.PropertyID), string(b), ms(sc.CreatedAt),
		ms(sc.UpdatedAt), ms(sc.SyncedAt)}, nil
}

// UpsertSchedule inserts or replaces one mirrored schedule after an upstream change. Zero SyncedAt means now.
// A PropertyID not in the mirror is ErrNotFound.
func (s *Store) UpsertSchedule(ctx context.Context, sc Schedule) error {
	if sc.ID == "" {
		return errors.New("db: upsert schedule: id is required")
	}
	sc.SyncedAt = nowOr(sc.SyncedAt)
	args, err := sc.upsertArgs()
	if err == nil {
		_, err = s.w.ExecContext(ctx, upsertScheduleSQL, args...)
	}
	if isForeignKey(err) {
		return fmt.Errorf("db: upsert schedule %s: property %d: %w", sc.ID, deref(sc.PropertyID), ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("db: upsert schedule %s: %w", sc.ID, err)
	}
	return nil
}

// DeleteSchedule removes a mirrored schedule; devices that ran it run none. An unknown id is ErrNotFound.
func (s *Store) DeleteSchedule(ctx context.Context, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM schedules WHERE id = ?`, id)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("db: delete schedule %s: %w", id, err)
	}
	return nil
}

// Schedule returns one mirrored schedule, or ErrNotFound.
func (s *Store) Schedule(ctx context.Context, id string) (Schedule, error) {
	var r scheduleRow
	if err := s.r.GetContext(ctx, &r, `SELECT `+scheduleCols+` FROM schedules WHERE id = ?`, id); err != nil {
		return Schedule{}, fmt.Errorf("db: schedule %s: %w", id, notFound(err))
	}
	sc, err := r.schedule()
	if err != nil {
		return Schedule{}, fmt.Errorf("db: %w", err)
	}
	return sc, nil
}

// fitCond selects the schedules a device of a type and property may run: its type, and its property or none.
// It matches the upstream's rule for GET /api/devices/{id}/schedules.
const fitCond = `device_type = ? AND (property_id IS NULL OR property_id = ?)`

// SchedulesForDevice returns the mirrored schedules a device of deviceType on propertyID (nil: unassigned) may
// run, ordered by name; none is an empty slice.
func (s *Store) SchedulesForDevice(ctx context.Context, deviceType string, propertyID *int64) ([]Schedule, error) {
	out, err := selectSchedules(ctx, s.r, `WHERE `+fitCond, deviceType, nullInt64(propertyID))
	if err != nil {
		return nil, fmt.Errorf("db: schedules for %s devices of property %d: %w", deviceType, deref(propertyID), err)
	}
	return out, nil
}

// SchedulesByProperty returns the mirrored schedules of one property ordered by name; none is an empty slice.
func (s *Store) SchedulesByProperty(ctx context.Context, propertyID int64) ([]Schedule, error) {
	out, err := selectSchedules(ctx, s.r, `WHERE property_id = ?`, propertyID)
	if err != nil {
		return nil, fmt.Errorf("db: schedules of property %d: %w", propertyID, err)
	}
	return out, nil
}

func selectSchedules(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) ([]Schedule, error) {
	rows := []scheduleRow{}
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT `+scheduleCols+` FROM schedules `+where+
		` ORDER BY lower(name), id`, args...); err != nil {
		return nil, err
	}
	out := make([]Schedule, 0, len(rows))
	for _, r := range rows {
		sc, err := r.schedule()
		if err != nil {
			return nil, err
		}
		out = append(out, sc)
	}
	return out, nil
}
