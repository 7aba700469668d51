package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
)

// logFixture is a webhook env with a known set of deliveries for two locks of different properties.
type logFixture struct {
	*whEnv
	lockA, lockB db.Device
	hubA, hubB   db.Hub
	start        time.Time
}

func newLogFixture(t *testing.T) *logFixture {
	t.Helper()
	e := newWebhookEnv(t)
	f := &logFixture{whEnv: e, start: time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)}
	f.lockA, f.hubA = e.mirrored(t, "lock")
	res, err := e.store.ListHubs(t.Context(), db.HubFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Items { // a lock of another property
		if h.Hub.PropertyID == nil || *h.Hub.PropertyID == *f.hubA.PropertyID {
			continue
		}
		devs, _ := e.store.DevicesByHub(t.Context(), h.Hub.ID)
		for _, d := range devs {
			if d.Type == "lock" && f.lockB.ID == "" {
				f.lockB, f.hubB = d, h.Hub
			}
		}
	}
	if f.lockB.ID == "" {
		t.Fatal("no lock at a second property")
	}
	// 12 at A (6 Unlock by "Jane Doe" with "front gate", 6 Lock by Auto), 4 at B (low_battery, numeric details).
	for i := range 12 {
		msg, user := "Lock", "Auto"
		if i%2 == 0 {
			msg, user = "Unlock", "Jane Doe"
		}
		f.deliver(t, deviceEvent(f.lockA, f.hubA, msg, `"front gate `+strconv.Itoa(i)+`"`, user, f.start.Add(time.Duration(i)*time.Minute)))
	}
	for i := range 4 {
		f.deliver(t, deviceEvent(f.lockB, f.hubB, "low_battery", strconv.Itoa(30-i), "", f.start.Add(time.Duration(i)*time.Hour)))
	}
	return f
}

func (f *logFixture) deliver(t *testing.T, body []byte) {
	t.Helper()
	if rep := f.post(t, "", body, nil); rep.status != http.StatusOK {
		t.Fatalf("delivery: %d %s", rep.status, rep.body)
	}
}

func activityRowIDs(r response) []string {
	var ids []string
	r.doc.Find(`[data-testid=activity-row]`).Each(func(_ int, s *goquery.Selection) {
		ids = append(ids, s.AttrOr("data-activity-id", ""))
	})
	return ids
}

func TestActivityLogFilters(t *testing.T) {
	t.Parallel()
	f := newLogFixture(t)
	c := f.signedInClient(t, db.RoleAuditor)
	pidA := strconv.FormatInt(*f.hubA.PropertyID, 10)
	pA, err := f.store.Property(t.Context(), *f.hubA.PropertyID)
	if err != nil {
		t.Fatal(err)
	}
	local := func(t time.Time) string { return t.In(tz.Load(pA.TimeZone)).Format("2006-01-02T15:04") } // the device's zone
	tests := []struct {
		name  string
		query url.Values
		want  int
		live  string
	}{
		{"everything", nil, 16, "prepend"},
		{"property", url.Values{"property": {pidA}}, 12, "prepend"},
		{"hub", url.Values{"hub": {f.hubB.ID}}, 4, "prepend"},
		{"device", url.Values{"device": {f.lockA.ID}}, 12, "prepend"},
		{"device type", url.Values{"device_type": {"lock"}}, 16, "refetch"},
		{"message type any case", url.Values{"message_type": {"UNLOCK"}}, 6, "refetch"},
		{"who", url.Values{"who": {"jane doe"}}, 6, "refetch"},
		{"text", url.Values{"q": {"gate"}}, 12, "refetch"},
		{"text and who", url.Values{"q": {"front"}, "who": {"Auto"}}, 6, "refetch"},
		{"time range", url.Values{"from": {local(f.start)}, "to": {local(f.start.Add(5 * time.Minute))}, "device": {f.lockA.ID}}, 5, "refetch"},
		{"unknown property", url.Values{"property": {"999999"}}, 0, ""},
		{"bad property id", url.Values{"property": {"<b>x</b>"}}, 0, ""},
		{"bad time ignored", url.Values{"from": {"yesterday"}, "device": {f.lockB.ID}}, 4, "prepend"},
		{"from after until", url.Values{"from": {"2026-01-11T00:00"}, "to": {"2026-01-10T00:00"}}, 0, "refetch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.get(t, c, "/activities?"+tt.query.Encode())
			wantStatus(t, r, http.StatusOK)
			if got := len(activityRowIDs(r)); got != tt.want {
				t.Errorf("%d rows, want %d", got, tt.want)
			}
			if live := one(t, r.doc, "activity-results").AttrOr("data-live", ""); live != tt.live {
				t.Errorf("live mode %q, want %q", live, tt.live)
			}
			if strings.Contains(r.body, "<b>x</b>") {
				t.Error("filter input echoed unescaped")
			}
		})
	}
	// The page's stream is scoped like its filter.
	r := f.get(t, c, "/activities?property="+pidA)
	if got := one(t, r.doc, "live").AttrOr("sse-connect", ""); got != "/events?property="+pidA {
		t.Errorf("stream %q, want the property's", got)
	}
}

