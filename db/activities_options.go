package db

import (
	"context"
	"fmt"
)

// ActivityChoice is one option of an activity filter menu.
type ActivityChoice struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// ActivityPropertyChoices returns up to limit properties by name for a filter menu, and whether there are more (then a
// menu is the wrong control).
func (s *Store) ActivityPropertyChoices(ctx context.Context, limit int) ([]ActivityChoice, bool, error) {
	out := []ActivityChoice{}
	if err := s.r.SelectContext(ctx, &out, `SELECT id, name FROM properties ORDER BY lower(name), id LIMIT ?`, limit+1); err != nil {
		return nil, false, fmt.Errorf("db: property choices: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// ActivityDeviceTypes returns the device types in the mirror, sorted, for the activity log's type filter.
func (s *Store) ActivityDeviceTypes(ctx context.Context) ([]string, error) {
	out := []string{}
	if err := s.r.SelectContext(ctx, &out, `SELECT DISTINCT type FROM devices WHERE type <> '' ORDER BY type`); err != nil {
		return nil, fmt.Errorf("db: device types: %w", err)
	}
	return out, nil
}
