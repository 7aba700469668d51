package handlers

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// forceAlerts takes the hub of property 102 offline and drains a battery at property 103 before the setup sync,
// so the filters have known answers whatever the seed put there.
func forceAlerts(t *testing.T, sim *simulator.Simulator, api *smarthome.Client) {
	t.Helper()
	v := readUpstream(t, api)
	for _, h := range v.hubs {
		if h.PropertyID == nil {
			continue
		}
		switch *h.PropertyID {
		case 102:
			if err := sim.SetHubOnline(h.ID, false); err != nil {
				t.Fatal(err)
			}
		case 103:
			for _, d := range h.devices {
				if _, ok := deviceBattery(d); ok {
					if err := sim.Trigger(simulator.TriggerEvent{DeviceID: d.ID, MessageType: "low_battery", Details: 7}); err != nil {
						t.Fatal(err)
					}
					return
				}
			}
			t.Fatal("property 103 has no battery device")
		}
	}
}

// propertyRows reads the rows of a property list (page or fragment).
type propertyRowView struct {
	id, name, address, city string
	hubs, devices, alerts   int
	hubsOffline             bool
}

func readPropertyRows(t *testing.T, doc *goquery.Document) []propertyRowView {
	t.Helper()
	var out []propertyRowView
	byTestID(doc, "property-row").Each(func(_ int, s *goquery.Selection) {
		num := func(sel string) int {
			f := strings.Fields(s.Find(sel).First().Text())
			if len(f) == 0 {
				t.Fatalf("row %s: no %s", s.AttrOr("data-property-id", "?"), sel)
			}
			n, err := strconv.Atoi(f[0])
			if err != nil {
				t.Fatalf("row %s: %s %q", s.AttrOr("data-property-id", "?"), sel, f[0])
			}
			return n
		}
		out = append(out, propertyRowView{id: s.AttrOr("data-property-id", ""), name: text(s.Find(`[data-testid="property-link"]`)),
			address: text(s.Find(`[data-testid="property-address"]`)), city: text(s.Find(`td[data-label="City"]`)),
			hubs: num(`td[data-label="Hubs"]`), devices: num(`td[data-label="Devices"]`), alerts: num(`[data-testid="alerts"]`),
			hubsOffline: s.Find(`[data-testid="hubs-offline"]`).Length() > 0})
	})
	return out
}

func rowIDs(rows []propertyRowView) idSet {
	out := idSet{}
	for _, r := range rows {
		out[r.id] = true
	}
	return out
}

func TestPropertyList(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withBeforeSync(forceAlerts))
	up := readUpstream(t, env.api)
	facts := up.facts()
	c := env.signedInClient(t, db.RoleStaff)

	res := env.get(t, c, "/properties")
	wantStatus(t, res, http.StatusOK)
	if got, want := text(one(t, res.doc, "result-count")), strconv.Itoa(len(up.properties))+" properties"; got != want {
		t.Errorf("result-count %q, want %q", got, want)
	}
	rows := readPropertyRows(t, res.doc)
	if !rowIDs(rows).equal(propertyIDs(up, func(smarthome.Property) bool { return true })) {
		t.Fatalf("rows %v, want every upstream property", rowIDs(rows))
	}
	for _, r := range rows {
		id, _ := strconv.ParseInt(r.id, 10, 64)
		f := facts[id]
		if r.hubs != f.hubs || r.devices != f.devices || r.hubsOffline != (f.hubsOffline > 0) {
			t.Errorf("property %s: hubs %d devices %d offline %v; upstream has hubs %d devices %d offline %d",
				r.id, r.hubs, r.devices, r.hubsOffline, f.hubs, f.devices, f.hubsOffline)
		}
		if (f.hubsOffline > 0 || f.lowBattery) && r.alerts == 0 {
			t.Errorf("property %s: offline hub or low battery, but 0 alerts", r.id)
		}
	}
	if facts[102].hubsOffline == 0 || !facts[103].lowBattery {
		t.Fatal("the forced alerts did not reach the upstream")
	}
	one(t, res.doc, "property-filters")
	one(t, res.doc, "sync-status")
	if byTestID(res.doc, "pagination").Length() != 0 {
		t.Error("one page of results shows a pagination bar")
	}
}

