package db

import (
	"testing"
	"time"
)

// TestQueryPlansUseIndexes asks the database how it runs each list query and checks it uses the index
// meant for it (on PostgreSQL, that the index can serve it: see usesIndex). A partial index silently stops being used when a query's WHERE clause drifts from
// the index's (e.g. LowBatteryPercent changed in Go only), which would only show as slowness.
func TestQueryPlansUseIndexes(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	must(t, s.ApplySync(t.Context(), genSnapshot(50, 1, 4, t0)))
	// A day and a half of audit entries, a minute apart, of which "audit by time" asks for one hour: on an empty log
	// PostgreSQL rightly walks the primary key backwards instead, as the cheapest way to the newest few.
	_, err := s.w.ExecContext(t.Context(), `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
		INSERT INTO audit_log (at, action, outcome) SELECT CAST(? AS BIGINT) - i * 60000, 'sync.ran', 'ok' FROM n`,
		ms(t0.Add(time.Hour)))
	must(t, err)
	_, err = s.w.ExecContext(t.Context(), "ANALYZE") // both dialects: statistics for the planner
	must(t, err)
	page := func(f PropertyFilter) (string, []any) {
		_, q, args := f.queries()
		return q, append(args, 25, 0)
	}
	hubPage := func(f HubFilter) (string, []any) {
		_, q, args := f.queries()
		return q, append(args, 25, 0)
	}
	audit := func(f AuditFilter) (string, []any) { return f.query() }
	fixed := func(q string, args ...any) func() (string, []any) {
		return func() (string, []any) { return q, args }
	}
	tests := []struct {
		name  string
		query func() (string, []any)
		want  []string
	}{
		{"properties by name", func() (string, []any) { return page(PropertyFilter{}) }, []string{"properties_name"}},
		{"properties by city", func() (string, []any) { return page(PropertyFilter{Sort: "city"}) }, []string{"properties_city"}},
		{"properties by alerts", func() (string, []any) { return page(PropertyFilter{Sort: "alerts"}) }, []string{"properties_alerts"}},
		{"properties by sync", func() (string, []any) { return page(PropertyFilter{Sort: "synced"}) }, []string{"properties_synced"}},
		{"hubs by home name", func() (string, []any) { return hubPage(HubFilter{}) }, []string{"hubs_home_name", "devices_hub"}},
		{"alert devices", fixed(alertDevicesSQL, 50), []string{"devices_attention", "hubs_offline"}},
		{"low battery count", fixed(`SELECT count(*) FROM devices WHERE ` + lowBatteryCond), []string{"devices_attention"}},
		{"alerting devices count", fixed(`SELECT count(*) FROM devices WHERE alert <> ''`), []string{"devices_attention"}},
		{"offline hubs count", fixed(`SELECT count(*) FROM hubs WHERE online = 0`), []string{"hubs_offline"}},
		{"hubs of a property", fixed(`SELECT `+hubColsH+` FROM hubs h WHERE h.property_id = ?`, 1000), []string{"hubs_property"}},
		{"devices of a property", fixed(`SELECT `+deviceColsD+` FROM devices d WHERE d.property_id = ?`, 1000), []string{"devices_property"}},
		{"user by email", fixed(`SELECT `+userCols+` FROM users WHERE lower(email) = lower(?)`, "a@b"), []string{"users_email"}},
		{"audit by user", func() (string, []any) { return audit(AuditFilter{UserEmail: "a@b"}) }, []string{"audit_log_user"}},
		{"audit by action", func() (string, []any) { return audit(AuditFilter{Action: "x"}) }, []string{"audit_log_action"}},
		{"audit by target", func() (string, []any) { return audit(AuditFilter{TargetType: "device", TargetID: "d"}) }, []string{"audit_log_target"}},
		{"audit by property", func() (string, []any) { return audit(AuditFilter{PropertyID: ptr(int64(1))}) }, []string{"audit_log_property"}},
		{"audit by time", func() (string, []any) {
			return audit(AuditFilter{From: t0, To: t0.Add(time.Hour)})
		}, []string{"audit_log_at"}},
	}
	if s.dialect == dialectPostgres { // SQLite's FTS5 search is a virtual table: its plan names no index
		// Enough activities that walking the primary key for a rare word costs more than the word index.
		_, err = s.w.ExecContext(t.Context(), `INSERT INTO activities (at, received_at, hub_id, message_type, kind,
			verified, dedupe_key, details) SELECT i, i, 'h', 'm', 'unknown', 0, sha256(int8send(i)), 'event ' || i
			FROM generate_series(1, 20000) i`)
		must(t, err)
		_, err = s.w.ExecContext(t.Context(), "ANALYZE activities")
		must(t, err)
		tests = append(tests, struct {
			name  string
			query func() (string, []any)
			want  []string
		}{"activity text search", func() (string, []any) {
			q, args, err := s.pageSQL(t.Context(), ActivityFilter{Text: "event 12345"}, 50)
			must(t, err)
			return q, args
		}, []string{"activities_search"}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, args := tt.query()
			for _, idx := range tt.want {
				if ok, plan := usesIndex(t, s, idx, q, args...); !ok {
					t.Errorf("plan does not use %s:\n%s", idx, plan)
				}
			}
		})
	}
}
