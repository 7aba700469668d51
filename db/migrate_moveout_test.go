package db

import (
	"fmt"
	"io/fs"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/keyless/dashboard/migrations"
)

// migrationsThrough returns the files of fsys numbered 1 to n: the schema as it was at version n.
func migrationsThrough(t *testing.T, fsys fs.FS, n int) fstest.MapFS {
	t.Helper()
	out := fstest.MapFS{}
	for v := 1; v <= n; v++ {
		names, err := fs.Glob(fsys, fmt.Sprintf("%04d_*.sql", v))
		if err != nil || len(names) != 1 {
			t.Fatalf("migration %d: %v %v", v, names, err)
		}
		b, err := fs.ReadFile(fsys, names[0])
		must(t, err)
		out[names[0]] = &fstest.MapFile{Data: b}
	}
	return out
}

// TestMigrationBackfillsMoveOutOrder: move-out items recorded before 0012 keep the order they were recorded in
// (their rowid), which is not the order of their key, once the order is a column.
func TestMigrationBackfillsMoveOutOrder(t *testing.T) {
	t.Parallel()
	w := rawWriter(t)
	if _, err := Migrate(t.Context(), w, migrationsThrough(t, migrations.SQLite, 10)); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO properties (id, name, synced_at) VALUES (1, 'One', 0)`,
		`INSERT INTO move_outs (id, property_id, email, requested_at) VALUES (1, 1, 'all', 0)`,
		`INSERT INTO move_out_items (move_out_id, kind, ref_id) VALUES (1, 'invitation', 9)`,
		`INSERT INTO move_out_items (move_out_id, kind, ref_id) VALUES (1, 'guest_link', 5)`,
		`INSERT INTO move_out_items (move_out_id, kind, ref_id) VALUES (1, 'invitation', 2)`,
	} {
		_, err := w.ExecContext(t.Context(), q)
		must(t, err)
	}
	if _, err := Migrate(t.Context(), w, migrations.SQLite); err != nil {
		t.Fatal(err)
	}
	var refs []int64
	must(t, w.SelectContext(t.Context(), &refs, `SELECT ref_id FROM move_out_items WHERE move_out_id = 1
		ORDER BY seq, kind, ref_id`))
	if want := []int64{9, 5, 2}; !slices.Equal(refs, want) {
		t.Errorf("items after 0012 = %v, want the recorded order %v", refs, want)
	}
}
