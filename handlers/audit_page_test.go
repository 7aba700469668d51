package handlers

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/keyless/dashboard/db"
)

// chicagoProperty returns a mirrored property in America/Chicago, for the daylight-saving cases.
func auditChicagoProperty(t *testing.T, env *testEnv) db.Property {
	t.Helper()
	res, err := env.store.ListProperties(t.Context(), db.PropertyFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Items {
		if p.TimeZone == "America/Chicago" {
			return p.Property
		}
	}
	t.Fatal("no property in America/Chicago")
	return db.Property{}
}

// seedAudit writes n entries spread over people, actions and outcomes, one minute apart from start.
func seedAuditLog(t *testing.T, env *testEnv, n int, start time.Time, prop int64) {
	t.Helper()
	people := []string{"ann@example.com", "bob@example.com", "cy@example.com"}
	actions := []string{"device.lock", "device.unlock", "hub.reboot", "lock_code.reveal"}
	outcomes := []string{db.OutcomeOK, db.OutcomeOK, db.OutcomeFailed, db.OutcomeDenied}
	for i := range n {
		e := db.AuditEntry{At: start.Add(time.Duration(i) * time.Minute), UserEmail: people[i%3], Role: "staff",
			Action: actions[i%4], TargetType: "device", TargetID: "dev-" + strconv.Itoa(i%5), Outcome: outcomes[i%4],
			Detail: "entry " + strconv.Itoa(i), IP: "192.0.2.1"}
		if i%2 == 0 {
			e.PropertyID = &prop
		}
		if err := env.store.Audit(t.Context(), e); err != nil {
			t.Fatal(err)
		}
	}
}

func auditRowIDs(doc *goquery.Document) []string {
	var ids []string
	byTestID(doc, "audit-row").Each(func(_ int, s *goquery.Selection) { ids = append(ids, s.AttrOr("data-audit-id", "")) })
	return ids
}

func auditSearchIDs(t *testing.T, env *testEnv, q db.AuditSearch) []string {
	t.Helper()
	q.Limit = 1000 // the most SearchAudit returns; the tests seed fewer
	es, err := env.store.SearchAudit(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range es {
		ids = append(ids, strconv.FormatInt(e.ID, 10))
	}
	return ids
}

// TestAuditPageFilters: each filter narrows the page to exactly the matching entries; bad filters are 422.
func TestAuditPageFilters(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	prop := auditChicagoProperty(t, env)
	start := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	seedAuditLog(t, env, 40, start, prop.ID)
	c := env.signedInClient(t, db.RoleAuditor)
	pid := strconv.FormatInt(prop.ID, 10)
	tests := []struct {
		name  string
		query url.Values
		want  db.AuditSearch
	}{
		{"person", url.Values{"person": {"ANN@example.com"}}, db.AuditSearch{AuditFilter: db.AuditFilter{UserEmail: "ann@example.com"}}},
		{"action", url.Values{"action": {"hub.reboot"}}, db.AuditSearch{AuditFilter: db.AuditFilter{Action: "hub.reboot"}}},
		{"target", url.Values{"target_type": {"device"}, "target_id": {"dev-3"}}, db.AuditSearch{AuditFilter: db.AuditFilter{TargetType: "device", TargetID: "dev-3"}}},
		{"property", url.Values{"property": {pid}}, db.AuditSearch{AuditFilter: db.AuditFilter{PropertyID: &prop.ID}}},
		{"outcome", url.Values{"outcome": {"denied"}}, db.AuditSearch{Outcome: db.OutcomeDenied}},
		{"time range in UTC", url.Values{"from": {"2026-06-01T12:10"}, "to": {"2026-06-01T12:20"}},
			db.AuditSearch{AuditFilter: db.AuditFilter{From: start.Add(10 * time.Minute), To: start.Add(20 * time.Minute)}}},
		{"time range in the property's zone", url.Values{"property": {pid}, "from": {"2026-06-01T07:10"}, "to": {"2026-06-01T07:20"}},
			db.AuditSearch{AuditFilter: db.AuditFilter{PropertyID: &prop.ID, From: start.Add(10 * time.Minute), To: start.Add(20 * time.Minute)}}},
		{"combined", url.Values{"person": {"bob@example.com"}, "outcome": {"ok"}},
			db.AuditSearch{AuditFilter: db.AuditFilter{UserEmail: "bob@example.com"}, Outcome: db.OutcomeOK}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := env.get(t, c, "/audit?"+tt.query.Encode())
			wantStatus(t, res, http.StatusOK)
			if p := tt.query.Get("person"); p != "" {
				if got := res.doc.Find(`[data-testid="audit-person"] option[selected]`).AttrOr("value", ""); got != strings.ToLower(p) {
					t.Errorf("person select shows %q", got)
				}
			}
			want := auditSearchIDs(t, env, tt.want)
			if got := auditRowIDs(res.doc); len(want) == 0 || !slices.Equal(got, want) {
				t.Errorf("rows %v, want %v", got, want)
			}
			exp := one(t, res.doc, "audit-export-csv").AttrOr("href", "")
			for k, vs := range tt.query {
				if !strings.Contains(strings.ToLower(exp), strings.ToLower(url.QueryEscape(k)+"="+url.QueryEscape(vs[0]))) {
					t.Errorf("export link %q lacks %s", exp, k)
				}
			}
		})
	}
	bad := []struct{ name, query, msg string }{
		{"outcome", "outcome=maybe", "Outcome must be"},
		{"property", "property=abc", "Property must be"},
		{"from", "from=yesterday", "From must be"},
		{"range", "from=2026-06-02T00:00&to=2026-06-01T00:00", "Until must be after"},
	}
	for _, tt := range bad {
		t.Run("bad "+tt.name, func(t *testing.T) {
			t.Parallel()
			res := env.get(t, c, "/audit?"+tt.query)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if got := text(one(t, res.doc, "audit-error")); !strings.Contains(got, tt.msg) {
				t.Errorf("error %q", got)
			}
		})
	}
}

// TestAuditPageDST: a property's range is read in its zone, across the repeated hour when daylight saving ends.
func TestAuditPageDST(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	prop := auditChicagoProperty(t, env)
	at := []time.Time{ // 01:30 CDT, 01:30 CST (the same wall time twice), 02:30 CST on Nov 1 2026
		time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC),
		time.Date(2026, 11, 1, 7, 30, 0, 0, time.UTC),
		time.Date(2026, 11, 1, 8, 30, 0, 0, time.UTC),
	}
	for i, a := range at {
		if err := env.store.Audit(t.Context(), db.AuditEntry{At: a, UserEmail: "ann@example.com", Action: "device.unlock",
			PropertyID: &prop.ID, Outcome: db.OutcomeOK, Detail: "dst " + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	c := env.signedInClient(t, db.RoleAdmin)
	q := url.Values{"property": {strconv.FormatInt(prop.ID, 10)}, "from": {"2026-11-01T00:00"}, "to": {"2026-11-01T02:00"}}
	res := env.get(t, c, "/audit?"+q.Encode())
	wantStatus(t, res, http.StatusOK)
	var details, times []string
	byTestID(res.doc, "audit-row").Each(func(_ int, s *goquery.Selection) {
		details = append(details, text(s.Find(`[data-testid="audit-detail"]`)))
		times = append(times, text(s.Find("time")))
	})
	if !slices.Equal(details, []string{"dst 1", "dst 0"}) {
		t.Fatalf("rows %v, want both 01:30s (CST then CDT)", details)
	}
	if !strings.Contains(times[0], "1:30 AM CST") || !strings.Contains(times[1], "1:30 AM CDT") {
		t.Errorf("times %v", times)
	}
	if got := text(one(t, res.doc, "page-subtitle")); !strings.Contains(got, "America/Chicago") {
		t.Errorf("subtitle %q does not name the zone", got)
	}
}

// TestAuditPaging: keyset pages of 50 walk the whole log once, newest first.
func TestAuditPaging(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	seedAuditLog(t, env, 120, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), 1)
	c := env.signedInClient(t, db.RoleAuditor)
	want := auditSearchIDs(t, env, db.AuditSearch{})
	var got []string
	next := "/audit"
	for page := 0; next != "" && page < 10; page++ {
		res := env.get(t, c, next)
		wantStatus(t, res, http.StatusOK)
		got = append(got, auditRowIDs(res.doc)...)
		next = byTestID(res.doc, "audit-older").AttrOr("href", "")
		if page > 0 && byTestID(res.doc, "audit-newest").Length() != 1 {
			t.Error("no link back to the newest page")
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged through %d entries, want %d in order", len(got), len(want))
	}
}

// TestAuditExport: CSV and JSON carry exactly the filtered view (all of it, not one page), defuse spreadsheet
// formulas, and the export itself is audited.
func TestAuditExport(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	start := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	seedAuditLog(t, env, auditExportBatch+60, start, 1) // more than one batch of the stream
	if err := env.store.Audit(t.Context(), db.AuditEntry{At: start, UserEmail: "ann@example.com", Action: "device.lock",
		TargetType: "device", Outcome: db.OutcomeOK, Detail: "=HYPERLINK(\"http://evil.example\")"}); err != nil {
		t.Fatal(err)
	}
	c := env.signedInClient(t, db.RoleAuditor)
	filter := url.Values{"target_type": {"device"}, "outcome": {"ok"}}
	want := auditSearchIDs(t, env, db.AuditSearch{AuditFilter: db.AuditFilter{TargetType: "device"}, Outcome: db.OutcomeOK})
	all := auditSearchIDs(t, env, db.AuditSearch{})
	if len(want) <= auditPageSize || len(want) == len(all) {
		t.Fatalf("%d of %d entries: the export must span pages and leave some out", len(want), len(all))
	}
	t.Run("csv", func(t *testing.T) {
		res := env.get(t, c, "/audit/export?format=csv&"+filter.Encode())
		wantStatus(t, res, http.StatusOK)
		if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := res.header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, ".csv") {
			t.Errorf("Content-Disposition %q", cd)
		}
		recs, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(recs[0], auditCSVHeader) {
			t.Errorf("header %v", recs[0])
		}
		var got []string
		for _, r := range recs[1:] {
			got = append(got, r[0])
			if strings.HasPrefix(r[12], "=") {
				t.Errorf("formula exported as is: %q", r[12])
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("csv has %d rows, want %d", len(got), len(want))
		}
	})
	t.Run("json", func(t *testing.T) {
		res := env.get(t, c, "/audit/export?format=json&"+filter.Encode())
		wantStatus(t, res, http.StatusOK)
		var rows []auditExportRow
		if err := json.Unmarshal([]byte(res.body), &rows); err != nil {
			t.Fatalf("%v\n%.300s", err, res.body)
		}
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprint(r.ID))
			if r.TargetType != "device" || r.Outcome != db.OutcomeOK || r.TimeUTC == "" || r.Zone != "UTC" {
				t.Fatalf("row %+v", r)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("json has %d rows, want %d", len(got), len(want))
		}
	})
	t.Run("bad format and filter", func(t *testing.T) {
		wantStatus(t, env.get(t, c, "/audit/export?format=xml"), http.StatusBadRequest)
		wantStatus(t, env.get(t, c, "/audit/export?format=csv&outcome=maybe"), http.StatusUnprocessableEntity)
	})
	exports, err := env.store.SearchAudit(t.Context(), db.AuditSearch{AuditFilter: db.AuditFilter{Action: "audit.export"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(exports) != 2 || exports[0].UserEmail != env.users[db.RoleAuditor].Email {
		t.Errorf("export audit entries %+v", exports)
	}
}

// TestAuditNav: the Audit link is shown to the roles that may read the log.
func TestAuditNav(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	for _, role := range roles {
		t.Run(string(role), func(t *testing.T) {
			t.Parallel()
			res := env.get(t, env.signedInClient(t, role), "/")
			wantStatus(t, res, http.StatusOK)
			shown := res.doc.Find(`nav a[href="/audit"]`).Length() == 1
			if want := role == db.RoleAdmin || role == db.RoleAuditor; shown != want {
				t.Errorf("Audit link shown %v, want %v", shown, want)
			}
		})
	}
}
