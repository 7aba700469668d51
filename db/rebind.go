package db

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
)

// Queries are written once with ? placeholders. dbPool and dbTx rebind them for the pool's driver as they run:
// unchanged for SQLite, $1, $2… for PostgreSQL. Only the methods the store calls are wrapped; a new one must be
// added here, or a PostgreSQL query would reach the server with ? in it and fail loudly.
type dbPool struct{ *sqlx.DB }

type dbTx struct{ *sqlx.Tx }

func (p dbPool) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return p.DB.ExecContext(ctx, p.Rebind(q), args...)
}

func (p dbPool) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return p.DB.QueryContext(ctx, p.Rebind(q), args...)
}

func (p dbPool) QueryxContext(ctx context.Context, q string, args ...any) (*sqlx.Rows, error) {
	return p.DB.QueryxContext(ctx, p.Rebind(q), args...)
}

func (p dbPool) QueryRowxContext(ctx context.Context, q string, args ...any) *sqlx.Row {
	return p.DB.QueryRowxContext(ctx, p.Rebind(q), args...)
}

func (p dbPool) GetContext(ctx context.Context, dest any, q string, args ...any) error {
	return p.DB.GetContext(ctx, dest, p.Rebind(q), args...)
}

func (p dbPool) SelectContext(ctx context.Context, dest any, q string, args ...any) error {
	return p.DB.SelectContext(ctx, dest, p.Rebind(q), args...)
}

func (p dbPool) PreparexContext(ctx context.Context, q string) (*sqlx.Stmt, error) {
	return p.DB.PreparexContext(ctx, p.Rebind(q))
}

func (p dbPool) BeginTxx(ctx context.Context, opts *sql.TxOptions) (*dbTx, error) {
	tx, err := p.DB.BeginTxx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &dbTx{tx}, nil
}

func (t *dbTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.Rebind(q), args...)
}

func (t *dbTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.Rebind(q), args...)
}

func (t *dbTx) QueryxContext(ctx context.Context, q string, args ...any) (*sqlx.Rows, error) {
	return t.Tx.QueryxContext(ctx, t.Rebind(q), args...)
}

func (t *dbTx) QueryRowxContext(ctx context.Context, q string, args ...any) *sqlx.Row {
	return t.Tx.QueryRowxContext(ctx, t.Rebind(q), args...)
}

func (t *dbTx) GetContext(ctx context.Context, dest any, q string, args ...any) error {
	return t.Tx.GetContext(ctx, dest, t.Rebind(q), args...)
}

func (t *dbTx) SelectContext(ctx context.Context, dest any, q string, args ...any) error {
	return t.Tx.SelectContext(ctx, dest, t.Rebind(q), args...)
}

func (t *dbTx) PreparexContext(ctx context.Context, q string) (*sqlx.Stmt, error) {
	return t.Tx.PreparexContext(ctx, t.Rebind(q))
}

func (t *dbTx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, t.Rebind(q))
}

// getter is what a query that returns one row needs, from a pool or a transaction (dbPool, *dbTx).
type getter interface {
	GetContext(ctx context.Context, dest any, q string, args ...any) error
}

// jsonValues is the SQL that reads the values of a JSON array passed as one ? (an id list): SQLite's json_each, or
// PostgreSQL's jsonb_array_elements_text, whose values are cast to BIGINT when asInt (integer ids). The store
// passes id lists this way because one argument keeps one prepared statement for any length of list.
func jsonValues(driver string, asInt bool) string {
	switch {
	case driver != "pgx":
		return `SELECT value FROM json_each(?)`
	case asInt:
		return `SELECT CAST(value AS BIGINT) FROM jsonb_array_elements_text(CAST(? AS jsonb))`
	}
	return `SELECT value FROM jsonb_array_elements_text(CAST(? AS jsonb))`
}
