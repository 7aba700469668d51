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

// TestStartDurable: a durable cluster keeps fsync, synchronous_commit and full_page_writes on, Describe says so,
// and the throwaway one (Start) keeps them off.
func TestStartDurable(t *testing.T) {
	if _, err := binDir(); err != nil && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	c, err := StartWith(Options{Durable: true, Dir: os.TempDir()}) // the folder: where the test may write
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	desc, err := c.Describe(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"PostgreSQL 1", "fsync=on", "synchronous_commit=on", "full_page_writes=on"} {
		if !strings.Contains(desc, want) {
			t.Errorf("Describe() = %q, want %q in it", desc, want)
		}
	}
	if _, err := c.CreateDatabase(t.Context(), "sized"); err != nil {
		t.Fatal(err)
	}
	if n, err := c.DatabaseSize(t.Context(), "sized"); err != nil || n <= 0 {
		t.Errorf("DatabaseSize = %d, %v", n, err)
	}
	db, err := sql.Open("pgx", DSN(t)) // the shared cluster, for the tests: durability off
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var fsync string
	if err := db.QueryRow(`SHOW fsync`).Scan(&fsync); err != nil || fsync != "off" {
		t.Errorf("the test cluster's fsync = %q (%v), want off", fsync, err)
	}
}