// TestActivityLogTimeZone reads From/Until in the property's zone across the spring-forward change: 01:30 to
// 03:30 local on the DST day is one real hour.
func TestActivityLogTimeZone(t *testing.T) {
	t.Parallel()
	f := newLogFixture(t)
	p, err := f.store.Property(t.Context(), *f.hubA.PropertyID)
	if err != nil {
		t.Fatal(err)
	}
	loc := tz.Load(p.TimeZone)
	from := time.Date(2026, 3, 8, 1, 30, 0, 0, loc)
	to := time.Date(2026, 3, 8, 3, 30, 0, 0, loc)
	if to.Sub(from) != time.Hour {
		t.Skipf("zone %s has no spring-forward on 2026-03-08", p.TimeZone)
	}
	for i, offset := range []time.Duration{-time.Minute, 0, 30 * time.Minute, 59 * time.Minute, time.Hour} {
		f.deliver(t, deviceEvent(f.lockA, f.hubA, "door_unicorn", `"dst `+strconv.Itoa(i)+`"`, "", from.Add(offset)))
	}
	c := f.signedInClient(t, db.RoleAdmin)
	q := url.Values{"property": {strconv.FormatInt(p.ID, 10)}, "message_type": {"door_unicorn"},
		"from": {"2026-03-08T01:30"}, "to": {"2026-03-08T03:30"}}
	r := f.get(t, c, "/activities?"+q.Encode())
	if got := len(activityRowIDs(r)); got != 3 {
		t.Fatalf("%d rows in the local window, want 3 (at 0, 30 and 59 minutes)", got)
	}
	if zone := text(r.doc.Find(`label[for=activity-from] .muted`)); zone != "("+p.TimeZone+")" {
		t.Errorf("the form says times are in %q, want %s", zone, p.TimeZone)
	}
	when := r.doc.Find(`[data-testid=activity-when] time`).First().Text()
	if !strings.Contains(when, "CDT") && !strings.Contains(when, "EDT") && !strings.Contains(when, "MDT") && !strings.Contains(when, "PDT") {
		t.Errorf("times are not shown in the property's daylight time: %q", when)
	}
}

func TestActivityLogPaging(t *testing.T) {
	t.Parallel()
	f := newLogFixture(t)
	for i := range activityPageSize { // 16 + 50 rows: two pages
		f.deliver(t, deviceEvent(f.lockB, f.hubB, "tamper", `"t`+strconv.Itoa(i)+`"`, "", f.start.Add(-time.Duration(i+1)*time.Hour)))
	}
	c := f.signedInClient(t, db.RoleAdmin)
	first := f.get(t, c, "/activities")
	next := one(t, first.doc, "page-next").AttrOr("href", "")
	if len(activityRowIDs(first)) != activityPageSize || next == "" {
		t.Fatalf("first page: %d rows, next %q", len(activityRowIDs(first)), next)
	}
	second := f.get(t, c, next)
	if got := len(activityRowIDs(second)); got != 16 {
		t.Fatalf("second page: %d rows, want 16", got)
	}
	if byTestID(second.doc, "page-next").Length() != 0 || byTestID(second.doc, "page-newest").Length() != 1 {
		t.Error("second page paging links are wrong")
	}
	if one(t, second.doc, "activity-results").AttrOr("data-live", "") != "" {
		t.Error("an older page is live")
	}
	seen := map[string]bool{}
	for _, id := range append(activityRowIDs(first), activityRowIDs(second)...) {
		if seen[id] {
			t.Fatalf("activity %s on two pages", id)
		}
		seen[id] = true
	}
	// htmx asks for the results region only (the live refresh does).
	frag := f.get(t, c, "/activities", htmx)
	if byTestID(frag.doc, "activity-filters").Length() != 0 || len(activityRowIDs(frag)) != activityPageSize {
		t.Error("the htmx answer is not the results region")
	}
}

func TestActivityLogAccess(t *testing.T) {
	t.Parallel()
	f := newLogFixture(t)
	dev := "/devices/" + f.lockA.ID
	tests := []struct {
		role     db.Role
		log      int
		feedRows int
	}{
		{db.RoleAdmin, http.StatusOK, feedSize},
		{db.RoleStaff, http.StatusOK, feedSize},
		{db.RoleAuditor, http.StatusOK, feedSize},
		{db.RoleInstaller, http.StatusForbidden, 0},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			c := f.signedInClient(t, tt.role)
			for _, path := range []string{"/activities", "/activities/export?format=csv", "/activities/feed?device=" + f.lockA.ID} {
				if r := f.get(t, c, path); r.status != tt.log {
					t.Errorf("%s: %d, want %d", path, r.status, tt.log)
				}
			}
			page := f.get(t, c, dev)
			wantStatus(t, page, http.StatusOK)
			feed := byTestID(page.doc, "activity-feed-device")
			if got := feed.Find(`[data-testid=activity-row]`).Length(); got != tt.feedRows {
				t.Errorf("device page feed: %d rows, want %d", got, tt.feedRows)
			}
			if got := one(t, page.doc, "live").AttrOr("sse-connect", ""); got != "/events?device="+f.lockA.ID {
				t.Errorf("device page stream %q", got)
			}
			nav := byTestID(page.doc, "nav-activity").Length() == 1
			if nav != (tt.log == http.StatusOK) {
				t.Errorf("activity nav link shown: %v", nav)
			}
		})
	}
	// Admins reach the webhook inbox from the log; nobody else sees the link.
	for role, want := range map[db.Role]int{db.RoleAdmin: 1, db.RoleStaff: 0, db.RoleAuditor: 0} {
		if got := byTestID(f.get(t, f.signedInClient(t, role), "/activities").doc, "inbox-link").Length(); got != want {
			t.Errorf("%s sees %d inbox links, want %d", role, got, want)
		}
	}
	c := f.signedInClient(t, db.RoleStaff)
	for path, feed := range map[string]string{"/hubs/" + f.hubB.ID: "activity-feed-hub",
		"/properties/" + strconv.FormatInt(*f.hubB.PropertyID, 10): "activity-feed-property"} {
		page := f.get(t, c, path)
		if got := one(t, page.doc, feed).Find(`[data-testid=activity-row]`).Length(); got != 4 {
			t.Errorf("%s feed: %d rows, want 4", path, got)
		}
	}
}
