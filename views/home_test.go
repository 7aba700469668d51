package views

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func TestHomePage(t *testing.T) {
	t.Parallel()
	d := HomeData{
		Properties: 12, Hubs: 14, HubsOffline: 2, LowBatteries: 3, AlertCount: 6,
		Sync:     SyncData{OK: true, LastSynced: "3:00 PM", Ago: "2 min ago", LastSyncedISO: "2026-11-29T21:00:00Z"},
		Warnings: []NoticeData{{Kind: "warn", Message: "WEBHOOK_SECRET is not set: anyone can post webhooks."}},
		Alerts: AlertTableData{Live: true, BodyID: "home", Rows: []AlertRowData{
			{ID: 3, Kind: AlertHubOffline, Severity: "warning", State: AlertStateOpen, Subject: "Front hub", HubID: "h-1",
				PropertyID: "101", PropertyName: "Maple Court 12", Opened: "Nov 28, 9:12 PM", OpenedISO: "2026-11-29T03:12:00Z"},
			{ID: 2, Kind: AlertLeak, Severity: SeverityCritical, State: AlertStateAcked, Subject: "Kitchen sensor", DeviceID: "d-7",
				HubID: "h-1", PropertyID: "101", PropertyName: "Maple Court 12", AckBy: "Sam", AckNote: "plumber called"},
			{ID: 1, Kind: AlertLowBattery, Severity: "warning", State: AlertStateOpen, Subject: "Back door", DeviceID: "d-8",
				Detail: "Battery 12%"},
		}},
	}
	doc := render(t, HomePage(signedIn(NavHome, false), d))
	for id, want := range map[string]struct{ value, href string }{
		"count-properties":    {"12", "/properties"},
		"count-hubs":          {"14", "/hubs"},
		"count-hubs-offline":  {"2", "/hubs?offline=1"},
		"count-low-batteries": {"3", "/properties?low_battery=1"},
		"count-alerts":        {"6", "#alerts"},
	} {
		card := one(t, doc, id)
		if got := text(card.Find(`[data-testid="count-value"]`)); got != want.value || attr(t, card, "href") != want.href {
			t.Errorf("%s = %q → %q", id, got, card.AttrOr("href", ""))
		}
	}
	if !one(t, doc, "count-hubs-offline").HasClass("is-danger") || one(t, doc, "count-hubs").HasClass("is-danger") {
		t.Error("problem counts are not highlighted")
	}
	if got := text(one(t, doc, "home-warnings")); got != "WEBHOOK_SECRET is not set: anyone can post webhooks." {
		t.Errorf("warning = %q", got)
	}
	assertText(t, doc, "sync-when", "Synced 2 min ago")
	alerts := byTestID(doc, "alert")
	if alerts.Length() != 3 {
		t.Fatalf("%d alerts", alerts.Length())
	}
	wantHref := []string{"/hubs/h-1", "/devices/d-7", "/devices/d-8"}
	wantKind := []string{"Hub offline", "Leak", "Low battery"}
	alerts.Each(func(i int, a *goquery.Selection) {
		if got := a.Find(`[data-testid="alert-link"]`).AttrOr("href", ""); got != wantHref[i] {
			t.Errorf("alert %d href = %q, want %q", i, got, wantHref[i])
		}
		if got := text(a.Find(`[data-testid="alert-kind"]`)); got != wantKind[i] {
			t.Errorf("alert %d kind = %q", i, got)
		}
	})
	if got := alerts.First().Find(`[data-testid="alert-property"]`).AttrOr("href", ""); got != "/properties/101" {
		t.Errorf("alert property href = %q", got)
	}
	if alerts.Eq(2).Find(`[data-testid="alert-property"]`).Length() != 0 {
		t.Error("property link without a property")
	}
	assertText(t, doc, "alerts-more", "Showing 3 of 6")

	t.Run("all clear", func(t *testing.T) {
		t.Parallel()
		doc := render(t, HomePage(signedIn(NavHome, false), HomeData{Sync: SyncData{OK: true}}))
		one(t, doc, "alerts-empty")
		if byTestID(doc, "home-warnings").Length() != 0 || byTestID(doc, "alerts-more").Length() != 0 {
			t.Error("warnings or 'more' without cause")
		}
		assertText(t, doc, "sync-when", "Not synced yet")
		if byTestID(doc, "sync-error").Length() != 0 {
			t.Error("a mirror never synced is shown as failed")
		}
	})
}

func TestSyncStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                      string
		data                      SyncData
		wantWhen                  string
		wantError, wantStale, btn bool
	}{
		{"ok", SyncData{OK: true, LastSynced: "3:00 PM", LastSyncedISO: "2026-11-29T21:00:00Z", Ago: "3 min ago"}, "Synced 3 min ago", false, false, false},
		{"failed", SyncData{LastSynced: "3:00 PM", Error: "The Smart Home service is busy.", CanSync: true}, "Synced 3:00 PM", true, false, true},
		{"first sync failed", SyncData{Error: "connection refused"}, "Not synced yet", true, false, false},
		{"stale", SyncData{OK: true, LastSynced: "Nov 27", Stale: true, CanSync: true}, "Synced Nov 27", false, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := render(t, SyncStatus(tt.data))
			if attr(t, one(t, doc, "sync-status"), "id") != "sync-status" {
				t.Error("id")
			}
			assertText(t, doc, "sync-when", tt.wantWhen)
			if tt.data.LastSyncedISO != "" {
				if got := one(t, doc, "sync-when").Find("time").AttrOr("datetime", ""); got != tt.data.LastSyncedISO {
					t.Errorf("datetime = %q", got)
				}
			}
			if got := byTestID(doc, "sync-error").Length() == 1; got != tt.wantError {
				t.Errorf("error badge = %v", got)
			}
			if tt.wantError && text(one(t, doc, "sync-error-message")) != tt.data.Error {
				t.Error("error message")
			}
			if got := byTestID(doc, "sync-stale").Length() == 1; got != tt.wantStale {
				t.Errorf("stale badge = %v", got)
			}
			btn := byTestID(doc, "sync-now")
			if got := btn.Length() == 1; got != tt.btn {
				t.Fatalf("sync button = %v", got)
			}
			if tt.btn && (btn.AttrOr("hx-post", "") != "/sync" || btn.AttrOr("hx-target", "") != "#sync-status" || btn.AttrOr("hx-swap", "") != "outerHTML") {
				t.Error("sync button attributes")
			}
		})
	}
}

func TestErrorPage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		meta     PageMeta
		status   int
		wantLink string
		title    string
	}{
		{"not found", signedIn("", false), http.StatusNotFound, "error-home", "Test · Smart Home"},
		{"signed out 401", PageMeta{}, http.StatusUnauthorized, "error-login", "Unauthorized · Smart Home"},
		{"bad gateway", PageMeta{}, http.StatusBadGateway, "error-home", "Bad Gateway · Smart Home"},
		{"odd status", PageMeta{}, 599, "error-home", "Error 599 · Smart Home"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := render(t, ErrorPage(tt.meta, tt.status, "That item no longer exists."))
			assertText(t, doc, "error-status", strconv.Itoa(tt.status))
			assertText(t, doc, "error-message", "That item no longer exists.")
			one(t, doc, tt.wantLink)
			if got := doc.Find("title").Text(); got != tt.title {
				t.Errorf("title = %q, want %q", got, tt.title)
			}
			if got := byTestID(doc, "nav-home").Length() == 1; got != (tt.meta.User != nil) {
				t.Errorf("nav shown = %v", got)
			}
		})
	}
	t.Run("flash fragment", func(t *testing.T) {
		t.Parallel()
		doc := render(t, Flash("error", "The Smart Home service did not answer in time. Nothing was changed."))
		f := one(t, doc, "flash")
		if !f.HasClass("flash-error") || f.AttrOr("data-kind", "") != "error" {
			t.Errorf("flash class = %q", f.AttrOr("class", ""))
		}
		if text(f.Find("span")) != "The Smart Home service did not answer in time. Nothing was changed." {
			t.Error("flash text")
		}
		if doc.Find("#flash, main, header").Length() != 0 {
			t.Error("the fragment carries page chrome")
		}
	})
}
