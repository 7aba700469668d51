package db

import (
	"strings"
	"testing"
)

// TestDeviceListPlans asks the database how it runs the device list's page and count queries and checks each
// uses the index meant for it (migration 0020), over 2,000 devices with statistics.
func TestDeviceListPlans(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	snap, alerted, _ := deviceListFixture(250)
	ctx := t.Context()
	must(t, s.ApplySync(ctx, snap))
	for _, id := range alerted[:5] {
		_, _, err := s.RaiseAlert(ctx, AlertRaise{Kind: AlertLeak, HubID: "h-0000", DeviceID: id})
		must(t, err)
	}
	_, err := s.w.ExecContext(ctx, "ANALYZE")
	must(t, err)
	page := func(f DeviceFilter) (string, []any) {
		_, q, args := f.queries()
		return s.caseless(q), append(args, 25, 0)
	}
	count := func(f DeviceFilter) (string, []any) {
		q, _, args := f.queries()
		return s.caseless(q), args
	}
	tests := []struct {
		name  string
		query func() (string, []any)
		want  []string
	}{
		{"by name", func() (string, []any) { return page(DeviceFilter{}) }, []string{"devices_name"}},
		{"by battery", func() (string, []any) { return page(DeviceFilter{Sort: DeviceSortBattery}) }, []string{"devices_battery"}},
		{"by last change", func() (string, []any) { return page(DeviceFilter{Sort: DeviceSortChanged}) }, []string{"devices_changed"}},
		{"type by name", func() (string, []any) { return page(DeviceFilter{Type: "lock"}) }, []string{"devices_type_name"}},
		{"type count", func() (string, []any) { return count(DeviceFilter{Type: "lock"}) }, []string{"devices_type_name|devices_type_property"}},
		{"low-battery locks in a city", func() (string, []any) {
			return page(DeviceFilter{Type: "lock", City: "Austin", BatteryBelow: 20})
		}, []string{"devices_type_name|devices_type_property|devices_battery", "properties_city"}}, // PostgreSQL: by cost
		{"low-battery locks in a city, count", func() (string, []any) {
			return count(DeviceFilter{Type: "lock", City: "Austin", BatteryBelow: 20})
		}, []string{"devices_type_property|devices_battery", "properties_city"}},
		{"battery below count", func() (string, []any) { return count(DeviceFilter{BatteryBelow: 20}) }, []string{"devices_battery"}},
		{"property", func() (string, []any) { return page(DeviceFilter{PropertyID: 510}) }, []string{"devices_property"}},
		{"city", func() (string, []any) { return count(DeviceFilter{City: "Austin"}) }, []string{"properties_city", "devices_property"}},
		{"offline", func() (string, []any) { return count(DeviceFilter{Offline: true}) }, []string{"devices_offline", "hubs_offline", "devices_hub"}},
		{"open alerts", func() (string, []any) { return count(DeviceFilter{OpenAlerts: true}) }, []string{"alerts_state|alerts_device"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, args := tt.query()
			for _, want := range tt.want {
				ok, plan := false, ""
				for idx := range strings.SplitSeq(want, "|") { // any of these will do
					var used bool
					used, plan = usesIndex(t, s, idx, q, args...)
					ok = ok || used
				}
				if !ok {
					t.Errorf("plan does not use %s:\n%s", want, plan)
				}
			}
		})
	}
}
