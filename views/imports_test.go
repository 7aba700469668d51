package views

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps views a leaf of the design: templ, the standard library and static only; handlers map
// domain types onto the view models, never the other way round.
func TestImports(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			std := !strings.Contains(strings.SplitN(path, "/", 2)[0], ".")
			allowed := std || path == "github.com/keyless/dashboard/static" ||
				path == "github.com/a-h/templ" || strings.HasPrefix(path, "github.com/a-h/templ/")
			if !allowed {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
	if checked < 10 { // the generated files are part of the check
		t.Fatalf("checked only %d files", checked)
	}
}
