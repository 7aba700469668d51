package handlers

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/keyless/dashboard/db"
)

// TestAlertsPageFilters: each filter narrows the page to what it names, pages walk the list once, and an unknown
// filter value is a 400 that says which.
func TestAlertsPageFilters(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()
	dev, hub := env.quietDevice(t)
	now := time.Now().UTC()
	open := func(kind string, age time.Duration) db.Alert {
		a, _, err := env.store.RaiseAlert(ctx, db.AlertRaise{Kind: kind, PropertyID: dev.PropertyID, HubID: hub.ID,
			DeviceID: dev.ID, At: now.Add(-age)})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	open(db.AlertTamper, 10*time.Minute)
	open(db.AlertJammed, 3*time.Hour)
	old := open(db.AlertLowBattery, 10*24*time.Hour)
	if _, err := env.store.ResolveAlert(ctx, old.ID, env.users[db.RoleStaff].ID, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.store.RaiseAlert(ctx, db.AlertRaise{Kind: db.AlertHubOffline, HubID: "elsewhere", At: now}); err != nil {
		t.Fatal(err)
	}
	pid := strconv.FormatInt(*dev.PropertyID, 10)
	auditor := env.signedInClient(t, db.RoleAuditor)
	kinds := func(doc *goquery.Document) string {
		var out []string
		byTestID(doc, "alert").Each(func(_ int, s *goquery.Selection) { out = append(out, s.AttrOr("data-kind", "")) })
		return strings.Join(out, ",")
	}
	dq := "?device=" + dev.ID
	tests := []struct {
		query string
		want  string // kinds, newest first
	}{
		{dq, "low_battery,jammed,tamper"},
		{"?hub=elsewhere", "hub_offline"},
		{dq + "&property=" + pid, "low_battery,jammed,tamper"},
		{dq + "&kind=jammed", "jammed"},
		{dq + "&state=resolved", "low_battery"},
		{dq + "&state=unresolved", "jammed,tamper"},
		{dq + "&age=1h", "tamper"}, // the age filter reads when an alert opened
		{dq + "&age=24h", "jammed,tamper"},
		{dq + "&age=older", "low_battery"},
		{"?property=" + pid + "&kind=tamper&age=1h", "tamper"},
	}
	for _, tt := range tests {
		res := env.get(t, auditor, "/alerts"+tt.query)
		wantStatus(t, res, http.StatusOK)
		if got := kinds(res.doc); got != tt.want {
			t.Errorf("/alerts%s: %s, want %s", tt.query, got, tt.want)
		}
		if byTestID(res.doc, "alert-actions").Length() != 0 {
			t.Errorf("/alerts%s: an auditor is offered actions", tt.query)
		}
	}
	for _, q := range []string{"?kind=fire", "?state=maybe", "?age=1y", "?property=abc"} {
		wantStatus(t, env.get(t, auditor, "/alerts"+q), http.StatusBadRequest)
	}

	for i := range alertPageSize + 5 { // enough for a second page
		if _, _, err := env.store.RaiseAlert(ctx, db.AlertRaise{Kind: db.AlertHubOffline, HubID: "hub-" + strconv.Itoa(i), At: now}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := env.store.ListAlerts(ctx, db.AlertFilter{Kind: db.AlertHubOffline, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	first := env.get(t, auditor, "/alerts?kind=hub_offline")
	if n := byTestID(first.doc, "alert").Length(); n != alertPageSize {
		t.Fatalf("first page %d rows, want %d", n, alertPageSize)
	}
	older := one(t, first.doc, "alerts-older").AttrOr("href", "")
	second := env.get(t, auditor, older)
	wantStatus(t, second, http.StatusOK)
	if n, want := byTestID(second.doc, "alert").Length(), len(all.Items)-alertPageSize; n != want || want <= 0 {
		t.Errorf("second page %d rows, want %d", n, want)
	}
	if byTestID(second.doc, "alerts-older").Length() != 0 || byTestID(second.doc, "alerts-newest").Length() != 1 {
		t.Error("second page links")
	}
	seen := map[string]bool{}
	for _, doc := range []*goquery.Document{first.doc, second.doc} {
		byTestID(doc, "alert").Each(func(_ int, s *goquery.Selection) { seen[s.AttrOr("data-alert-id", "")] = true })
	}
	if len(seen) != len(all.Items) {
		t.Errorf("two pages showed %d distinct alerts of %d", len(seen), len(all.Items))
	}
}

// quietDevice finds a device on an online, assigned hub that has never had an alert.
func (e *testEnv) quietDevice(t *testing.T) (db.Device, db.Hub) {
	t.Helper()
	res, err := e.store.ListHubs(t.Context(), db.HubFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Items {
		if !h.Hub.Online || h.Hub.PropertyID == nil {
			continue
		}
		devs, err := e.store.DevicesByHub(t.Context(), h.Hub.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			page, err := e.store.ListAlerts(t.Context(), db.AlertFilter{DeviceID: d.ID, Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if d.PropertyID != nil && len(page.Items) == 0 {
				return d, h.Hub
			}
		}
	}
	t.Fatal("every device has an alert")
	return db.Device{}, db.Hub{}
}
