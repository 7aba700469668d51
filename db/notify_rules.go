package db

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// NotifyRule says who is told about which alerts: kinds and properties (empty = all), a minimum severity, quiet
// hours in the property's zone, and the steps of its escalation.
type NotifyRule struct {
	ID             int64
	Name           string
	Kinds          []string // empty: every kind
	PropertyIDs    []int64  // empty: every property
	MinSeverity    string   // SeverityWarning or SeverityCritical
	QuietStart     int      // minutes after local midnight; -1: no quiet hours
	QuietEnd       int
	NotifyResolved bool // tell those already told when the alert is resolved
	Enabled        bool
	Steps          []NotifyStep // in order; at least one
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// NotifyStep is one stage of a rule: DelayMinutes after the alert opened (step 0) or after the previous step
// (later steps, while nobody acknowledged), send to Emails and/or the endpoint.
type NotifyStep struct {
	DelayMinutes int
	Emails       []string
	EndpointID   *int64
}

type notifyRuleRow struct {
	ID             int64  `db:"id"`
	Name           string `db:"name"`
	Kinds          string `db:"kinds"`
	PropertyIDs    string `db:"property_ids"`
	MinSeverity    string `db:"min_severity"`
	QuietStart     int    `db:"quiet_start"`
	QuietEnd       int    `db:"quiet_end"`
	NotifyResolved bool   `db:"notify_resolved"`
	Enabled        bool   `db:"enabled"`
	CreatedAt      int64  `db:"created_at"`
	UpdatedAt      int64  `db:"updated_at"`
}

type notifyStepRow struct {
	RuleID       int64         `db:"rule_id"`
	Position     int           `db:"position"`
	DelayMinutes int           `db:"delay_minutes"`
	Emails       string        `db:"emails"`
	EndpointID   sql.NullInt64 `db:"endpoint_id"`
}

const notifyRuleCols = `id, name, kinds, property_ids, min_severity, quiet_start, quiet_end, notify_resolved, enabled,
	created_at, updated_at`

func (r notifyRuleRow) rule() NotifyRule {
	out := NotifyRule{ID: r.ID, Name: r.Name, Kinds: splitList(r.Kinds), MinSeverity: r.MinSeverity,
		QuietStart: r.QuietStart, QuietEnd: r.QuietEnd, NotifyResolved: r.NotifyResolved, Enabled: r.Enabled,
		CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt)}
	for _, p := range splitList(r.PropertyIDs) {
		if id, err := strconv.ParseInt(p, 10, 64); err == nil {
			out.PropertyIDs = append(out.PropertyIDs, id)
		}
	}
	return out
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

func (r NotifyRule) check() error {
	switch {
	case strings.TrimSpace(r.Name) == "":
		return fmt.Errorf("a rule needs a name")
	case r.MinSeverity != SeverityWarning && r.MinSeverity != SeverityCritical:
		return fmt.Errorf("unknown severity %q", r.MinSeverity)
	case len(r.Steps) == 0:
		return fmt.Errorf("a rule needs at least one step")
	}
	return nil
}

// CreateNotifyRule stores r with its steps and returns it with its id. A name in use is ErrConflict; a step
// naming an unknown endpoint is ErrNotFound.
func (s *Store) CreateNotifyRule(ctx context.Context, r NotifyRule) (NotifyRule, error) {
	if err := r.check(); err != nil {
		return NotifyRule{}, fmt.Errorf("db: create notify rule: %w", err)
	}
	r.CreatedAt = stored(nowOr(r.CreatedAt))
	r.UpdatedAt = r.CreatedAt
	err := s.inTx(ctx, func(tx *dbTx) error {
		if err := tx.GetContext(ctx, &r.ID, `INSERT INTO notify_rules (name, kinds, property_ids, min_severity,
			quiet_start, quiet_end, notify_resolved, enabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.Name, strings.Join(r.Kinds, ","),
			joinIDs(r.PropertyIDs), r.MinSeverity, r.QuietStart, r.QuietEnd, r.NotifyResolved, r.Enabled,
			ms(r.CreatedAt), ms(r.UpdatedAt)); err != nil {
			return err
		}
		return insertStepsTx(ctx, tx, r.ID, r.Steps)
	})
	if err != nil {
		return NotifyRule{}, fmt.Errorf("db: create notify rule %q: %w", r.Name, ruleErr(err))
	}
	return r, nil
}

// UpdateNotifyRule replaces rule r.ID's fields and steps. Notifications already decided keep their schedule.
func (s *Store) UpdateNotifyRule(ctx context.Context, r NotifyRule) error {
	if err := r.check(); err != nil {
		return fmt.Errorf("db: update notify rule %d: %w", r.ID, err)
	}
	err := s.inTx(ctx, func(tx *dbTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notify_rules SET name = ?, kinds = ?, property_ids = ?, min_severity = ?,
			quiet_start = ?, quiet_end = ?, notify_resolved = ?, enabled = ?, updated_at = ? WHERE id = ?`,
			r.Name, strings.Join(r.Kinds, ","), joinIDs(r.PropertyIDs), r.MinSeverity, r.QuietStart, r.QuietEnd,
			r.NotifyResolved, r.Enabled, ms(nowOr(r.UpdatedAt)), r.ID)
		if err != nil {
			return err
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM notify_steps WHERE rule_id = ?`, r.ID); err != nil {
			return err
		}
		return insertStepsTx(ctx, tx, r.ID, r.Steps)
	})
	if err != nil {
		return fmt.Errorf("db: update notify rule %d: %w", r.ID, ruleErr(err))
	}
	return nil
}

func ruleErr(err error) error {
	switch {
	case isUnique(err):
		return ErrConflict
	case isForeignKey(err):
		return ErrNotFound
	}
	return err
}

func insertStepsTx(ctx context.Context, tx *dbTx, ruleID int64, steps []NotifyStep) error {
	for i, st := range steps {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notify_steps (rule_id, position, delay_minutes, emails, endpoint_id)
			VALUES (?, ?, ?, ?, ?)`, ruleID, i, st.DelayMinutes, strings.Join(st.Emails, ","), nullInt64(st.EndpointID)); err != nil {
			return err
		}
	}
	return nil
}

// DeleteNotifyRule removes a rule and its steps; its pending notifications are cancelled, sent ones stay listed.
func (s *Store) DeleteNotifyRule(ctx context.Context, id int64, at time.Time) error {
	err := s.inTx(ctx, func(tx *dbTx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE notifications SET state = 'cancelled', last_error = 'the rule was deleted',
			updated_at = ? WHERE rule_id = ? AND state = 'pending'`, ms(nowOr(at)), id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM notify_rules WHERE id = ?`, id)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("db: delete notify rule %d: %w", id, err)
	}
	return nil
}

// NotifyRuleByID returns one rule with its steps, or ErrNotFound.
func (s *Store) NotifyRuleByID(ctx context.Context, id int64) (NotifyRule, error) {
	rules, err := s.notifyRules(ctx, `WHERE id = ?`, id)
	if err != nil {
		return NotifyRule{}, fmt.Errorf("db: notify rule %d: %w", id, err)
	}
	if len(rules) == 0 {
		return NotifyRule{}, fmt.Errorf("db: notify rule %d: %w", id, ErrNotFound)
	}
	return rules[0], nil
}

// ListNotifyRules returns every rule with its steps, by name.
func (s *Store) ListNotifyRules(ctx context.Context) ([]NotifyRule, error) {
	rules, err := s.notifyRules(ctx, ``)
	if err != nil {
		return nil, fmt.Errorf("db: list notify rules: %w", err)
	}
	return rules, nil
}

// notifyRules reads rules matching where and their steps in one snapshot.
func (s *Store) notifyRules(ctx context.Context, where string, args ...any) ([]NotifyRule, error) {
	var out []NotifyRule
	err := s.readTx(ctx, func(tx *dbTx) error {
		rows := []notifyRuleRow{}
		if err := tx.SelectContext(ctx, &rows, `SELECT `+notifyRuleCols+` FROM notify_rules `+where+` ORDER BY name, id`, args...); err != nil {
			return err
		}
		steps := []notifyStepRow{}
		if err := tx.SelectContext(ctx, &steps, `SELECT rule_id, position, delay_minutes, emails, endpoint_id
			FROM notify_steps ORDER BY rule_id, position`); err != nil {
			return err
		}
		byRule := map[int64][]NotifyStep{}
		for _, st := range steps {
			byRule[st.RuleID] = append(byRule[st.RuleID], NotifyStep{DelayMinutes: st.DelayMinutes,
				Emails: splitList(st.Emails), EndpointID: fromNullInt64(st.EndpointID)})
		}
		for _, r := range rows {
			rule := r.rule()
			rule.Steps = byRule[r.ID]
			out = append(out, rule)
		}
		return nil
	})
	return out, err
}
