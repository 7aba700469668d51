package db

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// The JSON API pages the mirror by id, ascending: a page continues after the last id of the previous one, so a
// row added or removed between two pages shifts nothing (an offset would skip or repeat a row). Each list reads
// limit+1 rows; the extra one says whether there is a next page. The primary keys serve both the order and the
// cursor.

// MirrorPage is one page of a mirror list and the id the next page starts after ("" on the last page).
type MirrorPage[T any] struct {
	Items []T
	After string
}

// MirrorFilter narrows a mirror list. Zero fields do not filter; After is the previous page's MirrorPage.After.
type MirrorFilter struct {
	PropertyID int64
	HubID      string
	After      string
	Limit      int // at least 1; the caller bounds it
}

// mirrorQuery appends fixed (a constant condition, or ""), the filter's conditions (those of cols the table has)
// and the keyset to base.
func mirrorQuery(base, alias, fixed string, f MirrorFilter, numericID bool, cols ...string) (string, []any) {
	var conds []string
	var args []any
	if fixed != "" {
		conds = append(conds, fixed)
	}
	for _, c := range cols {
		switch {
		case c == "property_id" && f.PropertyID != 0:
			conds, args = append(conds, alias+".property_id = ?"), append(args, f.PropertyID)
		case c == "hub_id" && f.HubID != "":
			conds, args = append(conds, alias+".hub_id = ?"), append(args, f.HubID)
		}
	}
	if f.After != "" {
		conds = append(conds, alias+".id > ?")
		if numericID {
			n, _ := strconv.ParseInt(f.After, 10, 64) // the caller checked it
			args = append(args, n)
		} else {
			args = append(args, f.After)
		}
	}
	q := base
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	return q + " ORDER BY " + alias + ".id LIMIT ?", append(args, max(f.Limit, 1)+1)
}

// trimPage cuts rows to limit and names the id the next page starts after.
func trimPage[R, T any](rows []R, limit int, id func(R) string, conv func(R) T) MirrorPage[T] {
	limit = max(limit, 1)
	var pg MirrorPage[T]
	if len(rows) > limit {
		rows = rows[:limit]
		pg.After = id(rows[limit-1])
	}
	pg.Items = make([]T, len(rows))
	for i, r := range rows {
		pg.Items[i] = conv(r)
	}
	return pg
}

// PropertiesByID returns one page of the mirrored properties in id order.
func (s *Store) PropertiesByID(ctx context.Context, f MirrorFilter) (MirrorPage[Property], error) {
	q, args := mirrorQuery(`SELECT `+qualify("p", propertyCols)+` FROM properties p`, "p", "", f, true)
	rows := []propertyRow{}
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return MirrorPage[Property]{}, fmt.Errorf("db: properties by id: %w", err)
	}
	return trimPage(rows, f.Limit, func(r propertyRow) string { return strconv.FormatInt(r.ID, 10) }, propertyRow.property), nil
}

// HubsByID returns one page of the mirrored hubs (of one property when f says so) in id order.
func (s *Store) HubsByID(ctx context.Context, f MirrorFilter) (MirrorPage[Hub], error) {
	q, args := mirrorQuery(`SELECT `+hubColsH+` FROM hubs h`, "h", "", f, false, "property_id")
	rows := []hubRow{}
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return MirrorPage[Hub]{}, fmt.Errorf("db: hubs by id: %w", err)
	}
	return trimPage(rows, f.Limit, func(r hubRow) string { return r.ID }, hubRow.hub), nil
}

// DevicesByID returns one page of the mirrored devices (of one property or hub when f says so) in id order.
func (s *Store) DevicesByID(ctx context.Context, f MirrorFilter) (MirrorPage[Device], error) {
	q, args := mirrorQuery(`SELECT `+deviceColsD+` FROM devices d`, "d", "", f, false, "property_id", "hub_id")
	rows := []deviceRow{}
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return MirrorPage[Device]{}, fmt.Errorf("db: devices by id: %w", err)
	}
	return trimPage(rows, f.Limit, func(r deviceRow) string { return r.ID }, deviceRow.device), nil
}
