package db

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
)

// A lock code's state on one lock, in the upstream's words.
const (
	LockCodeSetting  = "setting"  // sent, the lock has not confirmed it yet
	LockCodeSet      = "set"      // in a slot of the lock
	LockCodeFailed   = "failed"   // the lock could not take it; LockCodeDevice.Error says why
	LockCodeRemoving = "removing" // deletion sent, the lock has not confirmed it yet
	LockCodeRemoved  = "removed"  // gone from the lock
)

// LockCodeRetention is how long a deleted code stays in the mirror (and on the pages, as "removed") after its
// deletion; ApplyLockCodeSync purges older ones.
const LockCodeRetention = 24 * time.Hour

// LockCode mirrors one upstream lock code. The PIN is only ever held sealed (PINSealed); the handlers open it.
type LockCode struct {
	ID            string // upstream uuid
	PropertyID    int64
	HubID         string
	Name          string
	CodeType      string
	ValidityType  string     // one of the four upstream validity types
	StartsAt      *time.Time // Specific Period only
	EndsAt        *time.Time
	Schedule      string // recurring types: JSON windows in the lock's wall-clock time; "[]" otherwise
	PINSealed     []byte
	CreatedBy     *int64 // the dashboard user who issued it; nil for codes made upstream (reservations, invitations)
	CreatedByName string // read only: the issuer's name, or email when the name is empty
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeletedAt     *time.Time // when its deletion was asked for or noticed; nil while it is live
	SyncedAt      time.Time  // when the dashboard last read it from the upstream
	Devices       []LockCodeDevice

	// What only the dashboard knows (migration 0018); the upstream's reads never carry it, so a sync keeps it.
	Kind        string // CodeKindStandard or CodeKindVendor
	Company     string // a vendor code's company; may be empty
	MaxUses     int    // keypad entries after which the dashboard removes the code; 0: unlimited
	Uses        int    // keypad entries counted so far (CountLockCodeUse)
	AdoptedFrom string // "<device id>#<slot>" of the drifted keypad code it was adopted from; "" otherwise
	// SetTerms makes UpsertLockCode write Kind, Company, MaxUses and AdoptedFrom (a code issued or adopted here);
	// reads from the upstream leave it false and the stored terms alone.
	SetTerms bool
}

// Kinds of code the dashboard manages.
const (
	CodeKindStandard = "standard"
	CodeKindVendor   = "vendor"
)

// MaxCodeUses is the largest limit on a code's keypad entries (the migration's CHECK says the same).
const MaxCodeUses = 100

// LockCodeDevice is a code's state on one lock.
type LockCodeDevice struct {
	DeviceID   string
	Status     string // LockCodeSetting … LockCodeRemoved
	Slot       *int
	Error      string    // with LockCodeFailed: the upstream's reason
	ReportedAt time.Time // when the upstream says the lock reached Status
	CheckedAt  time.Time // when the dashboard last read it
}

// Pending reports whether the state is still in flight (setting or removing).
func (d LockCodeDevice) Pending() bool {
	return d.Status == LockCodeSetting || d.Status == LockCodeRemoving
}

type lockCodeRow struct {
	ID            string         `db:"id"`
	PropertyID    int64          `db:"property_id"`
	HubID         string         `db:"hub_id"`
	Name          string         `db:"name"`
	CodeType      string         `db:"code_type"`
	ValidityType  string         `db:"validity_type"`
	StartsAt      sql.NullInt64  `db:"starts_at"`
	EndsAt        sql.NullInt64  `db:"ends_at"`
	Schedule      string         `db:"schedule"`
	PINSealed     []byte         `db:"pin_sealed"`
	CreatedBy     sql.NullInt64  `db:"created_by"`
	CreatedByName sql.NullString `db:"created_by_name"`
	CreatedAt     int64          `db:"created_at"`
	UpdatedAt     int64          `db:"updated_at"`
	DeletedAt     sql.NullInt64  `db:"deleted_at"`
	SyncedAt      int64          `db:"synced_at"`
	Kind          string         `db:"kind"`
	Company       string         `db:"company"`
	MaxUses       int            `db:"max_uses"`
	Uses          int            `db:"uses"`
	AdoptedFrom   string         `db:"adopted_from"`
}

func (r lockCodeRow) code() LockCode {
	return LockCode{ID: r.ID, PropertyID: r.PropertyID, HubID: r.HubID, Name: r.Name, CodeType: r.CodeType,
		ValidityType: r.ValidityType, StartsAt: fromNullMS(r.StartsAt), EndsAt: fromNullMS(r.EndsAt),
		Schedule: r.Schedule, PINSealed: r.PINSealed, CreatedBy: fromNullInt64(r.CreatedBy),
		CreatedByName: r.CreatedByName.String, CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt),
		DeletedAt: fromNullMS(r.DeletedAt), SyncedAt: fromMS(r.SyncedAt), Kind: r.Kind, Company: r.Company,
		MaxUses: r.MaxUses, Uses: r.Uses, AdoptedFrom: r.AdoptedFrom}
}

