package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Command statuses: every record starts pending and ends succeeded or failed, once.
const (
	CommandPending   = "pending"
	CommandSucceeded = "succeeded"
	CommandFailed    = "failed"
)

// Command is one hardware command a person sent to a device or a hub, and how it ended. DeviceID is empty for
// a hub command. Command is the JSON of what was asked; it never holds a PIN or a master code.
type Command struct {
	ID          int64
	HubID       string
	DeviceID    string
	PropertyID  *int64
	UserID      *int64
	UserEmail   string
	Action      string
	Command     string
	Status      string
	Reason      string // why it failed
	Result      string // what the hardware reported when it succeeded
	UpstreamID  string // the upstream's command id, for hub commands
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ConfirmedAt *time.Time // when it succeeded or failed; nil while pending
}

type commandRow struct {
	ID          int64          `db:"id"`
	HubID       string         `db:"hub_id"`
	DeviceID    sql.NullString `db:"device_id"`
	PropertyID  sql.NullInt64  `db:"property_id"`
	UserID      sql.NullInt64  `db:"user_id"`
	UserEmail   string         `db:"user_email"`
	Action      string         `db:"action"`
	Command     string         `db:"command"`
	Status      string         `db:"status"`
	Reason      string         `db:"reason"`
	Result      string         `db:"result"`
	UpstreamID  string         `db:"upstream_id"`
	CreatedAt   int64          `db:"created_at"`
	UpdatedAt   int64          `db:"updated_at"`
	ConfirmedAt sql.NullInt64  `db:"confirmed_at"`
}

const commandCols = `id, hub_id, device_id, property_id, user_id, user_email, action, command, status, reason, result,
	upstream_id, created_at, updated_at, confirmed_at`

func (r commandRow) command() Command {
	return Command{ID: r.ID, HubID: r.HubID, DeviceID: r.DeviceID.String, PropertyID: fromNullInt64(r.PropertyID),
		UserID: fromNullInt64(r.UserID), UserEmail: r.UserEmail, Action: r.Action, Command: r.Command,
		Status: r.Status, Reason: r.Reason, Result: r.Result, UpstreamID: r.UpstreamID, CreatedAt: fromMS(r.CreatedAt),
		UpdatedAt: fromMS(r.UpdatedAt), ConfirmedAt: fromNullMS(r.ConfirmedAt)}
}

// Command list bounds.
const (
	DefaultCommandLimit = 10
	MaxCommandLimit     = 500
)

func commandLimit(n int) int {
	if n <= 0 {
		return DefaultCommandLimit
	}
	return min(n, MaxCommandLimit)
}

// CreateCommand stores c as a new pending record and returns it as stored. Zero CreatedAt means now. HubID and
// Action are required; the status, confirmation and outcome fields of c are ignored.
func (s *Store) CreateCommand(ctx context.Context, c Command) (Command, error) {
	if c.HubID == "" || c.Action == "" {
		return Command{}, fmt.Errorf("db: create command %q for hub %q: hub and action are required", c.Action, c.HubID)
	}
	if c.Command == "" {
		c.Command = "{}"
	}
	at := stored(nowOr(c.CreatedAt))
	err := s.w.GetContext(ctx, &c.ID, `INSERT INTO commands
		(hub_id, device_id, property_id, user_id, user_email, action, command, status, upstream_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.HubID, sql.NullString{String: c.DeviceID, Valid: c.DeviceID != ""}, nullInt64(c.PropertyID),
		nullInt64(c.UserID), c.UserEmail, c.Action, c.Command, CommandPending, c.UpstreamID, ms(at), ms(at))
	if err != nil {
		return Command{}, fmt.Errorf("db: create command %s for hub %s: %w", c.Action, c.HubID, err)
	}
	c.Status, c.Reason, c.Result, c.CreatedAt, c.UpdatedAt, c.ConfirmedAt = CommandPending, "", "", at, at, nil
	return c, nil
}

// Command returns one record, or ErrNotFound.
func (s *Store) Command(ctx context.Context, id int64) (Command, error) {
	var r commandRow
	if err := s.r.GetContext(ctx, &r, `SELECT `+commandCols+` FROM commands WHERE id = ?`, id); err != nil {
		return Command{}, fmt.Errorf("db: command %d: %w", id, notFound(err))
	}
	return r.command(), nil
}

// SetCommandUpstreamID records the id the upstream gave a command it accepted. An unknown id is ErrNotFound.
func (s *Store) SetCommandUpstreamID(ctx context.Context, id int64, upstreamID string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE commands SET upstream_id = ? WHERE id = ?`, upstreamID, id)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("db: command %d upstream id: %w", id, err)
	}
	return nil
}

