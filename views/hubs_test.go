package views

import (
	"net/url"
	"testing"
)

func TestHubsPage(t *testing.T) {
	t.Parallel()
	d := HubListData{
		Filter: HubFilterData{Q: "30011", Offline: true},
		Rows: []HubRowData{
			{ID: "h-1", Name: "Front hub", Serial: "30011", PropertyID: "101", PropertyName: "Maple Court 12",
				LastHeartbeat: "Nov 28, 9:12 PM", LastHeartbeatISO: "2026-11-29T03:12:00Z", Devices: 4},
			{ID: "h-2", Name: "Spare", Serial: "30012"},
		},
		Total: 2,
		Pages: Paginate("/hubs", url.Values{"q": {"30011"}, "offline": {"1"}}, 1, 1, "#hub-results"),
		Sync:  SyncData{OK: true, LastSynced: "3:00 PM", Stale: true},
	}
	doc := render(t, HubsPage(signedIn(NavHubs, false), d))
	form := one(t, doc, "hub-filters")
	for k, v := range map[string]string{"hx-get": "/hubs", "hx-target": "#hub-results", "hx-push-url": "true", "action": "/hubs"} {
		if got := attr(t, form, k); got != v {
			t.Errorf("form %s = %q, want %q", k, got, v)
		}
	}
	if q := one(t, doc, "filter-q"); attr(t, q, "name") != "q" || attr(t, q, "value") != "30011" {
		t.Error("q input")
	}
	if box := one(t, doc, "filter-offline"); attr(t, box, "name") != "offline" || box.AttrOr("checked", "x") == "x" {
		t.Error("offline checkbox not checked")
	}
	if attr(t, one(t, doc, "hub-results"), "id") != "hub-results" {
		t.Error("results id")
	}
	assertText(t, doc, "result-count", "2 hubs")
	one(t, doc, "sync-stale")
	rows := byTestID(doc, "hub-row")
	if rows.Length() != 2 {
		t.Fatalf("%d rows", rows.Length())
	}
	first := rows.First()
	if first.Find(`[data-testid="online-badge"]`).AttrOr("data-online", "") != "false" {
		t.Error("offline hub not flagged")
	}
	if a := first.Find(`[data-testid="hub-property"]`); a.AttrOr("href", "") != "/properties/101" {
		t.Errorf("property link = %q", a.AttrOr("href", ""))
	}
	if text(rows.Eq(1).Find(`td[data-label="Property"]`)) != "Unassigned" {
		t.Error("unassigned hub")
	}
	if text(rows.Eq(1).Find(`td[data-label="Last heartbeat"]`)) != "—" {
		t.Error("missing heartbeat not shown as a dash")
	}
}

func TestHubPage(t *testing.T) {
	t.Parallel()
	d := HubDetailData{
		ID: "h-1", Name: "Front hub", Serial: "30011", Online: true, LastHeartbeat: "Nov 29, 3:01 PM",
		LastHeartbeatISO: "2026-11-29T21:01:00Z", PowerSource: "Battery", Battery: BatteryData{Percent: 15, Known: true, Low: true},
		Signal: "-67 dBm", Firmware: "3.2.1", Model: "V3", NetworkType: "Cellular", PropertyID: "101",
		PropertyName: "Maple Court 12", TimeZone: "America/Chicago",
		Devices: []DeviceRowData{{ID: "d-9", Name: "Thermostat", Type: "thermostat", State: DeviceStateData{ID: "d-9", Online: true,
			Thermostat: &ThermostatStateData{RoomTemp: "72 °F", Mode: "heat"}}}},
	}
	doc := render(t, HubPage(signedIn(NavHubs, false), d))
	for id, want := range map[string]string{
		"page-title": "Front hub", "hub-heartbeat": "Nov 29, 3:01 PM", "hub-power": "Battery", "hub-signal": "-67 dBm",
		"hub-firmware": "3.2.1", "hub-model": "V3", "hub-network": "Cellular", "hub-serial": "30011",
		"hub-property": "Maple Court 12", "hub-timezone": "America/Chicago",
	} {
		assertText(t, doc, id, want)
	}
	if got := one(t, doc, "hub-heartbeat").Find("time").AttrOr("datetime", ""); got != "2026-11-29T21:01:00Z" {
		t.Errorf("heartbeat datetime = %q", got)
	}
	if got := attr(t, one(t, doc, "hub-property"), "href"); got != "/properties/101" {
		t.Errorf("property href = %q", got)
	}
	status := one(t, doc, "hub-status")
	if status.Find(`[data-testid="online-badge"]`).AttrOr("data-online", "") != "true" {
		t.Error("online badge")
	}
	if status.Find(`[data-testid="battery"]`).AttrOr("data-low", "") != "true" || text(status.Find(`[data-testid="battery"]`)) != "15%" {
		t.Error("battery")
	}
	row := one(t, doc, "device-row")
	if text(row.Find(`td[data-label="Type"]`)) != "Thermostat" || text(row.Find(`[data-testid="device-summary"]`)) != "72 °F · Heat" {
		t.Errorf("device row = %q", text(row))
	}
}
