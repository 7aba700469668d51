package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Automations are what a property's alerts do by themselves, beside telling people. The zero value is every
// automation off, which is also what a property without a row has.
type Automations struct {
	PropertyID      int64
	LeakClosesValve bool // a leak alert closes the property's valve controllers
	UpdatedAt       time.Time
	UpdatedBy       *int64
}

type automationsRow struct {
	PropertyID int64         `db:"property_id"`
	Leak       int           `db:"leak_closes_valve"`
	UpdatedAt  int64         `db:"updated_at"`
	UpdatedBy  sql.NullInt64 `db:"updated_by"`
}

// PropertyAutomations returns a property's automations; a property that never set any has them all off (not an
// error: off is the default).
func (s *Store) PropertyAutomations(ctx context.Context, propertyID int64) (Automations, error) {
	var r automationsRow
	err := s.r.GetContext(ctx, &r, `SELECT property_id, leak_closes_valve, updated_at, updated_by
		FROM property_automations WHERE property_id = ?`, propertyID)
	if errors.Is(err, sql.ErrNoRows) {
		return Automations{PropertyID: propertyID}, nil
	}
	if err != nil {
		return Automations{}, fmt.Errorf("db: automations of %d: %w", propertyID, err)
	}
	return Automations{PropertyID: r.PropertyID, LeakClosesValve: r.Leak == 1, UpdatedAt: fromMS(r.UpdatedAt),
		UpdatedBy: fromNullInt64(r.UpdatedBy)}, nil
}

// SetPropertyAutomations stores a's settings for its property. Zero UpdatedAt means now.
func (s *Store) SetPropertyAutomations(ctx context.Context, a Automations) error {
	leak := 0
	if a.LeakClosesValve {
		leak = 1
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO property_automations (property_id, leak_closes_valve, updated_at, updated_by)
		VALUES (?, ?, ?, ?) ON CONFLICT (property_id) DO UPDATE SET leak_closes_valve = excluded.leak_closes_valve,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		a.PropertyID, leak, ms(nowOr(a.UpdatedAt)), nullInt64(a.UpdatedBy))
	if err != nil {
		return fmt.Errorf("db: set automations of %d: %w", a.PropertyID, err)
	}
	return nil
}
