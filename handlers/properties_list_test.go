package handlers

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
)

func TestPropertySort(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withBeforeSync(forceAlerts))
	c := env.signedInClient(t, db.RoleStaff)
	lower := strings.ToLower
	tests := []struct {
		name  string
		query string
		less  func(a, b propertyRowView) bool // a must not come after b... strictly: !less(b, a) for neighbours
	}{
		{"name", "sort=name", func(a, b propertyRowView) bool { return lower(a.name) < lower(b.name) }},
		{"name desc", "sort=name&dir=desc", func(a, b propertyRowView) bool { return lower(a.name) > lower(b.name) }},
		{"city", "sort=city", func(a, b propertyRowView) bool { return lower(a.city) < lower(b.city) }},
		{"city desc", "sort=city&dir=desc", func(a, b propertyRowView) bool { return lower(a.city) > lower(b.city) }},
		{"alerts desc", "sort=alerts&dir=desc", func(a, b propertyRowView) bool { return a.alerts > b.alerts }},
		{"default is name", "", func(a, b propertyRowView) bool { return lower(a.name) < lower(b.name) }},
		{"unknown sort is name", "sort=" + url.QueryEscape("name; DROP TABLE properties") + "&dir=sideways",
			func(a, b propertyRowView) bool { return lower(a.name) < lower(b.name) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := env.get(t, c, "/properties?"+tt.query)
			wantStatus(t, res, http.StatusOK)
			rows := readPropertyRows(t, res.doc)
			if len(rows) != 12 {
				t.Fatalf("%d rows, want 12", len(rows))
			}
			if !sort.SliceIsSorted(rows, func(i, j int) bool { return tt.less(rows[i], rows[j]) }) {
				var names []string
				for _, r := range rows {
					names = append(names, r.name+"/"+r.city+"/"+strconv.Itoa(r.alerts))
				}
				t.Errorf("not sorted: %v", names)
			}
		})
	}
}

func TestPropertyPaging(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withProperties(30))
	c := env.signedInClient(t, db.RoleStaff)
	seen := idSet{}
	tests := []struct {
		name, query string
		rows        int
		current     string
	}{
		{"first page", "", 25, "1"},
		{"second page", "page=2", 5, "2"},
		{"page 0 is the first", "page=0", 25, "1"},
		{"junk page is the first", "page=abc", 25, "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := env.get(t, c, "/properties?"+tt.query)
			wantStatus(t, res, http.StatusOK)
			rows := readPropertyRows(t, res.doc)
			if len(rows) != tt.rows {
				t.Fatalf("%d rows, want %d", len(rows), tt.rows)
			}
			if got := text(one(t, res.doc, "result-count")); got != "30 properties" {
				t.Errorf("result-count %q", got)
			}
			one(t, res.doc, "pagination")
			if got := text(one(t, res.doc, "page-current")); got != tt.current {
				t.Errorf("page-current %q, want %q", got, tt.current)
			}
			for id := range rowIDs(rows) {
				seen[id] = true
			}
		})
	}
	if len(seen) != 30 {
		t.Errorf("the pages showed %d distinct properties, want 30", len(seen))
	}
	t.Run("links keep the filters", func(t *testing.T) {
		res := env.get(t, c, "/properties?sort=city&dir=desc")
		next := one(t, res.doc, "page-next")
		u := mustParse(t, next.AttrOr("href", ""))
		if q := u.Query(); q.Get("page") != "2" || q.Get("sort") != "city" || q.Get("dir") != "desc" {
			t.Errorf("next link %q drops the filters", u)
		}
		if next.AttrOr("hx-target", "") != "#property-results" {
			t.Errorf("next link hx-target %q", next.AttrOr("hx-target", ""))
		}
	})
}

// TestPropertyListFragment: htmx's targeted swap gets the results region alone; boosted and history-restore
// requests get the whole page; the answer varies on HX-Request so no cache mixes them up.
func TestPropertyListFragment(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	tests := []struct {
		name     string
		hdr      http.Header
		fragment bool
	}{
		{"browser", nil, false},
		{"htmx", htmx, true},
		{"htmx boosted", http.Header{"Hx-Request": {"true"}, "Hx-Boosted": {"true"}}, false},
		{"htmx history restore", http.Header{"Hx-Request": {"true"}, "Hx-History-Restore-Request": {"true"}}, false},
	}
	for _, path := range []string{"/properties?q=a", "/hubs?q=3"} {
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				var hdrs []http.Header
				if tt.hdr != nil {
					hdrs = append(hdrs, tt.hdr)
				}
				res := env.get(t, c, path, hdrs...)
				wantStatus(t, res, http.StatusOK)
				if !strings.Contains(strings.Join(res.header.Values("Vary"), ","), "HX-Request") {
					t.Errorf("Vary %q lacks HX-Request", res.header.Values("Vary"))
				}
				results, filters := "property-results", "property-filters"
				if strings.HasPrefix(path, "/hubs") {
					results, filters = "hub-results", "hub-filters"
				}
				one(t, res.doc, results)
				layout := byTestID(res.doc, "brand").Length() + byTestID(res.doc, filters).Length() + byTestID(res.doc, "flash-region").Length()
				if tt.fragment && (layout != 0 || strings.Contains(strings.ToLower(res.body), "<!doctype")) {
					t.Error("the fragment carries the layout")
				}
				if !tt.fragment && layout != 3 {
					t.Error("the full page lacks its layout")
				}
			})
		}
	}
}

// TestPropertySearchMetacharacters: LIKE wildcards and SQL in q are plain text to search for.
func TestPropertySearchMetacharacters(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	for _, q := range []string{"%", "_", "%%", "%_%", `\`, `\%`, "'", `"`, "'; DROP TABLE properties;--",
		"' OR '1'='1", "1) OR (1=1", strings.Repeat("%", 500)} {
		t.Run(q, func(t *testing.T) {
			for _, path := range []string{"/properties?q=", "/hubs?q="} {
				res := env.get(t, c, path+url.QueryEscape(q))
				wantStatus(t, res, http.StatusOK)
				if n := byTestID(res.doc, "property-row").Length() + byTestID(res.doc, "hub-row").Length(); n != 0 {
					t.Errorf("%s%q matched %d rows", path, q, n)
				}
				one(t, res.doc, "empty")
			}
		})
	}
	// SQLite's LIKE stops at a NUL, so "\x00" searches for nothing in particular; it must still not fail.
	wantStatus(t, env.get(t, c, "/properties?q=%00"), http.StatusOK)
	res := env.get(t, c, "/properties")
	if got := text(one(t, res.doc, "result-count")); got != "12 properties" {
		t.Errorf("after the searches: %q", got)
	}
	page, err := env.store.ListProperties(t.Context(), db.PropertyFilter{})
	if err != nil || page.Total != 12 {
		t.Errorf("store: %d properties, %v", page.Total, err)
	}
}

// TestPropertyPagePastTheEnd: a page number past the last page (a stale link after the portfolio shrank) shows the
// last page, not an empty list that says nothing has been synced yet.
func TestPropertyPagePastTheEnd(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	for _, path := range []string{"/properties?page=2", "/properties?page=999999", "/hubs?page=2"} {
		res := env.get(t, c, path)
		wantStatus(t, res, http.StatusOK)
		if n := byTestID(res.doc, "property-row").Length() + byTestID(res.doc, "hub-row").Length(); n == 0 {
			t.Errorf("%s: no rows, although the mirror is full\n%s", path, text(one(t, res.doc, "empty")))
		}
	}
}
