package db

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// Reservation statuses, as the upstream spells them.
const (
	ReservationConfirmed = "confirmed"
	ReservationCancelled = "cancelled"
)

// Reservation mirrors an upstream reservation: a guest stay whose lock code (LockCodeID, held by the upstream) is
// valid from CheckIn − BufferBefore to CheckOut + BufferAfter. The PIN is never stored here.
type Reservation struct {
	ID                  int64
	PropertyID          int64
	GuestName           string
	GuestEmail          string
	GuestPhone          string
	CheckIn             time.Time
	CheckOut            time.Time
	BufferBeforeMinutes int
	BufferAfterMinutes  int
	LockCodeID          string
	Status              string
	CreatedBy           *int64 // the dashboard user who created it; nil when it was made elsewhere
	CreatedAt           time.Time
	UpdatedAt           time.Time
	SyncedAt            time.Time
}

type reservationRow struct {
	ID           int64         `db:"id"`
	PropertyID   int64         `db:"property_id"`
	GuestName    string        `db:"guest_name"`
	GuestEmail   string        `db:"guest_email"`
	GuestPhone   string        `db:"guest_phone"`
	CheckIn      int64         `db:"check_in"`
	CheckOut     int64         `db:"check_out"`
	BufferBefore int           `db:"buffer_before_minutes"`
	BufferAfter  int           `db:"buffer_after_minutes"`
	LockCodeID   string        `db:"lock_code_id"`
	Status       string        `db:"status"`
	CreatedBy    sql.NullInt64 `db:"created_by"`
	CreatedAt    int64         `db:"created_at"`
	UpdatedAt    int64         `db:"updated_at"`
	SyncedAt     int64         `db:"synced_at"`
}

const reservationCols = `id, property_id, guest_name, guest_email, guest_phone, check_in, check_out,
	buffer_before_minutes, buffer_after_minutes, lock_code_id, status, created_by, created_at, updated_at, synced_at`

func (r reservationRow) reservation() Reservation {
	return Reservation{ID: r.ID, PropertyID: r.PropertyID, GuestName: r.GuestName, GuestEmail: r.GuestEmail,
		GuestPhone: r.GuestPhone, CheckIn: fromMS(r.CheckIn), CheckOut: fromMS(r.CheckOut),
		BufferBeforeMinutes: r.BufferBefore, BufferAfterMinutes: r.BufferAfter, LockCodeID: r.LockCodeID,
		Status: r.Status, CreatedBy: fromNullInt64(r.CreatedBy), CreatedAt: fromMS(r.CreatedAt),
		UpdatedAt: fromMS(r.UpdatedAt), SyncedAt: fromMS(r.SyncedAt)}
}

