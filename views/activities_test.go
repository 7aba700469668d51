package views

import (
	"strings"
	"testing"

	"github.com/a-h/templ"
)

func TestActivityRow(t *testing.T) {
	t.Parallel()
	base := ActivityRowData{ID: "7", When: "Jan 7, 2019 6:01 AM CST", WhenISO: "2019-01-07T12:01:58Z", HubID: "h1",
		HubName: "Home", DeviceType: "lock", MessageType: "Lock", Event: "Locked", Tone: "ok", Who: "Auto"}
	tests := []struct {
		name  string
		edit  func(*ActivityRowData)
		check func(t *testing.T, html string)
	}{
		{"hub event links the hub", func(a *ActivityRowData) {}, func(t *testing.T, html string) {
			if !strings.Contains(html, `href="/hubs/h1"`) || strings.Contains(html, "/devices/") {
				t.Error("a hub event must link its hub")
			}
		}},
		{"links its detail page", func(a *ActivityRowData) {}, func(t *testing.T, html string) {
			if !strings.Contains(html, `href="/activities/7"`) {
				t.Error("the row does not link the activity's detail page")
			}
		}},
		{"device event links the device and property", func(a *ActivityRowData) {
			a.DeviceID, a.DeviceName, a.PropertyID, a.PropertyName = "d1", "Front door", "12", "Maple"
		}, func(t *testing.T, html string) {
			if !strings.Contains(html, `href="/devices/d1"`) || !strings.Contains(html, `href="/properties/12"`) {
				t.Error("missing device or property link")
			}
		}},
		{"text is escaped", func(a *ActivityRowData) {
			a.Details, a.Who = `<script>alert(1)</script>`, `<img src=x onerror=alert(1)>`
		}, func(t *testing.T, html string) {
			if strings.Contains(html, "<script>") || strings.Contains(html, "<img") {
				t.Errorf("unescaped text: %s", html)
			}
		}},
		{"numeric details and missing type are marked", func(a *ActivityRowData) {
			a.Details, a.DetailsNumber, a.TypeInferred, a.DeviceType = "5", true, true, "hub"
		}, func(t *testing.T, html string) {
			if !strings.Contains(html, `data-number="true"`) || !strings.Contains(html, `data-testid="activity-type-inferred"`) {
				t.Error("numeric details or inferred type not marked")
			}
		}},
		{"person beside the code", func(a *ActivityRowData) { a.Who, a.Person = "Jane", "Jane Doe (reservation 4)" },
			func(t *testing.T, html string) {
				if !strings.Contains(html, "Jane Doe (reservation 4)") || !strings.Contains(html, "code “Jane”") {
					t.Error("person or code missing")
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := base
			tt.edit(&a)
			doc := renderRow(t, ActivityRow(a))
			row := one(t, doc, "activity-row")
			if row.AttrOr("id", "") != "activity-7" || row.AttrOr("data-message-type", "") != "Lock" {
				t.Errorf("row attributes: %v", row.Nodes[0].Attr)
			}
			if got := doc.Find("time").AttrOr("datetime", ""); got != a.WhenISO {
				t.Errorf("datetime %q", got)
			}
			html, _ := doc.Html()
			tt.check(t, html)
		})
	}
}

func TestActivityResultsLive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		live        string
		refresh     bool
		trigger     string
		bodyListens bool
	}{
		{LivePrepend, true, "refresh", true},
		{LiveRefetch, true, "refresh, sse:activity throttle:1s, sse:activity delay:1s", false},
		{"", false, "", false},
	}
	for _, tt := range tests {
		t.Run("mode "+tt.live, func(t *testing.T) {
			t.Parallel()
			doc := render(t, ActivityResults(ActivityListData{Live: tt.live, ResultsURL: "/activities?hub=x",
				ExportCSV: "/activities/export?format=csv", ExportJSON: "/activities/export?format=json"}))
			res := one(t, doc, "activity-results")
			_, refresh := res.Attr("data-refresh-on-reconnect")
			if refresh != tt.refresh || res.AttrOr("hx-trigger", "") != tt.trigger {
				t.Errorf("refresh %v trigger %q", refresh, res.AttrOr("hx-trigger", ""))
			}
			if tt.refresh && (res.AttrOr("hx-get", "") != "/activities?hub=x" || res.AttrOr("hx-target", "") != "this") {
				t.Error("the region does not re-read itself")
			}
			body := one(t, doc, "activity-rows")
			listens := body.AttrOr("sse-swap", "") == ActivityEvent
			if listens != tt.bodyListens {
				t.Errorf("rows listen to the stream: %v", listens)
			}
			// The rows must target themselves: an inherited hx-target would put new rows outside the table.
			if listens && (body.AttrOr("hx-target", "") != "this" || body.AttrOr("hx-swap", "") != "afterbegin") {
				t.Error("pushed rows would not land on top of the table body")
			}
			if one(t, doc, "export-csv").AttrOr("href", "") != "/activities/export?format=csv" {
				t.Error("export link")
			}
		})
	}
}

