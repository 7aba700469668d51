package views

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func sampleProperties() PropertyListData {
	q := url.Values{"q": {"maple"}, "sort": {"city"}, "dir": {"desc"}, "low_battery": {"1"}}
	return PropertyListData{
		Filter: PropertyFilterData{Q: "maple", LowBattery: true, Sort: "city", Dir: "desc"},
		Rows: []PropertyRowData{
			{ID: "101", Name: "Maple Court 12", Address: "12 Maple Court, Austin, TX", City: "Austin", TimeZone: "America/Chicago",
				Hubs: 2, HubsOffline: 1, Devices: 9, LowBattery: 2, Alerts: 3, Synced: "Nov 29, 3:04 PM", SyncedISO: "2026-11-29T21:04:00Z"},
			{ID: "102", Name: "Maple Row 3", Address: "3 Maple Row", City: "Austin", TimeZone: "America/Chicago", Hubs: 1, Devices: 4},
		},
		Total: 42,
		Pages: Paginate("/properties", q, 2, 3, "#property-results"),
		Sync:  SyncData{LastSynced: "Nov 29, 3:04 PM", LastSyncedISO: "2026-11-29T21:04:00Z", Ago: "3 min ago", OK: true, CanSync: true},
	}
}

func TestPropertiesPage(t *testing.T) {
	t.Parallel()
	doc := render(t, PropertiesPage(signedIn(NavProperties, false), sampleProperties()))

	t.Run("filter form", func(t *testing.T) {
		form := one(t, doc, "property-filters")
		want := map[string]string{
			"method": "get", "action": "/properties", "hx-get": "/properties", "hx-target": "#property-results",
			"hx-push-url": "true", "hx-trigger": "input changed delay:300ms from:input[name=q], change, submit",
		}
		for k, v := range want {
			if got := attr(t, form, k); got != v {
				t.Errorf("form %s = %q, want %q", k, got, v)
			}
		}
		if q := one(t, doc, "filter-q"); attr(t, q, "name") != "q" || attr(t, q, "value") != "maple" {
			t.Errorf("q input: name=%q value=%q", q.AttrOr("name", ""), q.AttrOr("value", ""))
		}
		for name, checked := range map[string]bool{"hub_offline": false, "low_battery": true, "has_alerts": false} {
			box := one(t, doc, "filter-"+name)
			_, isChecked := box.Attr("checked")
			if attr(t, box, "name") != name || attr(t, box, "type") != "checkbox" || attr(t, box, "value") != "1" || isChecked != checked {
				t.Errorf("checkbox %s: checked=%v, want %v", name, isChecked, checked)
			}
		}
		sort := one(t, doc, "filter-sort")
		if attr(t, sort, "name") != "sort" || sort.Find("option").Length() != 4 {
			t.Errorf("sort select: %d options", sort.Find("option").Length())
		}
		if sel := sort.Find("option[selected]"); sel.AttrOr("value", "") != "city" {
			t.Errorf("selected sort = %q", sel.AttrOr("value", ""))
		}
		var values []string
		sort.Find("option").Each(func(_ int, o *goquery.Selection) { values = append(values, o.AttrOr("value", "")) })
		if got := fmt.Sprint(values); got != "[name city alerts synced]" {
			t.Errorf("sort options = %s", got)
		}
		dir := one(t, doc, "filter-dir")
		if attr(t, dir, "name") != "dir" || dir.Find("option[selected]").AttrOr("value", "") != "desc" {
			t.Errorf("dir select wrong")
		}
		one(t, doc, "sync-status")
	})
	t.Run("results", func(t *testing.T) {
		res := one(t, doc, "property-results")
		if attr(t, res, "id") != "property-results" {
			t.Error("results region id")
		}
		assertText(t, doc, "result-count", "42 properties")
		rows := byTestID(doc, "property-row")
		if rows.Length() != 2 {
			t.Fatalf("%d rows", rows.Length())
		}
		first := rows.First()
		if a := first.Find(`[data-testid="property-link"]`); a.AttrOr("href", "") != "/properties/101" || text(a) != "Maple Court 12" {
			t.Errorf("link = %q %q", a.AttrOr("href", ""), text(a))
		}
		if got := text(first.Find(`[data-testid="hubs-offline"]`)); got != "1 offline" {
			t.Errorf("offline badge = %q", got)
		}
		if got := text(first.Find(`[data-testid="alerts"]`)); got != "3" {
			t.Errorf("alerts = %q", got)
		}
		if got := first.Find("time").AttrOr("datetime", ""); got != "2026-11-29T21:04:00Z" {
			t.Errorf("synced datetime = %q", got)
		}
		if rows.Eq(1).Find(`[data-testid="hubs-offline"]`).Length() != 0 {
			t.Error("offline badge on a property with every hub online")
		}
		if h := attr(t, one(t, doc, "page-next"), "href"); h != "/properties?dir=desc&low_battery=1&page=3&q=maple&sort=city" {
			t.Errorf("next page href = %q", h)
		}
	})
}