// upsertReservationSQL keeps created_by when the row exists: a refresh from the upstream does not know who made it.
const upsertReservationSQL = `INSERT INTO reservations (` + reservationCols + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET
		property_id = excluded.property_id, guest_name = excluded.guest_name, guest_email = excluded.guest_email,
		guest_phone = excluded.guest_phone, check_in = excluded.check_in, check_out = excluded.check_out,
		buffer_before_minutes = excluded.buffer_before_minutes, buffer_after_minutes = excluded.buffer_after_minutes,
		lock_code_id = excluded.lock_code_id, status = excluded.status,
		created_by = coalesce(reservations.created_by, excluded.created_by),
		created_at = excluded.created_at, updated_at = excluded.updated_at, synced_at = excluded.synced_at`

func (r Reservation) upsertArgs() []any {
	return []any{r.ID, r.PropertyID, r.GuestName, r.GuestEmail, r.GuestPhone, ms(r.CheckIn), ms(r.CheckOut),
		r.BufferBeforeMinutes, r.BufferAfterMinutes, r.LockCodeID, r.Status, nullInt64(r.CreatedBy),
		ms(nowOr(r.CreatedAt)), ms(nowOr(r.UpdatedAt)), ms(nowOr(r.SyncedAt))}
}

// UpsertReservation stores what the upstream answered for one reservation, with whom its code stands for: a
// reservation just created here is attributed on its code's keypad entries even if the code is never read back.
func (s *Store) UpsertReservation(ctx context.Context, r Reservation) error {
	err := s.inTx(ctx, func(tx *dbTx) error { return upsertReservation(ctx, tx, r) })
	if isForeignKey(err) {
		return fmt.Errorf("db: upsert reservation %d: property %d: %w", r.ID, r.PropertyID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("db: upsert reservation %d: %w", r.ID, err)
	}
	return nil
}

func upsertReservation(ctx context.Context, tx *dbTx, r Reservation) error {
	if _, err := tx.ExecContext(ctx, upsertReservationSQL, r.upsertArgs()...); err != nil {
		return err
	}
	return recordPerson(ctx, tx, reservationPerson(r))
}

// Reservation returns one mirrored reservation.
func (s *Store) Reservation(ctx context.Context, id int64) (Reservation, error) {
	var row reservationRow
	err := s.r.GetContext(ctx, &row, `SELECT `+reservationCols+` FROM reservations WHERE id = ?`, id)
	if err != nil {
		return Reservation{}, fmt.Errorf("db: reservation %d: %w", id, notFound(err))
	}
	return row.reservation(), nil
}

// ReservationsByProperty returns a property's reservations that end after since (pass the zero time for all),
// by check-in.
func (s *Store) ReservationsByProperty(ctx context.Context, propertyID int64, since time.Time) ([]Reservation, error) {
	var rows []reservationRow
	err := s.r.SelectContext(ctx, &rows, `SELECT `+reservationCols+` FROM reservations
		WHERE property_id = ? AND check_out > ?`, propertyID, ms(since))
	if err != nil {
		return nil, fmt.Errorf("db: reservations of property %d: %w", propertyID, err)
	}
	out := make([]Reservation, len(rows))
	for i, r := range rows {
		out[i] = r.reservation()
	}
	// Sorted here, not by SQLite: a property has few reservations, and a sorter costs more than the lookup.
	slices.SortFunc(out, func(a, b Reservation) int { return cmp.Or(a.CheckIn.Compare(b.CheckIn), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// SetReservationStatus records a status the upstream confirmed (a cancellation).
func (s *Store) SetReservationStatus(ctx context.Context, id int64, status string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE reservations SET status = ?, updated_at = ? WHERE id = ?`, status, ms(at), id)
	if err != nil {
		return fmt.Errorf("db: reservation %d status: %w", id, err)
	}
	if err := mustAffect(res); err != nil {
		return fmt.Errorf("db: reservation %d status: %w", id, err)
	}
	return nil
}

// ReplacePropertyReservations makes the mirrored reservations of a property equal to rs (a complete upstream list)
// and stamps the refresh, in one transaction.
func (s *Store) ReplacePropertyReservations(ctx context.Context, propertyID int64, rs []Reservation, at time.Time) error {
	err := s.inTx(ctx, func(tx *dbTx) error {
		keep := make(map[int64]bool, len(rs))
		for _, r := range rs {
			if r.PropertyID != propertyID {
				return fmt.Errorf("reservation %d belongs to property %d", r.ID, r.PropertyID)
			}
			r.SyncedAt = at
			if err := upsertReservation(ctx, tx, r); err != nil {
				return fmt.Errorf("reservation %d: %w", r.ID, err)
			}
			keep[r.ID] = true
		}
		if err := deleteMissingOf(ctx, tx, "reservations", propertyID, keep); err != nil {
			return err
		}
		return stampRefresh(ctx, tx, fmt.Sprintf("reservations:%d", propertyID), at)
	})
	if err != nil {
		return fmt.Errorf("db: replace reservations of property %d: %w", propertyID, err)
	}
	return nil
}

// deleteMissingOf deletes the rows of table (a constant name with id and property_id columns) that belong to the
// property and are not in keep.
func deleteMissingOf(ctx context.Context, tx *dbTx, table string, propertyID int64, keep map[int64]bool) error {
	var have []int64
	if err := tx.SelectContext(ctx, &have, `SELECT id FROM `+table+` WHERE property_id = ?`, propertyID); err != nil {
		return fmt.Errorf("list %s: %w", table, err)
	}
	for _, id := range have {
		if keep[id] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete vanished %s %d: %w", table, id, err)
		}
	}
	return nil
}

func stampRefresh(ctx context.Context, tx *dbTx, scope string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO access_refreshes (scope, refreshed_at) VALUES (?, ?)
		ON CONFLICT (scope) DO UPDATE SET refreshed_at = excluded.refreshed_at`, scope, ms(at))
	if err != nil {
		return fmt.Errorf("stamp refresh %s: %w", scope, err)
	}
	return nil
}

// AccessRefreshedAt returns when scope ('reservations:<property id>', 'invitations:<property id>',
// 'invitations:all') was last read from the upstream; the zero time when never.
func (s *Store) AccessRefreshedAt(ctx context.Context, scope string) (time.Time, error) {
	var at int64
	err := s.r.GetContext(ctx, &at, `SELECT refreshed_at FROM access_refreshes WHERE scope = ?`, scope)
	if err == sql.ErrNoRows {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("db: access refresh %s: %w", scope, err)
	}
	return fromMS(at), nil
}
