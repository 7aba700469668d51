package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// copyTable is one table both schemas define, with the columns the copy writes (generated ones are left out: each
// side computes its own) and the PostgreSQL type of each, which decides how an SQLite value is converted.
type copyTable struct {
	name    string
	columns []string
	pgTypes []string
}

// sqliteCopyTables lists the ordinary tables of the SQLite file with their stored columns. Virtual tables (the
// FTS5 index) and their shadow tables are SQLite's own machinery, rebuilt from activities: PostgreSQL has a
// generated tsvector column instead, so they are not copied.
func sqliteCopyTables(ctx context.Context, q *sql.Conn) (map[string][]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_list
		WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`)
	if err != nil {
		return nil, fmt.Errorf("list SQLite tables: %w", err)
	}
	names, err := scanStrings(rows)
	if err != nil {
		return nil, fmt.Errorf("list SQLite tables: %w", err)
	}
	out := make(map[string][]string, len(names))
	for _, name := range names {
		// hidden: 0 a stored column, 1 a virtual table's hidden column, 2 and 3 generated (VIRTUAL, STORED).
		rows, err := q.QueryContext(ctx, `SELECT name FROM pragma_table_xinfo(?) WHERE hidden = 0 ORDER BY cid`, name)
		if err != nil {
			return nil, fmt.Errorf("columns of SQLite table %s: %w", name, err)
		}
		if out[name], err = scanStrings(rows); err != nil {
			return nil, fmt.Errorf("columns of SQLite table %s: %w", name, err)
		}
	}
	return out, nil
}

// pgCopyTables lists the base tables of the target's schema (but schema_migrations, which OpenPostgres owns) with
// their non-generated columns and types, in an order where every table comes after the tables it references.
func pgCopyTables(ctx context.Context, q pgx.Tx) ([]copyTable, error) {
	rows, err := q.Query(ctx, `SELECT c.table_name::text, c.column_name::text, c.data_type::text
		FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.is_generated = 'NEVER'
		  AND c.table_name <> $1
		ORDER BY c.table_name, c.ordinal_position`, pgMigrationsTable)
	if err != nil {
		return nil, fmt.Errorf("list PostgreSQL tables: %w", err)
	}
	byName := map[string]*copyTable{}
	var names []string
	for rows.Next() {
		var table, column, typ string
		if err := rows.Scan(&table, &column, &typ); err != nil {
			return nil, err
		}
		t := byName[table]
		if t == nil {
			t = &copyTable{name: table}
			byName[table] = t
			names = append(names, table)
		}
		t.columns, t.pgTypes = append(t.columns, column), append(t.pgTypes, typ)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list PostgreSQL tables: %w", err)
	}
	deps := map[string][]string{}
	rows, err = q.Query(ctx, `SELECT c.relname::text, f.relname::text FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class f ON f.oid = k.confrelid
		WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace`)
	if err != nil {
		return nil, fmt.Errorf("list PostgreSQL foreign keys: %w", err)
	}
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			return nil, err
		}
		if child != parent { // a self-reference is satisfied by copying in primary-key order
			deps[child] = append(deps[child], parent)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list PostgreSQL foreign keys: %w", err)
	}
	order, err := topoSort(names, deps)
	if err != nil {
		return nil, err
	}
	out := make([]copyTable, len(order))
	for i, n := range order {
		out[i] = *byName[n]
	}
	return out, nil
}

// topoSort orders names so that each comes after its deps, alphabetically among equals (a stable, readable log).
func topoSort(names []string, deps map[string][]string) ([]string, error) {
	sort.Strings(names)
	state := map[string]int{} // 1 visiting, 2 done
	var out []string
	var visit func(n string, path []string) error
	visit = func(n string, path []string) error {
		switch state[n] {
		case 1:
			return fmt.Errorf("foreign keys form a cycle: %s", strings.Join(append(path, n), " -> "))
		case 2:
			return nil
		}
		state[n] = 1
		parents := slices.Clone(deps[n])
		sort.Strings(parents)
		for _, p := range parents {
			if err := visit(p, append(path, n)); err != nil {
				return err
			}
		}
		state[n] = 2
		out = append(out, n)
		return nil
	}
	for _, n := range names {
		if err := visit(n, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// matchTables pairs the two schemas: every SQLite table must exist in PostgreSQL with the same stored columns, or
// the copy would silently drop data. Tables only PostgreSQL has are returned as skipped (nothing to copy).
func matchTables(lite map[string][]string, pg []copyTable) (tables []copyTable, skipped []string, err error) {
	var problems []string
	seen := map[string]bool{}
	for _, t := range pg {
		cols, ok := lite[t.name]
		if !ok {
			skipped = append(skipped, t.name)
			continue
		}
		seen[t.name] = true
		if a, b := slices.Sorted(slices.Values(cols)), slices.Sorted(slices.Values(t.columns)); !slices.Equal(a, b) {
			problems = append(problems, fmt.Sprintf("table %s has columns %v in SQLite but %v in PostgreSQL", t.name, a, b))
			continue
		}
		tables = append(tables, t)
	}
	for name := range lite {
		if !seen[name] && !slices.Contains(skipped, name) {
			problems = append(problems, fmt.Sprintf("table %s is not in the PostgreSQL schema", name))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, nil, fmt.Errorf("the schemas differ: %s", strings.Join(problems, "; "))
	}
	return tables, skipped, nil
}

func scanStrings(rows *sql.Rows) ([]string, error) {
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
