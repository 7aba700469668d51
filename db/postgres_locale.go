package db

import (
	"context"
	"fmt"
)

// Why the store needs a C-locale PostgreSQL database: lists are ordered by lower(x) and paged by keyset cursors
// that compareFold (store.go) and SQLite agree on, byte order with ASCII-only case folding. A database created with
// another locale (en_US.UTF-8, even C.UTF-8) orders punctuation, spaces and accents by its collation and folds
// non-ASCII case in lower() and ILIKE, so the same data would list in another order, and a cursor taken from one
// order could skip or repeat rows. Rather than mark every ORDER BY and index COLLATE "C", the store refuses such a
// database at open, saying how to make one that works.

// pgLocaleSQL reads the current database's locale. to_jsonb reads the provider columns by name, so the query also
// runs on servers older than 15 (no datlocprovider: libc) and 17 (builtin provider, datlocale).
const pgLocaleSQL = `SELECT d.datname, d.datcollate, d.datctype,
	coalesce(to_jsonb(d)->>'datlocprovider', 'c') AS provider,
	coalesce(to_jsonb(d)->>'datlocale', to_jsonb(d)->>'daticulocale', '') AS locale
	FROM pg_database d WHERE d.datname = current_database()`

type pgLocale struct {
	Name     string `db:"datname"`
	Collate  string `db:"datcollate"`
	CType    string `db:"datctype"`
	Provider string `db:"provider"` // c: libc, i: ICU, b: builtin (17+)
	Locale   string `db:"locale"`   // the ICU or builtin locale
}

// checkPgLocale refuses a database whose collation or character classes are not C (see above).
func checkPgLocale(ctx context.Context, q interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}) error {
	var l pgLocale
	if err := q.GetContext(ctx, &l, pgLocaleSQL); err != nil {
		return fmt.Errorf("read the database locale: %w", err)
	}
	return l.problem()
}

func (l pgLocale) problem() error {
	isC := func(s string) bool { return s == "C" || s == "POSIX" }
	switch {
	case l.Provider == "c" && isC(l.Collate) && isC(l.CType):
		return nil
	case l.Provider == "b" && l.Locale == "C":
		return nil
	}
	what := fmt.Sprintf("LC_COLLATE %q, LC_CTYPE %q", l.Collate, l.CType)
	if l.Provider != "c" {
		what = fmt.Sprintf("locale provider %q, locale %q", l.Provider, l.Locale)
	}
	return fmt.Errorf("database %q has %s; the dashboard needs the C locale, so that lists order as on SQLite "+
		"(byte order): create the database with CREATE DATABASE %s LOCALE 'C' TEMPLATE template0", l.Name, what,
		quoteIdent(l.Name))
}

// quoteIdent quotes a PostgreSQL identifier for a statement shown to a person.
func quoteIdent(s string) string {
	out := []byte{'"'}
	for i := range len(s) {
		if s[i] == '"' {
			out = append(out, '"')
		}
		out = append(out, s[i])
	}
	return string(append(out, '"'))
}
