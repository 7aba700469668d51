package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
)

// seededTables are the tables a fresh migration already fills (one state row each): a freshly migrated target has
// these rows, so the copy replaces them instead of calling the target non-empty. TestCopySeededTables fails when a
// migration seeds a table missing here.
var seededTables = []string{"activities_fts_state"}

// CopyReport says what CopySQLite copied.
type CopyReport struct {
	Tables    []CopiedTable
	Skipped   []string // PostgreSQL-only tables: nothing in SQLite to copy
	Sequences int      // identity and serial sequences moved past the copied ids
}

// CopiedTable is one table and its row count.
type CopiedTable struct {
	Name string
	Rows int64
}

// CopySQLite copies every table of the SQLite database at path into dst, a PostgreSQL store that OpenPostgres has
// migrated: for people who outgrow one machine. The file is only read, inside one read transaction, so what is
// copied is one consistent snapshot even if a dashboard still runs on it. The target is written in one
// transaction (all or nothing), tables in foreign-key order, each streamed with COPY (memory stays flat however big
// the activity log is); its user triggers (the properties' hub and device counters) are off while copying, because
// the counters arrive already counted. Then every identity and serial sequence is set past the largest copied id,
// so the next insert does not collide.
//
// The table list and columns are read from both schemas (sqlite's pragma_table_list, PostgreSQL's
// information_schema), so a new migration needs no code here; the two schemas must agree, and the SQLite schema
// version must equal the target's. A target that already holds data is refused.
func CopySQLite(ctx context.Context, path string, dst *Store) (CopyReport, error) {
	var rep CopyReport
	if dst.dialect != dialectPostgres {
		return rep, errors.New("db: copy: the target must be a PostgreSQL store")
	}
	if _, err := os.Stat(path); err != nil { // mode=rw below never creates, but this error is clearer
		return rep, fmt.Errorf("db: copy: %w", err)
	}
	// Read-write mode (never used to write): after a crash the WAL may need recovering, which read-only refuses.
	lite, err := sql.Open("sqlite3", fileURI(path)+"?mode=rw&_busy_timeout=5000")
	if err != nil {
		return rep, fmt.Errorf("db: copy: open %s: %w", path, err)
	}
	defer lite.Close()
	src, err := lite.Conn(ctx)
	if err != nil {
		return rep, fmt.Errorf("db: copy: open %s: %w", path, explainOpen(path, err))
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, "BEGIN"); err != nil { // deferred: a read snapshot from the first SELECT
		return rep, fmt.Errorf("db: copy: %w", err)
	}
	defer src.ExecContext(context.WithoutCancel(ctx), "ROLLBACK") //nolint:errcheck // nothing was written
	var version int
	if err := src.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return rep, fmt.Errorf("db: copy: read %s: %w", path, err)
	}
	if version != dst.version {
		return rep, fmt.Errorf("db: copy: %s is at schema version %d, the target at %d: open it once with this "+
			"version of the dashboard (which migrates it), then copy", path, version, dst.version)
	}
	liteTables, err := sqliteCopyTables(ctx, src)
	if err != nil {
		return rep, fmt.Errorf("db: copy: %w", err)
	}
	conn, err := dst.dedicatedConn(ctx)
	if err != nil {
		return rep, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.Begin(ctx)
	if err != nil {
		return rep, fmt.Errorf("db: copy: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit a no-op
	if rep, err = copyTables(ctx, src, tx, liteTables); err != nil {
		return rep, fmt.Errorf("db: copy: %w", err)
	}
	if rep.Sequences, err = resetSequences(ctx, tx); err != nil {
		return rep, fmt.Errorf("db: copy: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return rep, fmt.Errorf("db: copy: commit: %w", err)
	}
	return rep, nil
}

// copyTables checks that the target is empty, then copies table after table.
func copyTables(ctx context.Context, src *sql.Conn, tx pgx.Tx, liteTables map[string][]string) (CopyReport, error) {
	var rep CopyReport
	pgTables, err := pgCopyTables(ctx, tx)
	if err != nil {
		return rep, err
	}
	tables, skipped, err := matchTables(liteTables, pgTables)
	if err != nil {
		return rep, err
	}
	rep.Skipped = skipped
	for _, t := range pgTables {
		var has bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+quotePg(t.name)+")").Scan(&has); err != nil {
			return rep, err
		}
		switch {
		case has && slices.Contains(seededTables, t.name):
			if _, err := tx.Exec(ctx, "DELETE FROM "+quotePg(t.name)); err != nil {
				return rep, err
			}
		case has:
			return rep, fmt.Errorf("the target already has data (table %s): copy into a new, empty database", t.name)
		}
	}
	for _, t := range tables {
		n, err := copyOneTable(ctx, src, tx, t)
		if err != nil {
			return rep, fmt.Errorf("table %s: %w", t.name, err)
		}
		rep.Tables = append(rep.Tables, CopiedTable{Name: t.name, Rows: n})
	}
	return rep, nil
}

func copyOneTable(ctx context.Context, src *sql.Conn, tx pgx.Tx, t copyTable) (int64, error) {
	keys, err := src.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk`, t.name)
	if err != nil {
		return 0, err
	}
	pk, err := scanStrings(keys)
	if err != nil {
		return 0, err
	}
	query := "SELECT " + quoteList(t.columns) + " FROM " + quoteLite(t.name)
	if len(pk) > 0 { // a self-referencing row then follows the row it names, as when it was written
		query += " ORDER BY " + quoteList(pk)
	}
	rows, err := src.QueryContext(ctx, query)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	if _, err := tx.Exec(ctx, "ALTER TABLE "+quotePg(t.name)+" DISABLE TRIGGER USER"); err != nil {
		return 0, err
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, &liteSource{rows: rows, t: t})
	if err != nil {
		return n, err
	}
	_, err = tx.Exec(ctx, "ALTER TABLE "+quotePg(t.name)+" ENABLE TRIGGER USER")
	return n, err
}

// resetSequences sets every identity and serial sequence so that its next value is past the column's largest value.
func resetSequences(ctx context.Context, tx pgx.Tx) (int, error) {
	rows, err := tx.Query(ctx, `SELECT table_name::text, column_name::text FROM information_schema.columns
		WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')`)
	if err != nil {
		return 0, err
	}
	cols, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ Table, Column string }])
	if err != nil {
		return 0, err
	}
	for _, c := range cols {
		// is_called = false: the next nextval returns exactly max + 1 (1 on an empty table).
		if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, $2), coalesce((SELECT max(`+
			quotePg(c.Column)+`) FROM `+quotePg(c.Table)+`), 0) + 1, false)`, quotePg(c.Table), c.Column); err != nil {
			return 0, fmt.Errorf("sequence of %s.%s: %w", c.Table, c.Column, err)
		}
	}
	return len(cols), nil
}

// liteSource feeds one SQLite result set to COPY, converting each value to what its PostgreSQL column takes.
type liteSource struct {
	rows *sql.Rows
	t    copyTable
	vals []any
	err  error
	n    int
}

func (s *liteSource) Next() bool {
	if s.err != nil || !s.rows.Next() {
		return false
	}
	s.n++
	raw := make([]any, len(s.t.columns))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if s.err = s.rows.Scan(ptrs...); s.err != nil {
		return false
	}
	for i, v := range raw {
		if raw[i], s.err = convertForPg(v, s.t.pgTypes[i]); s.err != nil {
			s.err = fmt.Errorf("row %d, column %s: %w", s.n, s.t.columns[i], s.err)
			return false
		}
	}
	s.vals = raw
	return true
}

func (s *liteSource) Values() ([]any, error) { return s.vals, s.err }

func (s *liteSource) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}

// convertForPg turns what SQLite's dynamic typing stored into a value of the PostgreSQL column's type. SQLite lets
// a column hold any storage class, so a mismatch that cannot be converted losslessly is an error, not a guess.
func convertForPg(v any, pgType string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch pgType {
	case "bigint", "integer", "smallint":
		switch x := v.(type) {
		case int64:
			return x, nil
		case bool:
			return map[bool]int64{false: 0, true: 1}[x], nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), nil
			}
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return n, nil
			}
		}
	case "text", "character varying", "jsonb", "json":
		switch x := v.(type) {
		case string:
			return textForPg(x)
		case []byte:
			if utf8.Valid(x) {
				return textForPg(string(x))
			}
			return nil, errors.New("a BLOB that is not UTF-8 text in a text column")
		case int64, float64:
			return fmt.Sprint(x), nil
		}
	case "bytea":
		switch x := v.(type) {
		case []byte:
			return x, nil
		case string:
			return []byte(x), nil
		}
	default:
		return v, nil
	}
	return nil, fmt.Errorf("%T value %v does not fit a %s column", v, v, pgType)
}

// textForPg passes text on, refusing text holding a NUL byte: SQLite stores one, PostgreSQL text cannot.
func textForPg(s string) (any, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, errors.New("text with a NUL byte, which PostgreSQL cannot store")
	}
	return s, nil
}

func quotePg(name string) string { return pgx.Identifier{name}.Sanitize() }

func quoteLite(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = quoteLite(n)
	}
	return strings.Join(q, ", ")
}
