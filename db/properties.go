package db

import (
	"context"
	"fmt"
	"time"
)

// Property mirrors an upstream property. ID is the upstream id.
type Property struct {
	ID            int64
	Name          string
	Address       string
	StreetAddress string
	City          string
	State         string
	Zipcode       string
	TimeZone      string // IANA zone, used to show times in the property's local time
	Latitude      string
	Longitude     string
	SyncedAt      time.Time // when the mirror last read this row from the upstream
}

type propertyRow struct {
	ID            int64  `db:"id"`
	Name          string `db:"name"`
	Address       string `db:"address"`
	StreetAddress string `db:"street_address"`
	City          string `db:"city"`
	State         string `db:"state"`
	Zipcode       string `db:"zipcode"`
	TimeZone      string `db:"time_zone"`
	Latitude      string `db:"latitude"`
	Longitude     string `db:"longitude"`
	SyncedAt      int64  `db:"synced_at"`
}

const propertyCols = `id, name, address, street_address, city, state, zipcode, time_zone, latitude, longitude, synced_at`

func (r propertyRow) property() Property {
	return Property{
		ID: r.ID, Name: r.Name, Address: r.Address, StreetAddress: r.StreetAddress, City: r.City,
		State: r.State, Zipcode: r.Zipcode, TimeZone: r.TimeZone, Latitude: r.Latitude,
		Longitude: r.Longitude, SyncedAt: fromMS(r.SyncedAt),
	}
}

const upsertPropertySQL = `INSERT INTO properties (` + propertyCols + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET
		name = excluded.name, address = excluded.address, street_address = excluded.street_address,
		city = excluded.city, state = excluded.state, zipcode = excluded.zipcode, time_zone = excluded.time_zone,
		latitude = excluded.latitude, longitude = excluded.longitude, synced_at = excluded.synced_at`

// upsertArgs are the arguments of upsertPropertySQL, in column order.
func (p Property) upsertArgs() []any {
	return []any{p.ID, p.Name, p.Address, p.StreetAddress, p.City, p.State, p.Zipcode, p.TimeZone,
		p.Latitude, p.Longitude, ms(p.SyncedAt)}
}

// UpsertProperty inserts or replaces one mirrored property after an upstream change.
// Zero SyncedAt means now.
func (s *Store) UpsertProperty(ctx context.Context, p Property) error {
	p.SyncedAt = nowOr(p.SyncedAt)
	if _, err := s.w.ExecContext(ctx, upsertPropertySQL, p.upsertArgs()...); err != nil {
		return fmt.Errorf("db: upsert property %d: %w", p.ID, err)
	}
	return nil
}

// DeleteProperty removes a mirrored property; its hubs and devices stay, unassigned, as they do
// upstream. An unknown id is ErrNotFound.
func (s *Store) DeleteProperty(ctx context.Context, id int64) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM properties WHERE id = ?`, id)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("db: delete property %d: %w", id, err)
	}
	return nil
}

// Property returns one mirrored property, or ErrNotFound.
func (s *Store) Property(ctx context.Context, id int64) (Property, error) {
	var r propertyRow
	if err := s.r.GetContext(ctx, &r, `SELECT `+propertyCols+` FROM properties WHERE id = ?`, id); err != nil {
		return Property{}, fmt.Errorf("db: property %d: %w", id, notFound(err))
	}
	return r.property(), nil
}
