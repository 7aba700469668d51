package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/keyless/dashboard/db"
)

// mirrorDevice is a device as the reference filter below sees it: with its property's city and its hub's state.
type mirrorDevice struct {
	db.Device
	city      string
	hubOnline bool
}

// mirrorDevices reads every device of the mirror hub by hub, independently of ListDevices.
func mirrorDevices(t *testing.T, env *testEnv) []mirrorDevice {
	t.Helper()
	ctx := t.Context()
	hubs, err := env.store.ListHubs(ctx, db.HubFilter{PerPage: db.MaxPerPage})
	if err != nil {
		t.Fatal(err)
	}
	var out []mirrorDevice
	for _, h := range hubs.Items {
		ds, err := env.store.DevicesByHub(ctx, h.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			m := mirrorDevice{Device: d, hubOnline: h.Online}
			if d.PropertyID != nil {
				p, err := env.store.Property(ctx, *d.PropertyID)
				if err != nil {
					t.Fatal(err)
				}
				m.city = p.City
			}
			out = append(out, m)
		}
	}
	return out
}

// lowBatteryLocks gives three locks in city a battery of 9 %, and one lock elsewhere and one non-lock in city too,
// so "low-battery locks in city" has members and neighbours that must stay out.
func lowBatteryLocks(t *testing.T, env *testEnv, city string) {
	t.Helper()
	locks, others := 0, 0
	for _, d := range mirrorDevices(t, env) {
		var change bool
		switch {
		case d.Type == "lock" && d.city == city && locks < 3:
			locks, change = locks+1, true
		case d.Type == "lock" && d.city != city && d.city != "" && others == 0,
			d.Type != "lock" && d.Battery != nil && d.city == city && others == 1:
			others, change = others+1, true
		}
		if change {
			low := 9
			if err := env.store.UpdateDeviceLive(t.Context(), d.ID, "", &low, nil, nil, d.SyncedAt); err != nil {
				t.Fatal(err)
			}
		}
	}
	if locks < 3 || others < 2 {
		t.Fatalf("the demo has %d locks in %s and %d neighbours to change", locks, city, others)
	}
}

// listedIDs follows the device list's pages from path and returns every device id it shows, in order.
func listedIDs(t *testing.T, env *testEnv, c *http.Client, path string) []string {
	t.Helper()
	var ids []string
	for range 50 {
		res := env.get(t, c, path)
		wantStatus(t, res, http.StatusOK)
		byTestID(res.doc, "device-row").Each(func(_ int, s *goquery.Selection) {
			ids = append(ids, s.AttrOr("data-device-id", ""))
		})
		next := res.doc.Find(`[data-testid=device-results] [data-testid=page-next]`)
		if next.Length() == 0 {
			return ids
		}
		path = next.AttrOr("href", "")
	}
	t.Fatal("more than 50 pages")
	return nil
}

func TestDeviceListFilters(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withProperties(40))
	lowBatteryLocks(t, env, "Chicago")
	all := mirrorDevices(t, env)
	c := env.signedInClient(t, db.RoleStaff)
	tests := []struct {
		name, query string
		match       func(d mirrorDevice) bool
	}{
		{"everything", "", func(mirrorDevice) bool { return true }},
		{"low-battery locks in Chicago", "type=lock&battery_below=20&city=Chicago", func(d mirrorDevice) bool {
			return d.Type == "lock" && d.city == "Chicago" && d.Battery != nil && *d.Battery < 20
		}},
		{"city ignores case", "city=cHICAGO", func(d mirrorDevice) bool { return d.city == "Chicago" }},
		{"battery below 50", "battery_below=50", func(d mirrorDevice) bool { return d.Battery != nil && *d.Battery < 50 }},
		{"offline device or hub", "offline=1", func(d mirrorDevice) bool { return !d.Online || !d.hubOnline }},
		{"thermostats offline", "type=thermostat&offline=1", func(d mirrorDevice) bool {
			return d.Type == "thermostat" && (!d.Online || !d.hubOnline)
		}},
		{"search name", "q=DOOR", func(d mirrorDevice) bool {
			return strings.Contains(strings.ToLower(d.Name), "door") || strings.Contains(strings.ToLower(d.OccupantSetting), "door")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var want []string
			for _, d := range all {
				if tt.match(d) {
					want = append(want, d.ID)
				}
			}
			got := listedIDs(t, env, c, "/devices?"+tt.query)
			slices.Sort(want)
			sorted := slices.Sorted(slices.Values(got))
			if !slices.Equal(sorted, want) {
				t.Fatalf("listed %d devices, want %d:\n got %v\nwant %v", len(got), len(want), sorted, want)
			}
			if tt.query != "" && len(want) == 0 {
				t.Fatal("the filter matches nothing in the demo: the test proves nothing")
			}
		})
	}
}

func TestDeviceListAlertsAndRows(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	all := mirrorDevices(t, env)
	d := all[len(all)/2]
	if _, _, err := env.store.RaiseAlert(t.Context(), db.AlertRaise{Kind: db.AlertTamper, HubID: d.HubID, DeviceID: d.ID,
		PropertyID: d.PropertyID}); err != nil {
		t.Fatal(err)
	}
	open, err := env.store.UnresolvedAlerts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, a := range open {
		if a.DeviceID != "" {
			want[a.DeviceID] = true
		}
	}
	c := env.signedInClient(t, db.RoleAuditor)
	res := env.get(t, c, "/devices?alerts=1")
	wantStatus(t, res, http.StatusOK)
	got := map[string]bool{}
	byTestID(res.doc, "device-row").Each(func(_ int, s *goquery.Selection) {
		got[s.AttrOr("data-device-id", "")] = true
		if !s.Find("[data-testid=device-alerts]").Is("a") {
			t.Errorf("row %s: the alert count is no link", s.AttrOr("data-device-id", ""))
		}
	})
	if len(got) != len(want) || !got[d.ID] {
		t.Fatalf("with alerts: %v, want %v", got, want)
	}
	row := res.doc.Find(`[data-device-id="` + d.ID + `"]`)
	links := map[string]string{
		"device-link": "/devices/" + url.PathEscape(d.ID), "device-hub": "/hubs/" + url.PathEscape(d.HubID)}
	if d.PropertyID != nil {
		links["device-property"] = "/properties/" + strconv.FormatInt(*d.PropertyID, 10)
	}
	for id, href := range links {
		if got := row.Find("[data-testid="+id+"]").AttrOr("href", ""); got != href {
			t.Errorf("%s href %q, want %q", id, got, href)
		}
	}
	// The device's own page is still GET /devices/{id}.
	wantStatus(t, env.get(t, c, "/devices/"+url.PathEscape(d.ID)), http.StatusOK)
}