func TestActivityFeed(t *testing.T) {
	t.Parallel()
	doc := render(t, ActivityFeed(ActivityFeedData{Scope: "device", RefreshURL: "/activities/feed?device=d1",
		MoreURL: "/activities?device=d1"}))
	feed := one(t, doc, "activity-feed-device")
	if feed.AttrOr("hx-get", "") != "/activities/feed?device=d1" || feed.AttrOr("hx-select", "") != "#activity-feed-device" {
		t.Errorf("feed refresh: %v", feed.Nodes[0].Attr)
	}
	if one(t, doc, "activity-rows").AttrOr("sse-swap", "") != ActivityEvent {
		t.Error("the feed does not take new rows")
	}
	one(t, doc, "activity-feed-empty")
	if one(t, doc, "activity-feed-more").AttrOr("href", "") != "/activities?device=d1" {
		t.Error("more link")
	}
}

func TestAlertBanner(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a     AlertBannerData
		class string
		title string
	}{
		{AlertBannerData{ID: "1", Kind: AlertLeak, Subject: "Sink sensor", URL: "/devices/x"}, "flash flash-error", "Water leak:"},
		{AlertBannerData{ID: "2", Kind: AlertLowBattery, Subject: "Lock", URL: "/devices/y", Detail: "Battery 9%"}, "flash notice-warn", "Low battery:"},
		{AlertBannerData{ID: "3", Kind: AlertHubOffline, Subject: "Hub", URL: "/hubs/z", Cleared: true}, "flash flash-ok", "Hub back online:"},
		{AlertBannerData{ID: "4", Kind: AlertJammed, Subject: "<b>x</b>", URL: "javascript:alert(1)"}, "flash flash-error", "Lock jammed:"},
	}
	for _, tt := range tests {
		t.Run(tt.a.Kind, func(t *testing.T) {
			t.Parallel()
			doc := render(t, AlertBanner(tt.a))
			b := one(t, doc, "alert-banner")
			if b.AttrOr("class", "") != tt.class || text(one(t, doc, "alert-banner-title")) != tt.title {
				t.Errorf("class %q title %q", b.AttrOr("class", ""), text(one(t, doc, "alert-banner-title")))
			}
			if _, ok := b.Attr("data-dismissible"); !ok || b.Find("[data-dismiss]").Length() != 1 {
				t.Error("not dismissible")
			}
			html, _ := doc.Html()
			if strings.Contains(html, "<b>x</b>") || strings.Contains(html, "javascript:") {
				t.Errorf("unsafe banner: %s", html)
			}
		})
	}
}

func TestLiveRegions(t *testing.T) {
	t.Parallel()
	meta := signedIn(NavHome, false)
	meta.EventsURL = "/events"
	doc := render(t, Layout(meta, templ.Raw("<p>x</p>")))
	banners := doc.Find(`#live [data-testid=alert-banners]`)
	if banners.Length() != 1 || banners.AttrOr("sse-swap", "") != AlertEvent || banners.AttrOr("hx-swap", "") != "afterbegin" {
		t.Error("no banner region inside the stream's element")
	}
	if render(t, Layout(signedIn(NavHome, false), templ.Raw("<p>x</p>"))).Find(`[data-testid=alert-banners]`).Length() != 0 {
		t.Error("a page without a stream has a banner region")
	}
	st := render(t, DeviceState(DeviceStateData{ID: "Dev-1", Type: "lock", Lock: &LockStateData{State: "locked"}}))
	panel := one(t, st, "device-state")
	if panel.AttrOr("sse-swap", "") != "device-state-dev-1" || panel.AttrOr("hx-swap", "") != "outerHTML" ||
		panel.AttrOr("hx-get", "") != "/devices/Dev-1" || panel.AttrOr("hx-select", "") != "#device-state-dev-1" {
		t.Errorf("state panel live attributes: %v", panel.Nodes[0].Attr)
	}
	hub := render(t, HubStatus(HubDetailData{ID: "H1", Online: true}))
	card := one(t, hub, "hub-status")
	if card.AttrOr("sse-swap", "") != "hub-status-h1" || card.AttrOr("id", "") != "hub-status-h1" ||
		card.AttrOr("hx-get", "") != "/hubs/H1" {
		t.Errorf("hub status live attributes: %v", card.Nodes[0].Attr)
	}
}

func TestInboxRow(t *testing.T) {
	t.Parallel()
	failed := InboxRowData{ID: "3", Status: "failed", Reason: "unparseable", ReasonLabel: "Unreadable",
		Body: `<script>x</script>`, BodySize: "18 bytes", CanReprocess: true}
	doc := renderRow(t, InboxRow(failed))
	if one(t, doc, "inbox-reprocess").Length() != 1 {
		t.Fatal("no re-process button")
	}
	if f := doc.Find("form"); f.AttrOr("hx-post", "") != "/inbox/3/reprocess" || f.AttrOr("hx-target", "") != "#inbox-3" {
		t.Errorf("form %v", f.Nodes[0].Attr)
	}
	if html, _ := doc.Html(); strings.Contains(html, "<script>x") {
		t.Error("body not escaped")
	}
	done := renderRow(t, InboxRow(InboxRowData{ID: "4", Status: "processed", ActivityID: "9"}))
	if byTestID(done, "inbox-reprocess").Length() != 0 || text(one(t, done, "inbox-status")) != "Processed" {
		t.Error("a processed entry offers re-processing")
	}
}
