package db

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// mirrorDump renders every mirrored row, counters included, so two states can be compared.
func mirrorDump(t *testing.T, s *Store) string {
	t.Helper()
	var rows []string
	for _, q := range []string{
		`SELECT ` + propertyCols + `, n_hubs, n_hubs_offline, n_devices, n_low_battery, n_alert_devices FROM properties ORDER BY id`,
		`SELECT ` + hubCols + ` FROM hubs ORDER BY id`,
		`SELECT ` + deviceCols + ` FROM devices ORDER BY id`,
	} {
		r, err := s.r.QueryxContext(t.Context(), q)
		must(t, err)
		for r.Next() {
			vals, err := r.SliceScan()
			must(t, err)
			var b strings.Builder
			for _, v := range vals {
				if raw, ok := v.([]byte); ok {
					v = string(raw)
				}
				fmt.Fprintf(&b, "%v|", v)
			}
			rows = append(rows, b.String())
		}
		must(t, r.Err())
		r.Close()
	}
	return strings.Join(rows, "\n")
}

func TestApplySyncIsIdempotent(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	snap := genSnapshot(10, 2, 4, t0)
	must(t, s.ApplySync(t.Context(), snap))
	first := mirrorDump(t, s)
	must(t, s.ApplySync(t.Context(), snap))
	if second := mirrorDump(t, s); second != first {
		t.Fatalf("second ApplySync changed the mirror:\n%s\n---\n%s", first, second)
	}
	checkCounters(t, s)

	// A later sync with the same content moves SyncedAt but not StateChangedAt.
	snap.At = t0.Add(time.Hour)
	must(t, s.ApplySync(t.Context(), snap))
	d, err := s.Device(t.Context(), snap.Devices[0].ID)
	must(t, err)
	if !d.SyncedAt.Equal(t0.Add(time.Hour)) || !d.StateChangedAt.Equal(t0) {
		t.Fatalf("device after re-sync: synced %v, state changed %v", d.SyncedAt, d.StateChangedAt)
	}
}

func TestApplySyncDeletesVanishedRows(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	must(t, s.ApplySync(ctx, genSnapshot(5, 2, 3, t0)))

	next := genSnapshot(5, 2, 3, t0.Add(time.Hour))
	// Property 1000 vanishes with its hubs and devices; one more device vanishes elsewhere; a device changes.
	next.Properties = next.Properties[1:]
	next.Hubs = next.Hubs[2:]
	gone := next.Devices[6] // devices 0-5 belong to property 1000
	next.Devices = next.Devices[7:]
	next.Devices[0].State = `{"mode":{"type":"unlocked"}}`
	must(t, s.ApplySync(ctx, next))

	_, err := s.Property(ctx, 1000)
	wantErr(t, err, ErrNotFound)
	_, err = s.Hub(ctx, "hub-000000")
	wantErr(t, err, ErrNotFound)
	_, err = s.Device(ctx, "dev-0000000")
	wantErr(t, err, ErrNotFound)
	_, err = s.Device(ctx, gone.ID)
	wantErr(t, err, ErrNotFound)
	c, err := s.PortfolioCounts(ctx)
	must(t, err)
	if c.Properties != 4 || c.Hubs != 8 || c.Devices != len(next.Devices) {
		t.Fatalf("counts after sync: %+v, want 4/8/%d", c, len(next.Devices))
	}
	d, err := s.Device(ctx, next.Devices[0].ID)
	if err != nil || !d.StateChangedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("changed device: %+v, %v", d, err)
	}
	checkCounters(t, s)

	must(t, s.ApplySync(ctx, Snapshot{At: t0.Add(2 * time.Hour)})) // an empty portfolio empties the mirror
	if c, _ := s.PortfolioCounts(ctx); c != (Counts{}) {
		t.Fatalf("after empty sync: %+v", c)
	}
}

func TestApplySyncRejectsInconsistentSnapshots(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	must(t, s.ApplySync(ctx, genSnapshot(3, 1, 2, t0)))
	before := mirrorDump(t, s)
	tests := []struct {
		name   string
		mutate func(*Snapshot)
	}{
		{"no time", func(sn *Snapshot) { sn.At = time.Time{} }},
		{"hub of a missing property", func(sn *Snapshot) { sn.Hubs[0].PropertyID = ptr(int64(42)) }},
		{"device of a missing hub", func(sn *Snapshot) { sn.Devices[0].HubID = "ghost" }},
		{"device of a missing property", func(sn *Snapshot) { sn.Devices[0].PropertyID = ptr(int64(42)) }},
		{"unknown alert", func(sn *Snapshot) { sn.Devices[0].Alert = "fire" }},
		{"hub without id", func(sn *Snapshot) { sn.Hubs = append(sn.Hubs, Hub{}) }},
		{"device without id", func(sn *Snapshot) { sn.Devices[0].ID = "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := genSnapshot(2, 1, 1, t0.Add(time.Hour))
			tt.mutate(&snap)
			err := s.ApplySync(ctx, snap)
			if err == nil || !strings.HasPrefix(err.Error(), "db: apply sync: ") {
				t.Fatalf("err = %v", err)
			}
			if after := mirrorDump(t, s); after != before {
				t.Fatal("a rejected snapshot changed the mirror")
			}
		})
	}
}

// TestApplySyncRollsBack makes the database refuse one device midway (a test-only trigger) and
// checks that nothing of the sync remains.
func TestApplySyncRollsBack(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	must(t, s.ApplySync(ctx, genSnapshot(3, 1, 2, t0)))
	before := mirrorDump(t, s)
	refuse := []string{`CREATE TRIGGER refuse BEFORE INSERT ON devices WHEN NEW.id = 'dev-0000009'
		BEGIN SELECT RAISE(ABORT, 'refused'); END`}
	if s.dialect == dialectPostgres {
		refuse = []string{`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'refused'; END $$`,
			`CREATE TRIGGER refuse BEFORE INSERT ON devices FOR EACH ROW WHEN (NEW.id = 'dev-0000009')
			EXECUTE FUNCTION refuse()`}
	}
	for _, q := range refuse {
		_, err := s.w.ExecContext(ctx, q)
		must(t, err)
	}
	err := s.ApplySync(ctx, genSnapshot(6, 1, 2, t0.Add(time.Hour)))
	if err == nil || !strings.Contains(err.Error(), "device dev-0000009") {
		t.Fatalf("err = %v, want a failure naming the device", err)
	}
	if after := mirrorDump(t, s); after != before {
		t.Fatal("a failed sync left part of its writes")
	}
}

// TestApplySyncAtScale applies the 5,000 properties / 5,000 hubs / 40,000 devices portfolio twice and checks what
// it left. How long that takes is measured by make bench (BENCHMARKS.md, "Building a portfolio"), not here: a busy
// machine is not a defect.
func TestApplySyncAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("full-size sync")
	}
	t.Parallel()
	s := newStore(t)
	snap := genSnapshot(5000, 1, 8, t0)
	for range 2 {
		must(t, s.ApplySync(t.Context(), snap))
	}
	c, err := s.PortfolioCounts(t.Context())
	if err != nil || c.Properties != 5000 || c.Hubs != 5000 || c.Devices != 40000 {
		t.Fatalf("counts %+v, %v", c, err)
	}
	checkCounters(t, s)
}
