package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Audit outcomes.
const (
	OutcomeOK     = "ok"     // the action was carried out
	OutcomeDenied = "denied" // the person was not allowed to do it
	OutcomeFailed = "failed" // it was allowed but failed (e.g. the upstream refused)
)

// AuditEntry is one record of the staff audit log: who did what, to what, when, from where, and
// how it ended. Entries are append-only: triggers make UPDATE and DELETE on the table fail.
type AuditEntry struct {
	ID         int64
	At         time.Time
	UserID     *int64 // nil for an unauthenticated attempt
	UserEmail  string
	Role       string
	Action     string // e.g. "lock_code.reveal", "device.unlock"
	TargetType string // e.g. "device", "lock_code", "user"
	TargetID   string
	PropertyID *int64
	IP         string
	UserAgent  string
	Outcome    string // OutcomeOK, OutcomeDenied or OutcomeFailed
	Detail     string // human-readable; never a lock code, token or password
}

type auditRow struct {
	ID         int64         `db:"id"`
	At         int64         `db:"at"`
	UserID     sql.NullInt64 `db:"user_id"`
	UserEmail  string        `db:"user_email"`
	Role       string        `db:"role"`
	Action     string        `db:"action"`
	TargetType string        `db:"target_type"`
	TargetID   string        `db:"target_id"`
	PropertyID sql.NullInt64 `db:"property_id"`
	IP         string        `db:"ip"`
	UserAgent  string        `db:"user_agent"`
	Outcome    string        `db:"outcome"`
	Detail     string        `db:"detail"`
}

const auditCols = `id, at, user_id, user_email, role, action, target_type, target_id, property_id, ip, user_agent,
	outcome, detail`

func (r auditRow) entry() AuditEntry {
	return AuditEntry{ID: r.ID, At: fromMS(r.At), UserID: fromNullInt64(r.UserID), UserEmail: r.UserEmail,
		Role: r.Role, Action: r.Action, TargetType: r.TargetType, TargetID: r.TargetID,
		PropertyID: fromNullInt64(r.PropertyID), IP: r.IP, UserAgent: r.UserAgent, Outcome: r.Outcome, Detail: r.Detail}
}

// Audit appends one entry (e.ID is ignored; zero At means now). Action is required and Outcome
// must be one of the Outcome constants.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	if e.Action == "" {
		return fmt.Errorf("db: audit %s %s: action is required", e.TargetType, e.TargetID)
	}
	switch e.Outcome {
	case OutcomeOK, OutcomeDenied, OutcomeFailed:
	default:
		return fmt.Errorf("db: audit %s: unknown outcome %q", e.Action, e.Outcome)
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO audit_log
		(at, user_id, user_email, role, action, target_type, target_id, property_id, ip, user_agent, outcome, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ms(nowOr(e.At)), nullInt64(e.UserID), e.UserEmail, e.Role, e.Action, e.TargetType, e.TargetID,
		nullInt64(e.PropertyID), e.IP, e.UserAgent, e.Outcome, e.Detail)
	if err != nil {
		return fmt.Errorf("db: audit %s %s %s: %w", e.Action, e.TargetType, e.TargetID, err)
	}
	return nil
}

// AuditFilter selects audit entries. Empty strings, nil and zero times do not filter.
type AuditFilter struct {
	UserEmail  string // exact, case-insensitive
	Action     string
	TargetType string
	TargetID   string
	PropertyID *int64
	From       time.Time // At >= From
	To         time.Time // At < To
	Before     int64     // keyset paging: only entries with ID < Before (pass the last ID of the previous page)
	Limit      int       // 0 means 100; at most 1000
}

// Audit list bounds.
const (
	defaultAuditLimit = 100
	maxAuditLimit     = 1000
)

// query returns the statement selecting f's entries, newest first, and its arguments: an AuditSearch with any
// outcome, which cannot fail.
func (f AuditFilter) query() (string, []any) {
	q, args, _ := AuditSearch{AuditFilter: f}.query()
	return q, args
}

// ListAudit returns entries matching f, newest first.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	q, args := f.query()
	rows := []auditRow{}
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("db: list audit: %w", err)
	}
	entries := make([]AuditEntry, len(rows))
	for i, r := range rows {
		entries[i] = r.entry()
	}
	return entries, nil
}
