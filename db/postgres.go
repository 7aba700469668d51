package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"

	"github.com/keyless/dashboard/migrations"
)

// PostgreSQL connection settings. A URL may set its own connect_timeout and application_name; these apply when it
// does not.
const (
	pgConnectTimeout   = 10 * time.Second // a server that does not answer fails Open (and a request) instead of hanging
	pgAppName          = "dashboard"      // shows in pg_stat_activity, so an operator can tell our sessions apart
	pgConnMaxLifetime  = 30 * time.Minute // reconnect now and then: a failover or a DNS change is picked up
	pgConnMaxIdleTime  = 5 * time.Minute
	pgUnlockTimeout    = 10 * time.Second // bound on releasing the migration lock once the run is over
	pgMigrationsTable  = "schema_migrations"
	pgMigrationLockKey = int64(0x6b65796c657373) // "keyless" in ASCII: the session advisory lock held while migrating
)

// OpenPostgres opens the PostgreSQL database at url (postgres://user:pass@host:port/dbname?...), refuses it unless
// it has the C locale (postgres_locale.go), applies pending migrations (migrations.Postgres) under a session
// advisory lock, so that instances starting together migrate once and in order, and returns a store with a writer
// pool and a reader pool.
//
// The writer pool has exactly one connection per instance, as on SQLite: the store's code assumes one writer (the
// group-commit ingester, inTx's "use only tx", read-then-write sequences without row locks), and that stays true
// inside one instance. Several instances do write concurrently; what must hold across instances is the database's
// job (constraints, upserts), not this pool's. The reader pool has max(4, NumCPU) connections.
func OpenPostgres(ctx context.Context, url string) (*Store, error) {
	name := redactURL(url)
	cfg, err := pgConfig(url)
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", name, err)
	}
	w := openPgPool(cfg, 1)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("db: open %s: %w", name, err)
	}
	if err := checkPgLocale(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("db: open %s: %w", name, err)
	}
	version, err := migratePostgres(ctx, w, migrations.Postgres)
	if err != nil {
		w.Close()
		return nil, err
	}
	// The reader refuses writes, as SQLite's mode=ro reader does: a write sent to the wrong pool fails loudly.
	rcfg := cfg.Copy()
	rcfg.RuntimeParams["default_transaction_read_only"] = "on"
	r := openPgPool(rcfg, max(4, runtime.NumCPU()))
	if err := r.PingContext(ctx); err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("db: open %s read pool: %w", name, err)
	}
	s := &Store{dialect: dialectPostgres, w: dbPool{w}, r: dbPool{r}, path: name, version: version, pg: cfg}
	if err := s.startIngest(ctx); err != nil {
		r.Close()
		w.Close()
		return nil, err
	}
	return s, nil
}

// dedicatedConn opens a PostgreSQL connection outside both pools, for work that holds one session for a long time
// (LISTEN, the leader lock): such a session must not be handed to a query in between or returned to a pool.
func (s *Store) dedicatedConn(ctx context.Context) (*pgx.Conn, error) {
	if s.pg == nil {
		return nil, errors.New("db: not a PostgreSQL store")
	}
	c, err := pgx.ConnectConfig(ctx, s.pg.Copy())
	if err != nil {
		return nil, fmt.Errorf("db: connect %s: %w", s.path, err)
	}
	return c, nil
}

// pgConfig parses url and fills in the connection settings it leaves out.
func pgConfig(url string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = pgConnectTimeout
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = pgAppName
	}
	return cfg, nil
}

// openPgPool opens a pool of at most n connections under the "pgx" driver name, which sqlx rebinds to $1, $2…
// Every connection encodes a Go bool into an integer column as 1 or 0, as SQLite's driver does (postgres_types.go).
func openPgPool(cfg *pgx.ConnConfig, n int) *sqlx.DB {
	db := sqlx.NewDb(stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(registerIntBools)), "pgx")
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(pgConnMaxLifetime)
	db.SetConnMaxIdleTime(pgConnMaxIdleTime)
	return db
}

// redactURL returns url without its password, for error messages and logs.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "postgres database" // a keyword/value DSN: say nothing that could hold a password
	}
	return u.Redacted()
}

