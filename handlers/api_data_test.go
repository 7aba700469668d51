package handlers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
)

// itemIDs is the id field of every item, as text.
func itemIDs(t *testing.T, items []json.RawMessage) []string {
	t.Helper()
	ids := make([]string, len(items))
	for i, raw := range items {
		var v struct {
			ID json.RawMessage `json:"id"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		ids[i] = strings.Trim(string(v.ID), `"`)
	}
	return ids
}

// TestAPIActivities: following next through small pages gives the full list, and every filter gives the rows
// the /activities page shows for the same query.
func TestAPIActivities(t *testing.T) {
	t.Parallel()
	f := newLogFixture(t)
	admin := f.signedInClient(t, db.RoleAdmin)
	token := f.createAPIToken(t, admin, "log reader", db.RoleAuditor)
	full := itemIDs(t, f.apiAll(t, token, "/api/v1/activities?limit=200"))
	if len(full) != 16 {
		t.Fatalf("%d activities, want 16", len(full))
	}
	paged := itemIDs(t, f.apiAll(t, token, "/api/v1/activities?limit=3"))
	if !slices.Equal(paged, full) {
		t.Errorf("paging by 3 gave %v, want %v", paged, full)
	}

	c := f.signedInClient(t, db.RoleAuditor)
	pA, err := f.store.Property(t.Context(), *f.hubA.PropertyID)
	if err != nil {
		t.Fatal(err)
	}
	local := func(at time.Time) string { return at.In(tz.Load(pA.TimeZone)).Format("2006-01-02T15:04") }
	pidA := strconv.FormatInt(pA.ID, 10)
	filters := []url.Values{
		{"property": {pidA}}, {"hub": {f.hubB.ID}}, {"device": {f.lockA.ID}}, {"device_type": {"lock"}},
		{"message_type": {"UNLOCK"}}, {"who": {"jane doe"}}, {"q": {"gate"}}, {"q": {"front"}, "who": {"Auto"}},
		{"from": {local(f.start)}, "to": {local(f.start.Add(5 * time.Minute))}, "device": {f.lockA.ID}},
	}
	for _, q := range filters {
		t.Run(q.Encode(), func(t *testing.T) {
			pageRows := activityRowIDs(f.get(t, c, "/activities?"+q.Encode()))
			q.Set("limit", "2")
			got := itemIDs(t, f.apiAll(t, token, "/api/v1/activities?"+q.Encode()))
			if len(got) == 0 || !slices.Equal(got, pageRows) {
				t.Errorf("API %v, page %v", got, pageRows)
			}
		})
	}
	for _, tt := range []struct{ query, code string }{
		{"property=999999", "invalid_filter"}, {"from=yesterday", "invalid_filter"}, {"cursor=abc", "invalid_cursor"},
		{"limit=201", "invalid_limit"}, {"limit=0", "invalid_limit"},
	} {
		r := f.apiGet(t, token, "/api/v1/activities?"+tt.query)
		wantAPIStatus(t, r, http.StatusBadRequest)
		if got := r.errorCode(t); got != tt.code {
			t.Errorf("%s: code %q, want %q", tt.query, got, tt.code)
		}
	}
	r := f.apiGet(t, token, "/api/v1/activities/"+full[0])
	wantAPIStatus(t, r, http.StatusOK)
	var one exportRecord
	r.decode(t, &one)
	if strconv.FormatInt(one.ID, 10) != full[0] || one.MessageType == "" || one.TimeUTC == "" {
		t.Errorf("activity %+v", one)
	}
}

// TestAPIHostileStrings: names and details with markup and quotes come back as the same JSON strings, with a
// JSON content type and no raw markup in the body.
func TestAPIHostileStrings(t *testing.T) {
	t.Parallel()
	f := newLogFixture(t)
	hostile := `<script>alert("x")</script> & 'quote' \ </b>` + "\u2028"
	p, err := f.store.Property(t.Context(), *f.hubA.PropertyID)
	if err != nil {
		t.Fatal(err)
	}
	p.Name = hostile
	if err := f.store.UpsertProperty(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	details, _ := json.Marshal(hostile)
	f.deliver(t, deviceEvent(f.lockA, f.hubA, "Unlock", string(details), hostile, f.start.Add(24*time.Hour)))
	token := f.createAPIToken(t, f.signedInClient(t, db.RoleAdmin), "x", db.RoleAdmin)

	r := f.apiGet(t, token, "/api/v1/properties/"+strconv.FormatInt(p.ID, 10))
	wantAPIStatus(t, r, http.StatusOK)
	var got apiPropertyJSON
	r.decode(t, &got)
	if got.Name != hostile {
		t.Errorf("name %q, want %q", got.Name, hostile)
	}
	r2 := f.apiGet(t, token, "/api/v1/activities?limit=1")
	var l struct{ Data []exportRecord }
	r2.decode(t, &l)
	if len(l.Data) != 1 || l.Data[0].Details != hostile || l.Data[0].Who != hostile || l.Data[0].PropertyName != hostile {
		t.Errorf("activity %+v", l.Data)
	}
	for _, body := range []string{r.body, r2.body} {
		if strings.Contains(body, "<script") || strings.Contains(body, "</b>") {
			t.Errorf("raw markup in the body: %.300s", body)
		}
	}
	if r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff header")
	}
}

// TestAPILockCodesNoPIN: lock codes' status (name, locks, slots, sync state) and never the PIN.
func TestAPILockCodesNoPIN(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	staff := env.signedInClient(t, db.RoleStaff)
	pins := map[string]string{"Jane Guest": "482913", "Bob Resident": "739146"}
	for name, pin := range pins {
		id := env.create(t, staff, lcProperty, codeFormValues(name, pin))
		env.waitCode(t, id, "set on every lock", allStatus(db.LockCodeSet))
	}
	token := env.createAPIToken(t, env.signedInClient(t, db.RoleAdmin), "codes", db.RoleStaff)
	items := env.apiAll(t, token, "/api/v1/lock-codes?limit=1&property="+strconv.FormatInt(lcProperty, 10))
	if len(items) != len(pins) {
		t.Fatalf("%d lock codes, want %d", len(items), len(pins))
	}
	for _, raw := range items {
		var c apiLockCodeJSON
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
		if _, ok := pins[c.Name]; !ok || len(c.Locks) == 0 || c.SyncState != "set" || c.Locks[0].Slot == nil ||
			c.IssuedBy == "" {
			t.Errorf("code %s: %s", c.ID, raw)
		}
		r := env.apiGet(t, token, "/api/v1/lock-codes/"+url.PathEscape(c.ID))
		wantAPIStatus(t, r, http.StatusOK)
		for _, body := range []string{string(raw), r.body} {
			if strings.Contains(strings.ToLower(body), `"pin`) {
				t.Errorf("a PIN field in %s", body)
			}
			for _, pin := range pins {
				if strings.Contains(body, pin) {
					t.Errorf("PIN %s in %s", pin, body)
				}
			}
		}
	}
}

// TestAPIMirror: every list pages through all the mirror's rows in id order; single items and unknown ones.
func TestAPIMirror(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	token := env.createAPIToken(t, env.signedInClient(t, db.RoleAdmin), "mirror", db.RoleInstaller)
	props, err := env.store.ListProperties(t.Context(), db.PropertyFilter{Page: 1, PerPage: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ids := itemIDs(t, env.apiAll(t, token, "/api/v1/properties?limit=5"))
	if len(ids) != props.Total || !slices.IsSortedFunc(ids, func(a, b string) int { return len(a)*1e6 - len(b)*1e6 + strings.Compare(a, b) }) {
		t.Errorf("properties %v, want %d in id order", ids, props.Total)
	}
	hubs := env.apiAll(t, token, "/api/v1/hubs?limit=4")
	devices := env.apiAll(t, token, "/api/v1/devices?limit=7")
	if len(hubs) == 0 || len(devices) == 0 || !slices.IsSorted(itemIDs(t, devices)) {
		t.Fatalf("%d hubs, %d devices (want some, devices in id order)", len(hubs), len(devices))
	}
	var hub apiHubJSON
	_ = json.Unmarshal(hubs[0], &hub)
	perHub := env.apiAll(t, token, "/api/v1/devices?hub="+url.QueryEscape(hub.ID))
	want, _ := env.store.DevicesByHub(t.Context(), hub.ID)
	if len(perHub) != len(want) {
		t.Errorf("hub %s: %d devices, want %d", hub.ID, len(perHub), len(want))
	}
	var dev apiDeviceJSON
	r := env.apiGet(t, token, "/api/v1/devices/"+url.PathEscape(itemIDs(t, devices)[0]))
	wantAPIStatus(t, r, http.StatusOK)
	r.decode(t, &dev)
	if dev.HubID == "" || string(dev.State) == "" || dev.SyncedAt.IsZero() {
		t.Errorf("device %+v", dev)
	}
	for _, tt := range []struct{ method, path, code string }{
		{"GET", "/api/v1/devices/no-such-device", "not_found"},
		{"GET", "/api/v1/properties/abc", "not_found"},
		{"GET", "/api/v1/alerts/999999", "not_found"},
		{"GET", "/api/v1/nothing", "route_not_found"},
		{"POST", "/api/v1/properties", "method_not_allowed"},
		{"DELETE", "/api/v1/devices/x", "method_not_allowed"},
	} {
		r := env.apiDo(t, http.DefaultClient, tt.method, token, tt.path)
		if r.status != http.StatusNotFound && r.status != http.StatusMethodNotAllowed || r.errorCode(t) != tt.code {
			t.Errorf("%s %s: %d %s, want code %s", tt.method, tt.path, r.status, r.body, tt.code)
		}
	}
}

// TestAPIActivityFilterIsThePages: for the same query string the API hands the store the very filter the page
// does (only the limit and the cursor differ), so it runs the page's SQL on the page's indexes, which
// db.TestQueryPlansUseIndexes checks and the bench times at 1,000,000 rows.
func TestAPIActivityFilterIsThePages(t *testing.T) {
	t.Parallel()
	f := newLogFixture(t)
	pid := strconv.FormatInt(*f.hubA.PropertyID, 10)
	for _, q := range []url.Values{
		{}, {"property": {pid}}, {"hub": {f.hubB.ID}}, {"device": {f.lockA.ID}}, {"device_type": {"lock"}},
		{"message_type": {"Unlock"}}, {"who": {"Jane Doe"}}, {"q": {"front gate"}},
		{"property": {pid}, "from": {"2026-01-10T00:00"}, "to": {"2026-01-11T00:00"}, "message_type": {"lock"}},
	} {
		page, err := parseActivityQuery(t.Context(), f.store, q)
		if err != nil {
			t.Fatal(err)
		}
		q.Set("limit", "7")
		q.Set("cursor", "1768046400000.5")
		api, err := apiActivityFilter(t.Context(), f.store, q)
		if err != nil {
			t.Fatal(err)
		}
		if api.Limit != 7 || api.Before == nil || api.Before.ID != 5 || api.Before.At.UnixMilli() != 1768046400000 {
			t.Errorf("%s: limit %d, cursor %+v", q.Encode(), api.Limit, api.Before)
		}
		api.Limit, api.Before = page.filter.Limit, page.filter.Before
		if fmt.Sprintf("%+v", api) != fmt.Sprintf("%+v", page.filter) {
			t.Errorf("%s: API filter %+v, page filter %+v", q.Encode(), api, page.filter)
		}
	}
}