// FinishCommand moves a pending record to status (CommandSucceeded or CommandFailed) with its reason or result,
// at the given time. It reports false, and changes nothing, when the record is no longer pending: a command ends
// once, whichever of the sender, the webhook and the tracker sees the outcome first. An unknown id is ErrNotFound.
func (s *Store) FinishCommand(ctx context.Context, id int64, status, reason, result string, at time.Time) (Command, bool, error) {
	if status != CommandSucceeded && status != CommandFailed {
		return Command{}, false, fmt.Errorf("db: finish command %d: status %q is not final", id, status)
	}
	at = stored(nowOr(at))
	var r commandRow
	changed := false
	err := s.inTx(ctx, func(tx *dbTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE commands SET status = ?, reason = ?, result = ?, updated_at = ?,
			confirmed_at = ? WHERE id = ? AND status = 'pending'`, status, reason, result, ms(at), ms(at), id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		changed = n == 1
		return notFound(tx.GetContext(ctx, &r, `SELECT `+commandCols+` FROM commands WHERE id = ?`, id))
	})
	if err != nil {
		return Command{}, false, fmt.Errorf("db: finish command %d: %w", id, err)
	}
	return r.command(), changed, nil
}

// PendingCommands returns up to limit pending records, oldest first.
func (s *Store) PendingCommands(ctx context.Context, limit int) ([]Command, error) {
	return s.selectCommands(ctx, "pending", `status = 'pending' ORDER BY created_at, id LIMIT ?`, commandLimit(limit))
}

// PendingCommandsFor returns the pending records of one device (deviceID set) or the pending hub-level records of
// one hub, oldest first.
func (s *Store) PendingCommandsFor(ctx context.Context, hubID, deviceID string) ([]Command, error) {
	if deviceID != "" {
		return s.selectCommands(ctx, "pending of device "+deviceID,
			`device_id = ? AND status = 'pending' ORDER BY id LIMIT ?`, deviceID, MaxCommandLimit)
	}
	return s.selectCommands(ctx, "pending of hub "+hubID,
		`hub_id = ? AND device_id IS NULL AND status = 'pending' ORDER BY id LIMIT ?`, hubID, MaxCommandLimit)
}

// DeviceCommands returns the newest records of a device, newest first.
func (s *Store) DeviceCommands(ctx context.Context, deviceID string, limit int) ([]Command, error) {
	return s.selectCommands(ctx, "of device "+deviceID,
		`device_id = ? ORDER BY id DESC LIMIT ?`, deviceID, commandLimit(limit))
}

// HubCommands returns the newest hub-level records of a hub (not those of its devices), newest first.
func (s *Store) HubCommands(ctx context.Context, hubID string, limit int) ([]Command, error) {
	return s.selectCommands(ctx, "of hub "+hubID,
		`hub_id = ? AND device_id IS NULL ORDER BY id DESC LIMIT ?`, hubID, commandLimit(limit))
}

// selectCommands runs a query; where is a constant clause, never user text.
func (s *Store) selectCommands(ctx context.Context, what, where string, args ...any) ([]Command, error) {
	rows := []commandRow{}
	if err := s.r.SelectContext(ctx, &rows, `SELECT `+commandCols+` FROM commands WHERE `+where, args...); err != nil {
		return nil, fmt.Errorf("db: commands %s: %w", what, err)
	}
	out := make([]Command, len(rows))
	for i, r := range rows {
		out[i] = r.command()
	}
	return out, nil
}
