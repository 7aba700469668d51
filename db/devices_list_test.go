package db

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// listTypes are the device types the device-list fixture cycles through.
var listTypes = []string{"lock", "thermostat", "switch", "leakage_sensor", "contact_sensor", "repeater", "garage_door"}

// deviceListFixture is a mirror of props properties (four cities), one hub each (every 9th offline), 8 devices per
// hub of mixed types, batteries (some none, some low), reachability and names; plus an unassigned hub with two
// devices. It returns the snapshot and the device ids given an open alert (and one resolved, which must not count).
func deviceListFixture(props int) (Snapshot, []string, string) {
	cities := []string{"Chicago", "Austin", "chicago", "Denver"} // "chicago": the city filter ignores case
	snap := Snapshot{At: t0}
	nd := 0
	addDevice := func(hub string, prop *int64) {
		d := Device{ID: fmt.Sprintf("d-%05d", nd), HubID: hub, PropertyID: prop, Type: listTypes[nd%len(listTypes)],
			Name:            fmt.Sprintf("%s %d", []string{"Front Door", "back door", "Hall", "Kitchen_50%"}[nd%4], nd%97),
			OccupantSetting: fmt.Sprintf("Unit %d", nd%11), Online: nd%17 != 3, State: `{}`, Settings: `{}`}
		if nd%5 != 4 { // every fifth device reports no battery
			d.Battery = ptr((nd * 37) % 101)
		}
		d.StateChangedAt = t0.Add(-time.Duration((nd*7919)%100000) * time.Second)
		snap.Devices = append(snap.Devices, d)
		nd++
	}
	for i := range props {
		id := int64(500 + i)
		snap.Properties = append(snap.Properties, Property{ID: id, Name: fmt.Sprintf("Prop %03d", (i*31)%props),
			City: cities[i%len(cities)], TimeZone: "America/Chicago"})
		hub := fmt.Sprintf("h-%04d", i)
		snap.Hubs = append(snap.Hubs, Hub{ID: hub, PropertyID: ptr(id), SerialNo: fmt.Sprint(40000 + i),
			HomeName: "Home " + hub, Online: i%9 != 5, TimeZone: "America/Chicago"})
		for range 8 {
			addDevice(hub, ptr(id))
		}
	}
	snap.Hubs = append(snap.Hubs, Hub{ID: "h-spare", SerialNo: "99999", Online: true})
	addDevice("h-spare", nil)
	addDevice("h-spare", nil)
	var alerted []string
	for i := 0; i < nd; i += 23 {
		alerted = append(alerted, snap.Devices[i].ID)
	}
	return snap, alerted, snap.Devices[1].ID
}

// wantDevices is ListDevices written in Go over the fixture: the reference the SQL must agree with.
func wantDevices(snap Snapshot, alerted map[string]bool, f DeviceFilter) []string {
	props := map[int64]Property{}
	for _, p := range snap.Properties {
		props[p.ID] = p
	}
	hubOnline := map[string]bool{}
	for _, h := range snap.Hubs {
		hubOnline[h.ID] = h.Online
	}
	var got []Device
	for _, d := range snap.Devices {
		var p Property
		if d.PropertyID != nil {
			p = props[*d.PropertyID]
		}
		q := strings.ToLower(f.Query)
		switch {
		case q != "" && !strings.Contains(strings.ToLower(d.Name), q) && !strings.Contains(strings.ToLower(d.OccupantSetting), q):
		case f.Type != "" && d.Type != f.Type:
		case f.PropertyID != 0 && (d.PropertyID == nil || *d.PropertyID != f.PropertyID):
		case f.City != "" && !strings.EqualFold(p.City, f.City):
		case f.BatteryBelow > 0 && (d.Battery == nil || *d.Battery >= f.BatteryBelow):
		case f.Offline && d.Online && hubOnline[d.HubID]:
		case f.OpenAlerts && !alerted[d.ID]:
		default:
			got = append(got, d)
		}
	}
	slices.SortFunc(got, func(a, b Device) int { return compareDevices(f, props, a, b) })
	ids := []string{}
	for _, d := range got {
		ids = append(ids, d.ID)
	}
	return ids
}

func compareDevices(f DeviceFilter, props map[int64]Property, a, b Device) int {
	sign := 1
	if f.Desc {
		sign = -1
	}
	byName := cmp.Or(compareFold(a.Name, b.Name), strings.Compare(a.ID, b.ID))
	switch f.Sort {
	case DeviceSortProperty:
		if (a.PropertyID == nil) != (b.PropertyID == nil) {
			return map[bool]int{true: 1, false: -1}[a.PropertyID == nil]
		}
		if a.PropertyID == nil {
			return byName
		}
		pa, pb := props[*a.PropertyID], props[*b.PropertyID]
		return cmp.Or(sign*cmp.Or(compareFold(pa.Name, pb.Name), cmp.Compare(pa.ID, pb.ID)), byName)
	case DeviceSortBattery:
		key := func(d Device) int {
			if d.Battery == nil {
				return map[bool]int{false: 101, true: -1}[f.Desc]
			}
			return *d.Battery
		}
		return sign * cmp.Or(cmp.Compare(key(a), key(b)), strings.Compare(a.ID, b.ID))
	case DeviceSortChanged:
		return sign * cmp.Or(a.StateChangedAt.Compare(b.StateChangedAt), strings.Compare(a.ID, b.ID))
	}
	return sign * byName
}

