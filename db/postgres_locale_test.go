package db

import (
	"net/url"
	"strings"
	"testing"
)

// TestPostgresRefusesNonCLocale: a real database created with another locale (C.utf8, the one this machine has
// besides C: it folds non-ASCII case) is refused at open with the statement that makes a usable one; pgtest's C
// database opens.
func TestPostgresRefusesNonCLocale(t *testing.T) {
	t.Parallel()
	db, dsn := rawPG(t, 1)
	u, err := url.Parse(dsn)
	must(t, err)
	name := strings.TrimPrefix(u.Path, "/") + "_utf8"
	_, err = db.ExecContext(t.Context(), `CREATE DATABASE `+name+` LOCALE 'C.utf8' TEMPLATE template0`)
	must(t, err)
	t.Cleanup(func() { _, _ = db.ExecContext(t.Context(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`) })
	u.Path = "/" + name
	s, err := OpenPostgres(t.Context(), u.String())
	if err == nil {
		s.Close()
		t.Fatal("OpenPostgres accepted a C.utf8 database")
	}
	for _, want := range []string{`"C.utf8"`, `CREATE DATABASE "` + name + `" LOCALE 'C' TEMPLATE template0`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to say %s", err, want)
		}
	}
	s, err = OpenPostgres(t.Context(), dsn)
	must(t, err)
	must(t, s.Close())
}

// TestPgLocaleProblem: which locales the check accepts, including providers this machine's server lacks.
func TestPgLocaleProblem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		l  pgLocale
		ok bool
	}{
		{pgLocale{Provider: "c", Collate: "C", CType: "C"}, true},
		{pgLocale{Provider: "c", Collate: "POSIX", CType: "POSIX"}, true},
		{pgLocale{Provider: "b", Collate: "C", CType: "C", Locale: "C"}, true},
		{pgLocale{Provider: "c", Collate: "en_US.UTF-8", CType: "en_US.UTF-8"}, false},
		{pgLocale{Provider: "c", Collate: "C", CType: "C.UTF-8"}, false}, // lower() would fold non-ASCII
		{pgLocale{Provider: "c", Collate: "C.UTF-8", CType: "C"}, false},
		{pgLocale{Provider: "i", Collate: "C", CType: "C", Locale: "en-US"}, false}, // ICU collates, whatever datcollate says
		{pgLocale{Provider: "b", Collate: "C", CType: "C", Locale: "C.UTF-8"}, false},
	}
	for _, tt := range tests {
		if err := tt.l.problem(); (err == nil) != tt.ok {
			t.Errorf("%+v: problem = %v, want ok %v", tt.l, err, tt.ok)
		}
	}
	err := pgLocale{Name: `odd"name`, Provider: "i", Locale: "en-US"}.problem()
	if err == nil || !strings.Contains(err.Error(), `CREATE DATABASE "odd""name" LOCALE 'C'`) {
		t.Errorf("err = %v, want the name quoted as an identifier", err)
	}
}