func TestPropertyFilters(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withBeforeSync(forceAlerts))
	up := readUpstream(t, env.api)
	facts := up.facts()
	first := up.properties[0]
	street := strings.Fields(first.StreetAddress)
	contains := func(s, sub string) bool { return strings.Contains(strings.ToLower(s), strings.ToLower(sub)) }
	matchQ := func(q string) func(p smarthome.Property) bool {
		return func(p smarthome.Property) bool {
			return contains(p.Name, q) || contains(p.Address, q) || contains(p.City, q)
		}
	}
	tests := []struct {
		name  string
		query string
		want  func(smarthome.Property) bool
	}{
		{"q by exact name", "q=" + url.QueryEscape(first.Name), matchQ(first.Name)},
		{"q by name, other case", "q=" + url.QueryEscape(strings.ToUpper(first.Name)), matchQ(first.Name)},
		{"q by city", "q=" + url.QueryEscape(first.City), matchQ(first.City)},
		{"q by street name", "q=" + url.QueryEscape(street[len(street)-2]), matchQ(street[len(street)-2])},
		{"q with spaces around", "q=" + url.QueryEscape("  "+first.City+"  "), matchQ(first.City)},
		{"q matches nothing", "q=zzzz-nowhere", func(smarthome.Property) bool { return false }},
		{"hub offline", "hub_offline=1", func(p smarthome.Property) bool { return facts[p.ID].hubsOffline > 0 }},
		{"low battery", "low_battery=1", func(p smarthome.Property) bool { return facts[p.ID].lowBattery }},
		{"hub offline and low battery", "hub_offline=1&low_battery=1", func(p smarthome.Property) bool {
			return facts[p.ID].hubsOffline > 0 && facts[p.ID].lowBattery
		}},
		{"city and hub offline", "q=" + url.QueryEscape(first.City) + "&hub_offline=1", func(p smarthome.Property) bool {
			return matchQ(first.City)(p) && facts[p.ID].hubsOffline > 0
		}},
	}
	c := env.signedInClient(t, db.RoleAuditor)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := env.get(t, c, "/properties?"+tt.query)
			wantStatus(t, res, http.StatusOK)
			want := propertyIDs(up, tt.want)
			got := rowIDs(readPropertyRows(t, res.doc))
			if !got.equal(want) {
				t.Errorf("rows %v, want %v", got, want)
			}
			if n := text(one(t, res.doc, "result-count")); !strings.HasPrefix(n, strconv.Itoa(len(want))+" ") {
				t.Errorf("result-count %q, want %d", n, len(want))
			}
			if len(want) == 0 {
				one(t, res.doc, "empty")
				one(t, res.doc, "clear-filters")
			}
		})
	}
	t.Run("has alerts", func(t *testing.T) {
		t.Parallel()
		res := env.get(t, c, "/properties?has_alerts=1")
		wantStatus(t, res, http.StatusOK)
		rows := readPropertyRows(t, res.doc)
		got := rowIDs(rows)
		for id, must := range propertyIDs(up, func(p smarthome.Property) bool { return facts[p.ID].hubsOffline > 0 || facts[p.ID].lowBattery }) {
			if must && !got[id] {
				t.Errorf("property %s has an offline hub or a low battery but is not listed", id)
			}
		}
		for _, r := range rows {
			if r.alerts == 0 {
				t.Errorf("property %s listed with 0 alerts", r.id)
			}
		}
	})
	t.Run("filters are echoed in the form", func(t *testing.T) {
		t.Parallel()
		res := env.get(t, c, "/properties?q=Oak&hub_offline=1&sort=city&dir=desc")
		wantStatus(t, res, http.StatusOK)
		if got := one(t, res.doc, "filter-q").AttrOr("value", ""); got != "Oak" {
			t.Errorf("filter-q %q", got)
		}
		if _, ok := one(t, res.doc, "filter-hub_offline").Attr("checked"); !ok {
			t.Error("hub_offline not checked")
		}
		if _, ok := one(t, res.doc, "filter-low_battery").Attr("checked"); ok {
			t.Error("low_battery checked")
		}
		if got := one(t, res.doc, "filter-sort").Find("option[selected]").AttrOr("value", ""); got != "city" {
			t.Errorf("sort %q selected", got)
		}
		if got := one(t, res.doc, "filter-dir").Find("option[selected]").AttrOr("value", ""); got != "desc" {
			t.Errorf("dir %q selected", got)
		}
	})
}

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
