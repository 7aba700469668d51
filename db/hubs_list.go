package db

import (
	"context"
	"fmt"
	"strings"
)

// HubFilter selects a page of hubs, ordered by home name.
type HubFilter struct {
	Query   string // case-insensitive substring of the home name or serial number
	Offline bool   // only offline hubs
	Page    int    // 1-based; values below 1 mean 1
	PerPage int    // 0 means DefaultPerPage; capped at MaxPerPage
}

// HubRow is a hub with what its list row shows besides the hub itself.
type HubRow struct {
	Hub
	PropertyName string // "" for an unassigned hub
	Devices      int
}

// HubPage is one page of ListHubs, with the normalised page number and size.
type HubPage struct {
	Items   []HubRow
	Total   int
	Page    int
	PerPage int
}

type hubListRow struct {
	hubRow
	PropertyName string `db:"property_name"`
	Devices      int    `db:"devices"`
}

func (f HubFilter) where() (string, []any) {
	conds, args := []string{"1 = 1"}, []any{}
	if q := strings.TrimSpace(f.Query); q != "" {
		conds = append(conds, `(h.home_name LIKE ? ESCAPE '\' OR h.serial_no LIKE ? ESCAPE '\')`)
		pat := likePattern(q)
		args = append(args, pat, pat)
	}
	if f.Offline {
		conds = append(conds, "h.online = 0")
	}
	return strings.Join(conds, " AND "), args
}

// queries returns the count and page statements for f and their shared arguments (the page
// statement takes LIMIT and OFFSET after them).
func (f HubFilter) queries() (count, page string, args []any) {
	where, args := f.where()
	count = `SELECT count(*) FROM hubs h WHERE ` + where
	page = `SELECT ` + hubColsH + `, coalesce(p.name, '') AS property_name,
			(SELECT count(*) FROM devices d WHERE d.hub_id = h.id) AS devices
		FROM hubs h LEFT JOIN properties p ON p.id = h.property_id
		WHERE ` + where + ` ORDER BY lower(h.home_name), h.id LIMIT ? OFFSET ?`
	return count, page, args
}

// ListHubs returns one page of mirrored hubs with their property's name and device count.
func (s *Store) ListHubs(ctx context.Context, f HubFilter) (HubPage, error) {
	page, perPage, offset := pageBounds(f.Page, f.PerPage)
	countSQL, pageSQL, args := f.queries()
	countSQL, pageSQL = s.caseless(countSQL), s.caseless(pageSQL)
	res := HubPage{Page: page, PerPage: perPage}
	rows := []hubListRow{}
	err := s.readTx(ctx, func(tx *dbTx) error {
		if err := tx.GetContext(ctx, &res.Total, countSQL, args...); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &rows, pageSQL, append(args, perPage, offset)...)
	})
	if err != nil {
		return HubPage{}, fmt.Errorf("db: list hubs: %w", err)
	}
	res.Items = make([]HubRow, len(rows))
	for i, r := range rows {
		res.Items[i] = HubRow{Hub: r.hub(), PropertyName: r.PropertyName, Devices: r.Devices}
	}
	return res, nil
}
