package db

import (
	"context"
	"fmt"
	"strings"
)

// AuditSearch is what the audit page and its export filter on: every AuditFilter field plus the outcome. It lives
// beside the command records because both are what staff did; AuditFilter stays as the store's narrower query.
type AuditSearch struct {
	AuditFilter
	Outcome string // OutcomeOK, OutcomeDenied, OutcomeFailed, or "" for any
}

// query returns the statement selecting the search's entries, newest first (keyset on id), and its arguments.
func (q AuditSearch) query() (string, []any, error) {
	conds, args := []string{"1 = 1"}, []any{}
	add := func(cond string, arg any) {
		conds = append(conds, cond)
		args = append(args, arg)
	}
	f := q.AuditFilter
	if f.UserEmail != "" {
		add("lower(user_email) = lower(?)", strings.TrimSpace(f.UserEmail))
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.TargetType != "" {
		add("target_type = ?", f.TargetType)
	}
	if f.TargetID != "" {
		add("target_id = ?", f.TargetID)
	}
	if f.PropertyID != nil {
		add("property_id = ?", *f.PropertyID)
	}
	switch q.Outcome {
	case "":
	case OutcomeOK, OutcomeDenied, OutcomeFailed:
		add("outcome = ?", q.Outcome)
	default:
		return "", nil, fmt.Errorf("unknown outcome %q", q.Outcome)
	}
	if !f.From.IsZero() {
		add("at >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", ms(f.To))
	}
	if f.Before > 0 {
		add("id < ?", f.Before)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultAuditLimit
	}
	stmt := `SELECT ` + auditCols + ` FROM audit_log WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY id DESC LIMIT ?`
	return stmt, append(args, min(limit, maxAuditLimit)), nil
}

// SearchAudit returns the entries matching q, newest first. Page on with Before = the last ID returned.
func (s *Store) SearchAudit(ctx context.Context, q AuditSearch) ([]AuditEntry, error) {
	stmt, args, err := q.query()
	if err != nil {
		return nil, fmt.Errorf("db: search audit: %w", err)
	}
	rows := []auditRow{}
	if err := s.r.SelectContext(ctx, &rows, stmt, args...); err != nil {
		return nil, fmt.Errorf("db: search audit: %w", err)
	}
	out := make([]AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, nil
}

// AuditActions returns every action name the audit log holds, sorted, for the page's action filter.
func (s *Store) AuditActions(ctx context.Context) ([]string, error) {
	out := []string{}
	if err := s.r.SelectContext(ctx, &out, `SELECT DISTINCT action FROM audit_log ORDER BY action`); err != nil {
		return nil, fmt.Errorf("db: audit actions: %w", err)
	}
	return out, nil
}

// AuditTargetTypes returns every target type the audit log holds, sorted, for the page's target filter.
func (s *Store) AuditTargetTypes(ctx context.Context) ([]string, error) {
	out := []string{}
	if err := s.r.SelectContext(ctx, &out,
		`SELECT DISTINCT target_type FROM audit_log WHERE target_type <> '' ORDER BY target_type`); err != nil {
		return nil, fmt.Errorf("db: audit target types: %w", err)
	}
	return out, nil
}
