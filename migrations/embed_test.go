package migrations

import (
	"io/fs"
	"regexp"
	"strconv"
	"testing"
)

var nameRE = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

// The runner wraps each file in its own transaction and sets user_version itself; a file that
// manages either would break the all-or-nothing guarantee.
var forbidden = []*regexp.Regexp{
	regexp.MustCompile(`(?im)^\s*BEGIN(\s+(TRANSACTION|IMMEDIATE|EXCLUSIVE|DEFERRED))?\s*;`),
	regexp.MustCompile(`(?im)^\s*(COMMIT|ROLLBACK|END\s+TRANSACTION)\b`),
	regexp.MustCompile(`(?i)user_version`),
}

func TestFilesAreContiguousFromOne(t *testing.T) {
	t.Parallel()
	names, err := fs.Glob(FS, "*")
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
			body, err := fs.ReadFile(FS, name)
			if err != nil {
				t.Fatal(err)
			}
			if len(body) == 0 {
				t.Fatal("empty migration")
			}
			for _, re := range forbidden {
				if loc := re.FindIndex(body); loc != nil {
					t.Errorf("contains %q: the runner owns transactions and user_version", body[loc[0]:loc[1]])
				}
			}
		})
	}
}