// migratePostgres applies every migration in fsys newer than the schema_migrations table, each file in its own
// transaction that also records its version, so a failing file leaves the database at the previous version. It
// returns the resulting version; a database newer than fsys is refused, as Migrate does for SQLite.
//
// The whole run holds a session advisory lock (pgMigrationLockKey) on one dedicated connection, taken before the
// version is read and released at the end, so a second instance starting at the same moment waits, then finds
// nothing left to do. Should the unlock fail, the connection is discarded, which ends its session and the lock.
func migratePostgres(ctx context.Context, db *sqlx.DB, fsys fs.FS) (version int, err error) {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return 0, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("db: migrations: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, pgMigrationLockKey); err != nil {
		return 0, fmt.Errorf("db: migrations: take the migration lock: %w", err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pgUnlockTimeout)
		defer cancel()
		var released bool
		uerr := conn.QueryRowContext(uctx, `SELECT pg_advisory_unlock($1)`, pgMigrationLockKey).Scan(&released)
		if uerr == nil && !released {
			uerr = errors.New("the lock was not held")
		}
		if uerr != nil {
			// A pooled connection must not keep the lock: a bad connection is closed, not returned to the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, fmt.Errorf("db: migrations: release the migration lock: %w", uerr))
		}
	}()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+pgMigrationsTable+` (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at BIGINT  NOT NULL)`); err != nil {
		return 0, fmt.Errorf("db: migrations: create %s: %w", pgMigrationsTable, err)
	}
	current, err := pgSchemaVersion(ctx, conn)
	if err != nil {
		return 0, fmt.Errorf("db: migrations: %w", err)
	}
	if current > len(ms) {
		return 0, fmt.Errorf("db: migrations: database is at version %d, newer than this program's %d", current, len(ms))
	}
	for _, m := range ms[current:] {
		if err := applyPgMigration(ctx, conn, m); err != nil {
			return 0, err
		}
	}
	return len(ms), nil
}

// queryer is what pgSchemaVersion needs: a *sql.Conn, a pool or a transaction.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// pgSchemaVersion returns the newest version recorded in schema_migrations (0 when none).
func pgSchemaVersion(ctx context.Context, q queryer) (int, error) {
	var v int
	if err := q.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM `+pgMigrationsTable).Scan(&v); err != nil {
		return 0, fmt.Errorf("read %s: %w", pgMigrationsTable, err)
	}
	return v, nil
}

func applyPgMigration(ctx context.Context, conn *sql.Conn, m migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: migration %s: begin: %w", m.name, err)
	}
	defer tx.Rollback() // no-op after Commit
	// No arguments: pgx sends the file with the simple protocol, which runs several statements in one call.
	if _, err := tx.ExecContext(ctx, m.body); err != nil {
		return fmt.Errorf("db: migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+pgMigrationsTable+` (version, name, applied_at) VALUES ($1, $2, $3)`,
		m.version, m.name, ms(time.Now())); err != nil {
		return fmt.Errorf("db: migration %s: record version %d: %w", m.name, m.version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("db: migration %s: commit: %w", m.name, err)
	}
	return nil
}

// pingPostgres checks that the server answers on the read pool and that the schema is at the version this store
// migrated to (a newer instance may have migrated past it: this one must then stop writing).
func (s *Store) pingPostgres(ctx context.Context) error {
	v, err := pgSchemaVersion(ctx, s.r.DB)
	if err != nil {
		return fmt.Errorf("db: ping %s: %w", s.path, err)
	}
	if v != s.version {
		return fmt.Errorf("db: ping %s: schema version %d, want version %d", s.path, v, s.version)
	}
	return nil
}

// closePostgres closes both pools (the ingester is already stopped). The server needs nothing else from us.
func (s *Store) closePostgres() error {
	ctx, cancel := context.WithTimeout(context.Background(), pgUnlockTimeout)
	defer cancel()
	return errors.Join(wrapClose("leader candidate", s.path, s.leader.close(ctx)),
		wrapClose("reader", s.path, s.r.Close()), wrapClose("writer", s.path, s.w.Close()))
}

// Dialect names the store's SQL dialect: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect.String() }