func TestPropertyResultsFragment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		data      PropertyListData
		wantCount string
		wantClear bool
	}{
		{"empty with filters", PropertyListData{Filter: PropertyFilterData{Q: "nowhere", Sort: "name"}}, "0 properties", true},
		{"empty portfolio", PropertyListData{Filter: PropertyFilterData{Sort: "alerts", Dir: "desc"}}, "0 properties", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := render(t, PropertyResults(tt.data))
			one(t, doc, "property-results")
			one(t, doc, "empty")
			assertText(t, doc, "result-count", tt.wantCount)
			if got := byTestID(doc, "clear-filters").Length() == 1; got != tt.wantClear {
				t.Errorf("clear filters link = %v, want %v", got, tt.wantClear)
			}
			if byTestID(doc, "property-filters").Length() != 0 || byTestID(doc, "properties-table").Length() != 0 {
				t.Error("fragment holds the form or a table")
			}
		})
	}
	t.Run("one result", func(t *testing.T) {
		t.Parallel()
		doc := render(t, PropertyResults(PropertyListData{Rows: []PropertyRowData{{ID: "7", Name: "A"}}, Total: 1}))
		assertText(t, doc, "result-count", "1 property")
		if byTestID(doc, "pagination").Length() != 0 {
			t.Error("pagination for one page")
		}
	})
}

func TestPropertyPage(t *testing.T) {
	t.Parallel()
	d := PropertyDetailData{
		ID: "101", Name: "Maple Court 12", Address: "12 Maple Court, Austin, TX", TimeZone: "America/Chicago",
		Sync: SyncData{OK: false, Error: "The Smart Home service did not answer in time.", LastSynced: "Nov 29, 3:04 PM"},
		Hubs: []HubRowData{{ID: "h-1", Name: "Front hub", Serial: "30011", Online: true, LastHeartbeat: "3:01 PM",
			LastHeartbeatISO: "2026-11-29T21:01:00Z", Battery: BatteryData{Percent: 87, Known: true}, Devices: 3}},
		Devices: []DeviceGroupData{
			{Type: "lock", Devices: []DeviceRowData{{ID: "d-1", Name: "Front door", Type: "lock",
				State: DeviceStateData{ID: "d-1", Online: true, Battery: BatteryData{Percent: 9, Known: true, Low: true},
					Lock: &LockStateData{State: "jammed", CodesInUse: 2}}}}},
			{Type: "dimmable_switch", Devices: []DeviceRowData{{ID: "d-2", Name: "Hall light", Type: "dimmable_switch",
				State: DeviceStateData{ID: "d-2", Dimmer: &DimmerStateData{On: true, Level: 40}}}}},
		},
	}
	doc := render(t, PropertyPage(signedIn(NavProperties, false), d))
	assertText(t, doc, "page-title", "Maple Court 12")
	assertText(t, doc, "property-timezone", "America/Chicago")
	one(t, doc, "sync-error")
	hub := one(t, doc, "hub-row")
	if a := hub.Find(`[data-testid="hub-link"]`); a.AttrOr("href", "") != "/hubs/h-1" {
		t.Errorf("hub link = %q", a.AttrOr("href", ""))
	}
	if hub.Find(`[data-testid="online-badge"]`).AttrOr("data-online", "") != "true" {
		t.Error("hub online badge")
	}
	if got := hub.Find("time").AttrOr("datetime", ""); got != "2026-11-29T21:01:00Z" {
		t.Errorf("heartbeat datetime = %q", got)
	}
	if hub.Find(`[data-testid="hub-property"]`).Length() != 0 {
		t.Error("property column on the property's own page")
	}
	groups := byTestID(doc, "device-group")
	if groups.Length() != 2 || text(groups.First().Find("h3")) != "Locks (1)" || text(groups.Eq(1).Find("h3")) != "Dimmers (1)" {
		t.Fatalf("groups: %d %q", groups.Length(), text(groups.Find("h3")))
	}
	lock := groups.First().Find(`[data-testid="device-row"]`)
	if got := text(lock.Find(`[data-testid="device-summary"]`)); got != "Jammed · 2 codes" {
		t.Errorf("lock summary = %q", got)
	}
	if lock.Find(`[data-testid="device-summary"] .badge-danger`).Length() != 1 {
		t.Error("jammed lock not highlighted")
	}
	if lock.Find(`[data-testid="battery"]`).AttrOr("data-low", "") != "true" {
		t.Error("low battery not flagged")
	}
	if a := lock.Find(`[data-testid="device-link"]`); a.AttrOr("href", "") != "/devices/d-1" {
		t.Errorf("device link = %q", a.AttrOr("href", ""))
	}
	if got := text(groups.Eq(1).Find(`[data-testid="device-summary"]`)); got != "On · 40%" {
		t.Errorf("dimmer summary = %q", got)
	}
}
