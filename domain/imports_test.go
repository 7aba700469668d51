package domain

import (
	"bytes"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/keyless/dashboard"

// allowed lists, for each part of the tree, the project packages its code may import (prefixes; "" is the module
// root and never matches). Outside packages (the standard library, go.mod's requirements) are not restricted here,
// except the SQL ones below for handlers.
var allowed = []struct {
	part    string   // a package or a folder of packages (with "/")
	imports []string // project packages or folders it may import
}{
	{"cmd/", []string{"handlers", "handlers/", "domain/", "db", "db/pgtest", "migrations", "smarthome", "smarthome/", "views", "static"}}, // pgtest: make cluster's and make bench's throwaway PostgreSQL
	{"handlers", []string{"handlers/", "domain/", "db", "smarthome", "views", "static"}},
	{"handlers/", []string{"handlers/", "domain/", "db", "smarthome", "views", "static"}},
	{"domain", nil},
	{"domain/", []string{"domain/", "db", "smarthome"}},
	{"db", []string{"migrations", "db/pgtest"}}, // pgtest: the db tests' throwaway PostgreSQL
	{"db/", []string{"db", "migrations"}},
	{"migrations", nil},
	{"smarthome", nil},
	{"smarthome/", []string{"smarthome"}},
	{"views", []string{"static"}},
	{"static", nil},
}

// sqlPackages may not be imported by handlers: every query is the store's.
var sqlPackages = []string{"database/sql", "github.com/jmoiron/sqlx", "github.com/mattn/go-sqlite3", "github.com/jackc/"}

func rel(path string) (string, bool) {
	if path == module {
		return "", true
	}
	r, ok := strings.CutPrefix(path, module+"/")
	return r, ok
}

func matches(p, rule string) bool {
	if strings.HasSuffix(rule, "/") {
		return strings.HasPrefix(p, rule)
	}
	return p == rule
}

// rulesFor returns the allowed imports of p, and false when p is in no part of the table (a new top-level folder
// must be placed in the picture first).
func rulesFor(p string) ([]string, bool) {
	for _, a := range allowed {
		if matches(p, a.part) {
			return a.imports, true
		}
	}
	return nil, false
}

type listed struct {
	ImportPath, Dir                    string
	Imports, TestImports, XTestImports []string
	GoFiles                            []string
}

func listModule(t *testing.T) []listed {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []listed
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p listed
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestImportDirection fails when an import points up the picture in doc.go: a domain package importing handlers
// or views, handlers importing cmd, views importing anything of ours but static, or handlers reaching for SQL.
// Tests may also import the simulator, the upstream every test talks to, and db/pgtest, the throwaway PostgreSQL.
func TestImportDirection(t *testing.T) {
	t.Parallel()
	pkgs := listModule(t)
	if len(pkgs) < 15 {
		t.Fatalf("go list found %d packages: the check would prove nothing", len(pkgs))
	}
	for _, p := range pkgs {
		self, _ := rel(p.ImportPath)
		rules, ok := rulesFor(self)
		if !ok {
			t.Errorf("%s is outside the layout; add it to the table and to doc.go's picture", self)
			continue
		}
		check := func(imports []string, test bool) {
			for _, imp := range imports {
				if strings.HasPrefix(self, "handlers") && !test {
					for _, sql := range sqlPackages {
						if strings.HasPrefix(imp, sql) {
							t.Errorf("%s imports %s: SQL belongs to db", self, imp)
						}
					}
				}
				r, ours := rel(imp)
				if !ours || r == self || (test && (r == "smarthome/simulator" || r == "db/pgtest")) { // test fixtures
					continue
				}
				ok := false
				for _, rule := range rules {
					ok = ok || matches(r, rule)
				}
				if !ok {
					kind := "imports"
					if test {
						kind = "test imports"
					}
					t.Errorf("%s %s %s: imports run cmd/web → handlers → domain → db, smarthome", self, kind, r)
				}
			}
		}
		check(p.Imports, false)
		check(p.TestImports, true)
		check(p.XTestImports, true)
	}
}

// TestHandlersStartNothing: package handlers answers requests and returns; background work (goroutines, tickers,
// timers) lives in a domain package and is started by cmd/web's supervisor. handlers/live, the SSE broker, keeps
// its one heartbeat loop: it serves the open streams and ends with them.
func TestHandlersStartNothing(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "handlers", "*.go"))
	if err != nil || len(files) < 20 {
		t.Fatalf("found %d handler files (%v)", len(files), err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, "_templ.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: a goroutine in handlers", fset.Position(n.Pos()))
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Name == "time" {
					switch n.Sel.Name {
					case "NewTicker", "Tick", "AfterFunc", "NewTimer":
						t.Errorf("%s: time.%s in handlers", fset.Position(n.Pos()), n.Sel.Name)
					}
				}
			}
			return true
		})
	}
}