// TestListDevicesFilters runs many combinations of every filter, sort and direction over 2,000 devices on both
// dialects and checks totals and the page contents against wantDevices.
func TestListDevicesFilters(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		snap, alerted, resolved := deviceListFixture(250)
		ctx := t.Context()
		must(t, s.ApplySync(ctx, snap))
		u, err := s.CreateUser(ctx, User{Email: "ann@example.com", Name: "Ann", Role: RoleStaff, PasswordHash: "x"})
		must(t, err)
		open := map[string]bool{}
		for i, id := range append(alerted, resolved) {
			d := snap.Devices[slices.IndexFunc(snap.Devices, func(d Device) bool { return d.ID == id })]
			a, _, err := s.RaiseAlert(ctx, AlertRaise{Kind: AlertLeak, PropertyID: d.PropertyID, HubID: d.HubID, DeviceID: id, At: t0})
			must(t, err)
			switch {
			case id == resolved:
				_, err = s.ResolveAlert(ctx, a.ID, u.ID, t0)
				must(t, err)
			case i%2 == 1: // acknowledged is still unresolved
				_, err = s.AcknowledgeAlert(ctx, a.ID, u.ID, "on it", t0)
				must(t, err)
				open[id] = true
			default:
				open[id] = true
			}
		}
		if len(snap.Devices) != 2002 {
			t.Fatalf("fixture has %d devices", len(snap.Devices))
		}
		var filters []DeviceFilter
		for _, sort := range []string{"", DeviceSortProperty, DeviceSortBattery, DeviceSortChanged, "nonsense"} {
			for _, desc := range []bool{false, true} {
				filters = append(filters,
					DeviceFilter{Sort: sort, Desc: desc},
					DeviceFilter{Sort: sort, Desc: desc, Type: "lock", City: "CHICAGO", BatteryBelow: 20},
					DeviceFilter{Sort: sort, Desc: desc, Offline: true, OpenAlerts: true},
					DeviceFilter{Sort: sort, Desc: desc, Query: "door", Type: "switch", Offline: true},
					DeviceFilter{Sort: sort, Desc: desc, Query: "50%", BatteryBelow: 100},
					DeviceFilter{Sort: sort, Desc: desc, PropertyID: 512, Query: "unit 3"},
				)
			}
		}
		filters = append(filters, DeviceFilter{PropertyID: -1}, DeviceFilter{City: "Nowhere"}, DeviceFilter{BatteryBelow: 1},
			DeviceFilter{Type: "lock", City: "austin", BatteryBelow: 50, Offline: true, OpenAlerts: true, Query: "o"},
			DeviceFilter{Query: `_%\`}, DeviceFilter{Query: "'; DROP TABLE devices; --"})
		for _, f := range filters {
			want := wantDevices(snap, open, f)
			if f.Type == "lock" && f.City == "CHICAGO" && (len(want) == 0 || len(want) > 100) {
				t.Fatalf("the fixture gives %d low-battery locks in Chicago: want a few", len(want))
			}
			for _, pageNo := range []int{1, 2, lastPageOf(len(want), 100)} {
				f.Page, f.PerPage = pageNo, 100
				got, err := s.ListDevices(ctx, f)
				must(t, err)
				lo := min((pageNo-1)*100, len(want))
				wantPage := want[lo:min(lo+100, len(want))]
				ids := []string{}
				for _, d := range got.Items {
					ids = append(ids, d.ID)
				}
				if got.Total != len(want) || !slices.Equal(ids, wantPage) {
					t.Fatalf("%+v: total %d, want %d; page %d:\n got %v\nwant %v", f, got.Total, len(want), pageNo, ids, wantPage)
				}
			}
		}
	})
}

func lastPageOf(n, per int) int { return max(1, (n+per-1)/per) }

// TestListDevicesRow checks what a row carries besides the device: property, city, zone, hub and open alerts.
func TestListDevicesRow(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		snap, _, _ := deviceListFixture(3)
		ctx := t.Context()
		must(t, s.ApplySync(ctx, snap))
		d := snap.Devices[0]
		_, _, err := s.RaiseAlert(ctx, AlertRaise{Kind: AlertLeak, HubID: d.HubID, DeviceID: d.ID, PropertyID: d.PropertyID})
		must(t, err)
		_, _, err = s.RaiseAlert(ctx, AlertRaise{Kind: AlertTamper, HubID: d.HubID, DeviceID: d.ID, PropertyID: d.PropertyID})
		must(t, err)
		pg, err := s.ListDevices(ctx, DeviceFilter{OpenAlerts: true})
		must(t, err)
		if len(pg.Items) != 1 {
			t.Fatalf("open alerts: %d rows", len(pg.Items))
		}
		r := pg.Items[0]
		if r.ID != d.ID || r.PropertyName != "Prop 000" || r.City != "Chicago" || r.TimeZone != "America/Chicago" ||
			r.HubName != "Home h-0000" || !r.HubOnline || r.OpenAlerts != 2 || r.Battery == nil || *r.Battery != 0 {
			t.Fatalf("row = %+v", r)
		}
		spare, err := s.ListDevices(ctx, DeviceFilter{Sort: DeviceSortProperty})
		must(t, err)
		last := spare.Items[len(spare.Items)-1]
		if last.PropertyName != "" || last.HubName != "99999" || last.PropertyID != nil {
			t.Fatalf("unassigned device last, hub named by serial: %+v", last)
		}
		cities, err := s.DeviceCities(ctx)
		must(t, err)
		if !slices.Equal(cities, []string{"Austin", "Chicago"}) {
			t.Fatalf("cities = %q", cities)
		}
	})
}
