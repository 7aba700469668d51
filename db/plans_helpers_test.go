package db

import (
	"encoding/json"
	"strings"
	"testing"
)

// usesIndex reports whether the planner of s's dialect runs q (with args) through the index named idx, and returns
// the plan for the failure message.
//
// SQLite: EXPLAIN QUERY PLAN, whose detail lines name "INDEX idx". PostgreSQL: EXPLAIN (FORMAT JSON), with every
// "Index Name" of the plan tree. PostgreSQL's planner prefers a sequential scan over an index on tables as small as
// a test's whatever the index, so the plan is asked with enable_seqscan off (for that transaction only): what is
// checked is that the index can serve the query (its predicate and expression match the WHERE and ORDER BY), which
// is the mistake a drifting query makes.
func usesIndex(t *testing.T, s *Store, idx, q string, args ...any) (bool, string) {
	t.Helper()
	var names []string
	var plan string
	if s.dialect == dialectPostgres {
		must(t, s.readTx(t.Context(), func(tx *dbTx) error {
			if _, err := tx.ExecContext(t.Context(), `SET LOCAL enable_seqscan = off`); err != nil {
				return err
			}
			return tx.GetContext(t.Context(), &plan, "EXPLAIN (FORMAT JSON) "+q, args...)
		}))
		var tree any
		must(t, json.Unmarshal([]byte(plan), &tree))
		names = pgIndexNames(tree, nil)
	} else {
		var rows []struct {
			ID      int    `db:"id"`
			Parent  int    `db:"parent"`
			NotUsed int    `db:"notused"`
			Detail  string `db:"detail"`
		}
		must(t, s.r.SelectContext(t.Context(), &rows, "EXPLAIN QUERY PLAN "+q, args...))
		var all strings.Builder
		for _, r := range rows {
			all.WriteString(r.Detail + "\n")
			if _, after, ok := strings.Cut(r.Detail, "INDEX "); ok {
				names = append(names, strings.Fields(after)[0])
			}
		}
		plan = all.String()
	}
	for _, n := range names {
		// A trailing "_" asks for any index of that prefix (the schedules of a property have two candidates).
		if n == idx || (strings.HasSuffix(idx, "_") && strings.HasPrefix(n, idx)) {
			return true, plan
		}
	}
	return false, plan
}

// pgIndexNames collects every "Index Name" in a decoded EXPLAIN (FORMAT JSON) tree.
func pgIndexNames(v any, out []string) []string {
	switch v := v.(type) {
	case map[string]any:
		if n, ok := v["Index Name"].(string); ok {
			out = append(out, n)
		}
		for _, c := range v {
			out = pgIndexNames(c, out)
		}
	case []any:
		for _, c := range v {
			out = pgIndexNames(c, out)
		}
	}
	return out
}
