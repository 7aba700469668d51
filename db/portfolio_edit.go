package db

import (
	"context"
	"fmt"
)

// PropertyChoice is a property as a select offers it.
type PropertyChoice struct {
	ID   int64  `db:"id"`
	Name string `db:"name"`
}

// maxPropertyChoices bounds PropertyChoices; a portfolio larger than this needs a search box, not a select.
const maxPropertyChoices = 5000

// PropertyChoices returns every mirrored property's id and name, ordered by name (at most 5,000).
func (s *Store) PropertyChoices(ctx context.Context) ([]PropertyChoice, error) {
	out := []PropertyChoice{}
	if err := s.r.SelectContext(ctx, &out, `SELECT id, name FROM properties ORDER BY lower(name), id LIMIT ?`,
		maxPropertyChoices); err != nil {
		return nil, fmt.Errorf("db: property choices: %w", err)
	}
	return out, nil
}
