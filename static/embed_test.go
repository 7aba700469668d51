package static

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func hashOf(t *testing.T, name string) string {
	t.Helper()
	b, err := FS.ReadFile(name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])[:12]
}

func TestURL(t *testing.T) {
	t.Parallel()
	versioned := regexp.MustCompile(`^/static/[a-z0-9./-]+\?v=[0-9a-f]{12}$`)
	for _, name := range []string{"app.css", "app.js", "vendor/htmx.min.js", "vendor/sse.min.js"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := URL(name)
			if want := "/static/" + name + "?v=" + hashOf(t, name); got != want {
				t.Errorf("URL(%q) = %q, want %q", name, got, want)
			}
			if !versioned.MatchString(got) {
				t.Errorf("URL(%q) = %q, not of the form /static/<name>?v=<12 hex>", name, got)
			}
			if again := URL("/" + name); again != got {
				t.Errorf("URL with a leading slash = %q, want %q", again, got)
			}
		})
	}
	t.Run("unknown file", func(t *testing.T) {
		t.Parallel()
		if got, want := URL("nope.css"), "/static/nope.css"; got != want {
			t.Errorf("URL(nope.css) = %q, want %q", got, want)
		}
	})
	t.Run("files differ", func(t *testing.T) {
		t.Parallel()
		if URL("app.css")[len("/static/app.css"):] == URL("app.js")[len("/static/app.js"):] {
			t.Error("app.css and app.js got the same version")
		}
	})
}

func TestHandler(t *testing.T) {
	t.Parallel()
	h := Handler()
	cssV := hashOf(t, "app.css")
	tests := []struct {
		name        string
		method      string
		target      string
		header      map[string]string
		wantStatus  int
		wantCache   string
		wantType    string
		wantBodyHas string
	}{
		{name: "versioned", method: "GET", target: URL("app.css"), wantStatus: 200,
			wantCache: immutableCache, wantType: "text/css", wantBodyHas: "--bg"},
		{name: "versioned vendor", method: "GET", target: URL("vendor/htmx.min.js"), wantStatus: 200,
			wantCache: immutableCache, wantType: "javascript"},
		{name: "no version", method: "GET", target: "/static/app.js", wantStatus: 200,
			wantCache: shortCache, wantType: "javascript"},
		{name: "stale version", method: "GET", target: "/static/app.css?v=000000000000", wantStatus: 200,
			wantCache: shortCache, wantType: "text/css"},
		{name: "head", method: "HEAD", target: URL("app.css"), wantStatus: 200, wantCache: immutableCache},
		{name: "revalidation", method: "GET", target: URL("app.css"),
			header: map[string]string{"If-None-Match": `"` + cssV + `"`}, wantStatus: 304},
		{name: "missing file", method: "GET", target: "/static/missing.js", wantStatus: 404},
		{name: "directory listing", method: "GET", target: "/static/vendor/", wantStatus: 404},
		{name: "root listing", method: "GET", target: "/static/", wantStatus: 404},
		{name: "path traversal", method: "GET", target: "/static/vendor/../app.css", wantStatus: 404},
		{name: "outside prefix", method: "GET", target: "/app.css", wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequestWithContext(t.Context(), tt.method, tt.target, nil)
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantCache != "" {
				if got := rec.Header().Get("Cache-Control"); got != tt.wantCache {
					t.Errorf("Cache-Control = %q, want %q", got, tt.wantCache)
				}
				if got := rec.Header().Get("ETag"); !regexp.MustCompile(`^"[0-9a-f]{12}"$`).MatchString(got) {
					t.Errorf("ETag = %q, want a quoted content hash", got)
				}
			}
			if got := rec.Header().Get("Content-Type"); !strings.Contains(got, tt.wantType) {
				t.Errorf("Content-Type = %q, want it to contain %q", got, tt.wantType)
			}
			if !strings.Contains(rec.Body.String(), tt.wantBodyHas) {
				t.Errorf("body lacks %q", tt.wantBodyHas)
			}
			if tt.method == "HEAD" && rec.Body.Len() != 0 {
				t.Errorf("HEAD body has %d bytes", rec.Body.Len())
			}
		})
	}
}

// TestMissing: a build without the npm files is told apart from one with them, file by file.
func TestMissing(t *testing.T) {
	t.Parallel()
	if m := Missing(); len(m) != 0 {
		t.Fatalf("this build lacks %v: run make assets", m)
	}
	for _, tc := range []struct {
		name  string
		files fstest.MapFS
		want  []string
	}{
		{"fresh clone", fstest.MapFS{"vendor/README.md": {}}, []string{"vendor/htmx.min.js", "vendor/sse.min.js"}},
		{"one missing", fstest.MapFS{"vendor/htmx.min.js": {}}, []string{"vendor/sse.min.js"}},
		{"complete", fstest.MapFS{"vendor/htmx.min.js": {}, "vendor/sse.min.js": {}}, nil},
	} {
		if got := missing(tc.files); !slices.Equal(got, tc.want) {
			t.Errorf("%s: missing = %v, want %v", tc.name, got, tc.want)
		}
	}
}
