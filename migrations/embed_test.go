package migrations

import (
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"testing"
)

var nameRE = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

// The runner wraps each file in its own transaction and records its version itself; a file that manages either
// would break the all-or-nothing guarantee. (A plpgsql body's "BEGIN" line has no semicolon, so it passes.)
var forbidden = []*regexp.Regexp{
	regexp.MustCompile(`(?im)^\s*BEGIN(\s+(TRANSACTION|IMMEDIATE|EXCLUSIVE|DEFERRED))?\s*;`),
	regexp.MustCompile(`(?im)^\s*(COMMIT|ROLLBACK|END\s+TRANSACTION)\b`),
	regexp.MustCompile(`(?i)user_version`),
	regexp.MustCompile(`(?i)schema_migrations`),
}

var dialects = []struct {
	name string
	fsys fs.FS
}{{"sqlite", SQLite}, {"postgres", Postgres}}

func TestFilesAreContiguousFromOne(t *testing.T) {
	t.Parallel()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			names, err := fs.Glob(d.fsys, "*")
			if err != nil {
				t.Fatal(err)
			}
			if len(names) == 0 {
				t.Fatal("no migrations embedded")
			}
			// fs.Glob returns names in lexical order, which is number order for zero-padded names.
			for i, name := range names {
				t.Run(name, func(t *testing.T) {
					m := nameRE.FindStringSubmatch(name)
					if m == nil {
						t.Fatalf("name %q does not match NNNN_name.sql", name)
					}
					n, _ := strconv.Atoi(m[1])
					if want := i + 1; n != want {
						t.Fatalf("number = %d, want %d (numbers must be contiguous from 1)", n, want)
					}
					body, err := fs.ReadFile(d.fsys, name)
					if err != nil {
						t.Fatal(err)
					}
					if len(body) == 0 {
						t.Fatal("empty migration")
					}
					for _, re := range forbidden {
						if loc := re.FindIndex(body); loc != nil {
							t.Errorf("contains %q: the runner owns transactions and the version", body[loc[0]:loc[1]])
						}
					}
				})
			}
		})
	}
}

// TestDialectsHaveTheSameFiles: a schema change is one number in both folders, with the same name, so that a
// database of either dialect at version N has the same schema.
func TestDialectsHaveTheSameFiles(t *testing.T) {
	t.Parallel()
	sqlite, err := fs.Glob(SQLite, "*")
	if err != nil {
		t.Fatal(err)
	}
	postgres, err := fs.Glob(Postgres, "*")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sqlite, postgres) {
		t.Fatalf("sqlite/ has %q\npostgres/ has %q\nwant the same names", sqlite, postgres)
	}
}
