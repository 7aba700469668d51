package ingest

import (
	"testing"

	"github.com/keyless/dashboard/db"
)

// TestDeviceAlerts: a device change announces the alert it started, the alarm it cleared, and a battery that
// crossed the low mark, once.
func TestDeviceAlerts(t *testing.T) {
	t.Parallel()
	pct := func(n int) *int { return &n }
	cases := []struct {
		name          string
		before, after db.Device
		want          []Alert
	}{
		{"jam starts", db.Device{}, db.Device{Alert: db.AlertJammed}, []Alert{{Kind: db.AlertJammed}}},
		{"leak clears", db.Device{Alert: db.AlertLeak}, db.Device{}, []Alert{{Kind: db.AlertLeak, Cleared: true}}},
		{"jam ends quietly", db.Device{Alert: db.AlertJammed}, db.Device{}, nil},
		{"battery drops", db.Device{Battery: pct(40)}, db.Device{Battery: pct(12)}, []Alert{{Kind: db.AlertLowBattery, Battery: 12}}},
		{"battery already low", db.Device{Battery: pct(12)}, db.Device{Battery: pct(9)}, nil},
	}
	for _, c := range cases {
		got := deviceAlerts(&db.DeviceChange{Before: c.before, After: c.after})
		if len(got) != len(c.want) {
			t.Errorf("%s: %d alerts %+v, want %+v", c.name, len(got), got, c.want)
			continue
		}
		for i, a := range got {
			w := c.want[i]
			if a.Kind != w.Kind || a.Cleared != w.Cleared || a.Battery != w.Battery || a.Device == nil {
				t.Errorf("%s: alert %+v, want %+v", c.name, a, w)
			}
		}
	}
}
