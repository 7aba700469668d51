package db

import (
	"context"
	"fmt"
	"strings"
)

// CodeStatus is a lock code as the JSON API shows it: everything but the PIN, which these reads never select
// (PINSealed stays nil), plus whom the code stands for.
type CodeStatus struct {
	LockCode
	Person string // "Jane Doe (reservation 12)"; "" for a code of nobody
}

type codeStatusRow struct {
	lockCodeRow
	Person string `db:"person"`
}

// codeStatusSelect is lockCodeSelect without pin_sealed, with the person lock_code_people records for the code's
// current name.
const codeStatusSelect = `SELECT c.id, c.property_id, c.hub_id, c.name, c.code_type, c.validity_type, c.starts_at,
	c.ends_at, c.schedule, c.created_by, coalesce(nullif(u.name, ''), u.email) AS created_by_name,
	c.created_at, c.updated_at, c.deleted_at, c.synced_at,
	coalesce((SELECT lp.person FROM lock_code_people lp WHERE lp.code_id = c.id AND lp.name = c.name), '') AS person
	FROM lock_codes c LEFT JOIN users u ON u.id = c.created_by`

// CodeStatusesByID returns one page of the live (not deleted) lock codes, of one property when f says so, in id
// order, each with its per-lock states.
func (s *Store) CodeStatusesByID(ctx context.Context, f MirrorFilter) (MirrorPage[CodeStatus], error) {
	q, args := mirrorQuery(codeStatusSelect, "c", "c.deleted_at IS NULL", f, false, "property_id")
	var pg MirrorPage[CodeStatus]
	err := s.readTx(ctx, func(tx *dbTx) error {
		rows := []codeStatusRow{}
		if err := tx.SelectContext(ctx, &rows, q, args...); err != nil {
			return err
		}
		pg = trimPage(rows, f.Limit, func(r codeStatusRow) string { return r.ID },
			func(r codeStatusRow) CodeStatus { return CodeStatus{LockCode: r.code(), Person: r.Person} })
		return codeStatusDevices(ctx, tx, pg.Items)
	})
	if err != nil {
		return MirrorPage[CodeStatus]{}, fmt.Errorf("db: lock codes by id: %w", err)
	}
	return pg, nil
}

// CodeStatusByID returns one lock code (deleted ones too, until the mirror purges them) without its PIN, or
// ErrNotFound.
func (s *Store) CodeStatusByID(ctx context.Context, id string) (CodeStatus, error) {
	var out []CodeStatus
	err := s.readTx(ctx, func(tx *dbTx) error {
		rows := []codeStatusRow{}
		if err := tx.SelectContext(ctx, &rows, codeStatusSelect+` WHERE c.id = ?`, id); err != nil || len(rows) == 0 {
			return err
		}
		out = []CodeStatus{{LockCode: rows[0].code(), Person: rows[0].Person}}
		return codeStatusDevices(ctx, tx, out)
	})
	if err == nil && len(out) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return CodeStatus{}, fmt.Errorf("db: lock code %s: %w", id, err)
	}
	return out[0], nil
}

// codeStatusDevices fills in the per-lock states of codes, ordered by device id.
func codeStatusDevices(ctx context.Context, tx *dbTx, codes []CodeStatus) error {
	if len(codes) == 0 {
		return nil
	}
	args := make([]any, len(codes))
	at := make(map[string]int, len(codes))
	for i, c := range codes {
		args[i], at[c.ID] = c.ID, i
	}
	devs := []lockCodeDeviceRow{}
	err := tx.SelectContext(ctx, &devs, `SELECT `+lockCodeDeviceCols+` FROM lock_code_devices lcd
		WHERE lcd.code_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")+`)
		ORDER BY lcd.code_id, lcd.device_id`, args...)
	if err != nil {
		return err
	}
	for _, d := range devs {
		c := &codes[at[d.CodeID]]
		c.Devices = append(c.Devices, LockCodeDevice{DeviceID: d.DeviceID, Status: d.Status, Slot: fromNullInt(d.Slot),
			Error: d.Error, ReportedAt: fromMS(d.ReportedAt), CheckedAt: fromMS(d.CheckedAt)})
	}
	return nil
}