type lockCodeDeviceRow struct {
	CodeID     string        `db:"code_id"`
	DeviceID   string        `db:"device_id"`
	Status     string        `db:"status"`
	Slot       sql.NullInt64 `db:"slot"`
	Error      string        `db:"error"`
	ReportedAt int64         `db:"reported_at"`
	CheckedAt  int64         `db:"checked_at"`
}

// lockCodeSelect reads codes with their issuer's display name; callers append a WHERE on c.
const lockCodeSelect = `SELECT c.id, c.property_id, c.hub_id, c.name, c.code_type, c.validity_type, c.starts_at,
	c.ends_at, c.schedule, c.pin_sealed, c.created_by, coalesce(nullif(u.name, ''), u.email) AS created_by_name,
	c.created_at, c.updated_at, c.deleted_at, c.synced_at, c.kind, c.company, c.max_uses, c.uses, c.adopted_from
	FROM lock_codes c LEFT JOIN users u ON u.id = c.created_by `

const lockCodeDeviceCols = `lcd.code_id, lcd.device_id, lcd.status, lcd.slot, lcd.error, lcd.reported_at, lcd.checked_at`

// upsertLockCodeSQL never clears who issued a code or that it was deleted, and ignores a read older than the
// one already stored (a slow list must not undo a newer single read).
const upsertLockCodeSQL = `INSERT INTO lock_codes (id, property_id, hub_id, name, code_type, validity_type,
		starts_at, ends_at, schedule, pin_sealed, created_by, created_at, updated_at, deleted_at, synced_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET property_id = excluded.property_id, hub_id = excluded.hub_id,
		name = excluded.name, code_type = excluded.code_type, validity_type = excluded.validity_type,
		starts_at = excluded.starts_at, ends_at = excluded.ends_at, schedule = excluded.schedule,
		pin_sealed = excluded.pin_sealed, created_by = coalesce(lock_codes.created_by, excluded.created_by),
		created_at = excluded.created_at, updated_at = excluded.updated_at,
		deleted_at = coalesce(lock_codes.deleted_at, excluded.deleted_at), synced_at = excluded.synced_at
	WHERE excluded.synced_at >= lock_codes.synced_at`

// upsertLockCodeDeviceSQL skips locks the mirror does not have (yet) and reads older than the stored one.
const upsertLockCodeDeviceSQL = `INSERT INTO lock_code_devices
		(code_id, device_id, status, slot, error, reported_at, checked_at)
	SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM devices WHERE id = ?)
	ON CONFLICT (code_id, device_id) DO UPDATE SET status = excluded.status, slot = excluded.slot,
		error = excluded.error, reported_at = excluded.reported_at, checked_at = excluded.checked_at
	WHERE excluded.checked_at >= lock_code_devices.checked_at`

// UpsertLockCode stores one code and its per-lock states as read from the upstream (or just created there).
// Locks the mirror does not know are skipped; lock rows the read no longer lists are deleted. A read older than
// the stored one changes nothing. A property not in the mirror is ErrNotFound.
func (s *Store) UpsertLockCode(ctx context.Context, c LockCode) error {
	err := s.inTx(ctx, func(tx *dbTx) error { return upsertLockCode(ctx, tx, c) })
	if err != nil {
		return fmt.Errorf("db: upsert lock code %s: %w", c.ID, err)
	}
	return nil
}

func upsertLockCode(ctx context.Context, tx *dbTx, c LockCode) error {
	if c.ID == "" {
		return fmt.Errorf("a lock code has no id")
	}
	if c.Schedule == "" {
		c.Schedule = "[]"
	}
	synced := nowOr(c.SyncedAt)
	_, err := tx.ExecContext(ctx, upsertLockCodeSQL, c.ID, c.PropertyID, c.HubID, c.Name, c.CodeType,
		c.ValidityType, nullMS(c.StartsAt), nullMS(c.EndsAt), c.Schedule, c.PINSealed, nullInt64(c.CreatedBy),
		ms(nowOr(c.CreatedAt)), ms(nowOr(c.UpdatedAt)), nullMS(c.DeletedAt), ms(synced))
	if isForeignKey(err) {
		return fmt.Errorf("property %d or user %d: %w", c.PropertyID, deref(c.CreatedBy), ErrNotFound)
	}
	if err != nil {
		return err
	}
	if c.SetTerms {
		if err := setTerms(ctx, tx, c); err != nil {
			return err
		}
	}
	if err := recordCodeName(ctx, tx, c); err != nil {
		return err
	}
	keep := make(map[string]bool, len(c.Devices))
	for _, d := range c.Devices {
		keep[d.DeviceID] = true
		checked := d.CheckedAt
		if checked.IsZero() {
			checked = synced
		}
		if _, err := tx.ExecContext(ctx, upsertLockCodeDeviceSQL, c.ID, d.DeviceID, d.Status, nullInt(d.Slot),
			d.Error, ms(nowOr(d.ReportedAt)), ms(checked), d.DeviceID); err != nil {
			return fmt.Errorf("lock %s: %w", d.DeviceID, err)
		}
	}
	var have []string
	if err := tx.SelectContext(ctx, &have, `SELECT device_id FROM lock_code_devices WHERE code_id = ?`, c.ID); err != nil {
		return err
	}
	for _, id := range have {
		if !keep[id] {
			if _, err := tx.ExecContext(ctx, `DELETE FROM lock_code_devices WHERE code_id = ? AND device_id = ?
				AND checked_at <= ?`, c.ID, id, ms(synced)); err != nil {
				return err
			}
		}
	}
	return nil
}

