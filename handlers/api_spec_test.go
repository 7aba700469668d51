package handlers

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
)

// specOperations is every "METHOD /path" of the OpenAPI document.
func specOperations(t *testing.T, doc []byte) []string {
	t.Helper()
	var spec struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &spec); err != nil {
		t.Fatalf("the OpenAPI document is not JSON: %v", err)
	}
	if !regexp.MustCompile(`^3\.1\.\d+$`).MatchString(spec.OpenAPI) {
		t.Errorf("openapi %q, want 3.1.x", spec.OpenAPI)
	}
	methods := []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	var ops []string
	for path, item := range spec.Paths {
		for key := range item {
			if slices.Contains(methods, key) {
				ops = append(ops, strings.ToUpper(key)+" "+path)
			}
		}
	}
	slices.Sort(ops)
	return ops
}

// registeredAPIRoutes is what addAPIRoutes mounts under /api/v1: the table and the document's own route.
func registeredAPIRoutes() []string {
	ops := []string{"GET " + apiOpenAPIPath}
	for _, rt := range apiRoutes {
		ops = append(ops, rt.method+" "+rt.path)
	}
	slices.Sort(ops)
	return ops
}

// TestAPISpecMatchesRoutes: the OpenAPI document and the routes agree both ways, and every operation the document
// lists is really served (a token that may read everything never meets route_not_found or method_not_allowed).
func TestAPISpecMatchesRoutes(t *testing.T) {
	t.Parallel()
	spec, routes := specOperations(t, openAPIDoc), registeredAPIRoutes()
	for _, op := range routes {
		if !slices.Contains(spec, op) {
			t.Errorf("route %s is not in the OpenAPI document", op)
		}
	}
	for _, op := range spec {
		if !slices.Contains(routes, op) {
			t.Errorf("the OpenAPI document lists %s, which no route serves", op)
		}
	}

	env := newTestEnv(t)
	token := env.createAPIToken(t, env.signedInClient(t, db.RoleAdmin), "spec", db.RoleAdmin)
	for _, op := range spec {
		method, path, _ := strings.Cut(op, " ")
		path = strings.ReplaceAll(path, "{id}", "0")
		r := env.apiDo(t, http.DefaultClient, method, token, path)
		if r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: Content-Type %q", op, r.header.Get("Content-Type"))
			continue
		}
		if r.status == http.StatusMethodNotAllowed || r.status == http.StatusNotFound && r.errorCode(t) == "route_not_found" {
			t.Errorf("%s is in the document but not served: %d %s", op, r.status, r.body)
		}
	}
	for _, ref := range regexp.MustCompile(`"\$ref":\s*"#/([^"]+)"`).FindAllSubmatch(openAPIDoc, -1) {
		var node any
		_ = json.Unmarshal(openAPIDoc, &node)
		for _, part := range strings.Split(string(ref[1]), "/") {
			m, _ := node.(map[string]any)
			node = m[part]
		}
		if node == nil {
			t.Errorf("$ref #/%s points nowhere", ref[1])
		}
	}
	r := env.apiGet(t, "", apiOpenAPIPath) // no token needed
	wantAPIStatus(t, r, http.StatusOK)
	if r.body != string(openAPIDoc) {
		t.Error("the served document is not the embedded one")
	}
}

// TestAPIRoutesOnlyFromTable: no file of the package mounts an /api/ route but addAPIRoutes (from apiRoutes), so
// the table the spec is checked against is every API route there is.
func TestAPIRoutesOnlyFromTable(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			fn, ok := n.(*ast.FuncDecl)
			if ok && fn.Name.Name == "addAPIRoutes" {
				return false
			}
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			if mentionsAPI(call.Args[0]) {
				t.Errorf("%s: an /api/ route mounted outside addAPIRoutes", fset.Position(call.Pos()))
			}
			return true
		})
	}
}

// mentionsAPI reports whether a pattern expression names the API: an "/api/" literal or the API's constants.
func mentionsAPI(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch v := n.(type) {
		case *ast.BasicLit:
			found = found || strings.Contains(v.Value, "/api/")
		case *ast.Ident:
			found = found || v.Name == "apiPrefix" || v.Name == "apiOpenAPIPath"
		}
		return !found
	})
	return found
}
