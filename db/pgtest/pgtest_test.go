package pgtest

import (
	"database/sql"
	"os"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestDatabases: each DSN is its own empty database on a loopback-only server, and a table made in one is not
// seen in the other.
func TestDatabases(t *testing.T) {
	a, b := DSN(t), DSN(t)
	if a == b || !strings.Contains(a, "@127.0.0.1:") {
		t.Fatalf("DSNs %q and %q", a, b)
	}
	open := func(dsn string) *sql.DB {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	da, dbb := open(a), open(b)
	if _, err := da.Exec(`CREATE TABLE t (id bigint PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := dbb.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_name = 't'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("second database sees %d tables named t (%v)", n, err)
	}
	var listen string
	if err := da.QueryRow(`SHOW listen_addresses`).Scan(&listen); err != nil || listen != "127.0.0.1" {
		t.Fatalf("listen_addresses = %q (%v), want loopback only", listen, err)
	}
}

// TestStart: a cluster of one's own serves a created database on loopback, apart from the shared one, and Stop
// removes its folder.
func TestStart(t *testing.T) {
	if _, err := binDir(); err != nil && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	c, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	dir := c.Dir()
	url, err := c.CreateDatabase(t.Context(), "own_db")
	if err != nil {
		c.Stop()
		t.Fatal(err)
	}
	if _, err := c.CreateDatabase(t.Context(), "bad; DROP"); err == nil {
		t.Error("a database name with SQL in it was accepted")
	}
	db, err := sql.Open("pgx", url)
	if err == nil {
		err = db.Ping()
		db.Close()
	}
	c.Stop()
	if err != nil || !strings.Contains(url, "@127.0.0.1:") || !strings.HasSuffix(strings.Split(url, "?")[0], "/own_db") {
		t.Fatalf("database %q: %v", url, err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("Stop left %s behind (%v)", dir, err)
	}
}