// setTerms writes what only the dashboard knows of a code it issued or adopted.
func setTerms(ctx context.Context, tx *dbTx, c LockCode) error {
	kind := cmp.Or(c.Kind, CodeKindStandard)
	if kind != CodeKindStandard && kind != CodeKindVendor {
		return fmt.Errorf("unknown code kind %q", kind)
	}
	if c.MaxUses < 0 || c.MaxUses > MaxCodeUses {
		return fmt.Errorf("max uses %d outside 0..%d", c.MaxUses, MaxCodeUses)
	}
	_, err := tx.ExecContext(ctx, `UPDATE lock_codes SET kind = ?, company = ?, max_uses = ?, adopted_from = ?
		WHERE id = ?`, kind, c.Company, c.MaxUses, c.AdoptedFrom, c.ID)
	return err
}

// LockCode returns one mirrored code with its per-lock states, or ErrNotFound.
func (s *Store) LockCode(ctx context.Context, id string) (LockCode, error) {
	var codes []LockCode
	err := s.readTx(ctx, func(tx *dbTx) error {
		var err error
		codes, err = selectLockCodes(ctx, tx, `c.id = ?`, `lcd.code_id = ?`, id)
		return err
	})
	if err == nil && len(codes) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return LockCode{}, fmt.Errorf("db: lock code %s: %w", id, err)
	}
	return codes[0], nil
}

// LockCodesByProperty returns a property's codes, ordered by name: the live ones and those deleted since
// removedSince. Each carries all its per-lock states.
func (s *Store) LockCodesByProperty(ctx context.Context, propertyID int64, removedSince time.Time) ([]LockCode, error) {
	var codes []LockCode
	err := s.readTx(ctx, func(tx *dbTx) error {
		var err error
		codes, err = selectLockCodes(ctx, tx,
			`c.property_id = ? AND (c.deleted_at IS NULL OR c.deleted_at >= ?)`,
			`lcd.code_id IN (SELECT id FROM lock_codes WHERE property_id = ?)`,
			propertyID, ms(removedSince))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: lock codes of property %d: %w", propertyID, err)
	}
	return codes, nil
}

// LockCodesByDevice returns the codes that target a lock (live, or deleted since removedSince), ordered by name,
// each with all its per-lock states.
func (s *Store) LockCodesByDevice(ctx context.Context, deviceID string, removedSince time.Time) ([]LockCode, error) {
	var codes []LockCode
	err := s.readTx(ctx, func(tx *dbTx) error {
		var err error
		codes, err = selectLockCodes(ctx, tx,
			`c.id IN (SELECT code_id FROM lock_code_devices WHERE device_id = ?) AND (c.deleted_at IS NULL OR c.deleted_at >= ?)`,
			`lcd.code_id IN (SELECT code_id FROM lock_code_devices WHERE device_id = ?)`,
			deviceID, ms(removedSince))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("db: lock codes of lock %s: %w", deviceID, err)
	}
	return codes, nil
}

// selectLockCodes runs a code query and its per-lock query in one read snapshot. where and devWhere are constant
// conditions, never user text; the first arg is shared, the rest belong to where.
func selectLockCodes(ctx context.Context, tx *dbTx, where, devWhere string, args ...any) ([]LockCode, error) {
	rows := []lockCodeRow{}
	if err := tx.SelectContext(ctx, &rows, lockCodeSelect+`WHERE `+where, args...); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	// Sorted here, not by SQLite: a property has tens of codes, and a sorter costs more than the lookup.
	slices.SortFunc(rows, func(a, b lockCodeRow) int { return cmp.Or(compareFold(a.Name, b.Name), strings.Compare(a.ID, b.ID)) })
	devs := []lockCodeDeviceRow{}
	err := tx.SelectContext(ctx, &devs, `SELECT `+lockCodeDeviceCols+` FROM lock_code_devices lcd
		JOIN devices d ON d.id = lcd.device_id WHERE `+devWhere+` ORDER BY lcd.code_id, lower(d.name), lcd.device_id`, args[0])
	if err != nil {
		return nil, err
	}
	byCode := make(map[string][]LockCodeDevice, len(rows))
	for _, d := range devs {
		byCode[d.CodeID] = append(byCode[d.CodeID], LockCodeDevice{DeviceID: d.DeviceID, Status: d.Status,
			Slot: fromNullInt(d.Slot), Error: d.Error, ReportedAt: fromMS(d.ReportedAt), CheckedAt: fromMS(d.CheckedAt)})
	}
	out := make([]LockCode, len(rows))
	for i, r := range rows {
		out[i] = r.code()
		out[i].Devices = byCode[r.ID]
	}
	return out, nil
}
