// Package static holds the files served under /static/: our own CSS and JavaScript, and the npm files
// `make assets` copies into vendor/.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
	"sync"
)

// FS holds our files and whatever `make assets` copied into vendor/ (a committed README keeps the folder, so
// `go build ./...` works on a fresh clone). A binary built without the npm files compiles but must not serve:
// Missing names what is absent, and cmd/web refuses to start until `make assets` has run.
//
//go:embed app.css app.js vendor
var FS embed.FS

// Vendored are the npm files every page loads; `make assets` copies them from node_modules.
var Vendored = []string{"vendor/htmx.min.js", "vendor/sse.min.js"}

// Missing lists the Vendored files this binary was built without.
func Missing() []string { return missing(FS) }

func missing(fsys fs.FS) []string {
	var out []string
	for _, name := range Vendored {
		if _, err := fs.Stat(fsys, name); err != nil {
			out = append(out, name)
		}
	}
	return out
}

const (
	// prefix is the path the files are served under; URL and Handler agree on it.
	prefix = "/static/"
	// hashLen is how many hex digits of the SHA-256 go into ?v=: 48 bits, plenty to tell versions apart.
	hashLen = 12
	// immutableCache lets browsers keep a versioned file for a year: its URL changes when its content does.
	immutableCache = "public, max-age=31536000, immutable"
	// shortCache covers unversioned or stale-version requests: a new deploy reaches them within minutes.
	shortCache = "public, max-age=300"
)

// versions maps each embedded file's name to the first hashLen hex digits of its SHA-256. It is computed once,
// on first use, and never changes afterwards (the FS is read-only).
var versions = sync.OnceValue(func() map[string]string {
	m := make(map[string]string)
	err := fs.WalkDir(FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := FS.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		m[name] = hex.EncodeToString(sum[:])[:hashLen]
		return nil
	})
	if err != nil { // an embed.FS cannot fail to read its own files; if it did, the binary is broken
		panic("static: hashing embedded files: " + err.Error())
	}
	return m
})

// URL returns "/static/<name>?v=<content hash>" for an embedded file; the Handler serves such URLs with a
// one-year immutable cache. A name that is not embedded gets its plain path (which then answers 404), so a
// typo shows as a missing file rather than a broken page.
func URL(name string) string {
	name = strings.TrimPrefix(name, "/")
	if v, ok := versions()[name]; ok {
		return prefix + name + "?v=" + v
	}
	return prefix + name
}

// Handler serves FS under /static/. A request whose ?v= matches the file's content hash is cached for a year
// as immutable; any other request gets a short cache, so a stale or missing version never sticks. Directory
// listings are not served.
func Handler() http.Handler {
	files := http.FileServerFS(FS)
	return http.StripPrefix(prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, ok := versions()[r.URL.Path]
		if !ok { // unknown file or a directory: no listing of what we embed
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") == v {
			w.Header().Set("Cache-Control", immutableCache)
		} else {
			w.Header().Set("Cache-Control", shortCache)
		}
		// Embedded files have no modification time; the content hash lets browsers revalidate with If-None-Match.
		w.Header().Set("ETag", `"`+v+`"`)
		files.ServeHTTP(w, r)
	}))
}
