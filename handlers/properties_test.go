package handlers

import (
	"net/http"
	"net/url"
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
