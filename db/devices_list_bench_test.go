package db

import "testing"

// BenchmarkListDevices lists pages of the device list out of 5,000 properties and 40,002 devices (the fixture of
// TestListDevicesFilters at scale), unfiltered and filtered: the queries GET /devices runs.
func BenchmarkListDevices(b *testing.B) {
	s := newStore(b)
	snap, alerted, _ := deviceListFixture(5000)
	must(b, s.ApplySync(b.Context(), snap))
	for _, id := range alerted[:200] {
		d := snap.Devices[0]
		_, _, err := s.RaiseAlert(b.Context(), AlertRaise{Kind: AlertLeak, HubID: d.HubID, DeviceID: id})
		must(b, err)
	}
	filters := []struct {
		name string
		f    DeviceFilter
	}{
		{"name/page1", DeviceFilter{}},
		{"name/page800", DeviceFilter{Page: 800}},
		{"name/last", DeviceFilter{Page: 1601}},
		{"lock+city+battery20", DeviceFilter{Type: "lock", City: "Chicago", BatteryBelow: 20}},
		{"offline", DeviceFilter{Offline: true, Page: 3}},
		{"alerts", DeviceFilter{OpenAlerts: true}},
		{"battery", DeviceFilter{Sort: DeviceSortBattery, Page: 10}},
		{"changed/desc", DeviceFilter{Sort: DeviceSortChanged, Desc: true}},
		{"property", DeviceFilter{Sort: DeviceSortProperty, Page: 10}},
		{"city+property", DeviceFilter{City: "Austin", Sort: DeviceSortProperty}},
		{"query", DeviceFilter{Query: "kitchen"}},
	}
	for _, tt := range filters {
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				pg, err := s.ListDevices(b.Context(), tt.f)
				if err != nil || len(pg.Items) == 0 {
					b.Fatalf("items %d, err %v", len(pg.Items), err)
				}
			}
		})
	}
}
