package db

import (
	"testing"

	"github.com/keyless/dashboard/migrations"
)

// TestMigrationBackfillsEnvelope: activities stored before address and pms_datapull_id had columns get them from
// the bodies kept beside them, so exports of old rows are as faithful as new ones.
func TestMigrationBackfillsEnvelope(t *testing.T) {
	t.Parallel()
	w := rawWriter(t)
	before := migrationsThrough(t, migrations.SQLite, 7) // the schema as it was before the columns
	if _, err := Migrate(t.Context(), w, before); err != nil {
		t.Fatal(err)
	}
	bodies := map[int]string{
		1: `{"hub_id":"h","address":"5310 W Barry Ave, Chicago","pms_datapull_id":"Rently02|221","message_type":"Lock"}`,
		2: `{"hub_id":"h","message_type":"online"}`,                              // neither field sent
		3: `{"hub_id":"h","address":"","pms_datapull_id":42,"message_type":"x"}`, // a number keeps its digits
		4: `not json`,                                                            // never stored by the receiver, but must not stop the migration
	}
	for id, body := range bodies {
		_, err := w.ExecContext(t.Context(), `INSERT INTO activities (id, at, received_at, hub_id, message_type, kind,
			verified, dedupe_key) VALUES (?, 1, 1, 'h', 'm', 'unknown', 0, randomblob(32))`, id)
		must(t, err)
		_, err = w.ExecContext(t.Context(), `INSERT INTO activity_bodies (activity_id, body) VALUES (?, ?)`, id, []byte(body))
		must(t, err)
	}
	if _, err := Migrate(t.Context(), w, migrations.SQLite); err != nil {
		t.Fatal(err)
	}
	want := map[int][2]string{1: {"5310 W Barry Ave, Chicago", "Rently02|221"}, 2: {"", ""}, 3: {"", "42"}, 4: {"", ""}}
	for id, fields := range want {
		var got struct {
			Address string `db:"address"`
			PMS     string `db:"pms_datapull_id"`
		}
		must(t, w.GetContext(t.Context(), &got, `SELECT address, pms_datapull_id FROM activities WHERE id = ?`, id))
		if got.Address != fields[0] || got.PMS != fields[1] {
			t.Errorf("activity %d: address %q, pms_datapull_id %q; want %q, %q", id, got.Address, got.PMS, fields[0], fields[1])
		}
	}
}
