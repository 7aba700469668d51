package ingest

import (
	"testing"

	"github.com/keyless/dashboard/db"
)

// TestEffects: what an ingest result changed survives the trip through a notification entry.
func TestEffects(t *testing.T) {
	t.Parallel()
	low, full := 10, 90
	tests := []struct {
		name string
		res  db.IngestResult
		want Effects
	}{
		{"nothing changed", db.IngestResult{ID: 7}, 0},
		{"released", db.IngestResult{ID: 7, Released: true}, FxReleased},
		{"jammed", db.IngestResult{ID: 7, Device: &db.DeviceChange{After: db.Device{Alert: db.AlertJammed}}}, FxDevice | FxJammed},
		{"leak cleared", db.IngestResult{ID: 7, Device: &db.DeviceChange{Before: db.Device{Alert: db.AlertLeak}}}, FxDevice | FxLeakCleared},
		{"battery low", db.IngestResult{ID: 7, Device: &db.DeviceChange{Before: db.Device{Battery: &full},
			After: db.Device{Battery: &low}}}, FxDevice | FxLowBattery},
		{"hub offline", db.IngestResult{ID: 7, Hub: &db.HubChange{Before: db.Hub{Online: true}}}, FxHub | FxHubOffline},
		{"hub online", db.IngestResult{ID: 7, Hub: &db.HubChange{After: db.Hub{Online: true}}}, FxHub | FxHubOnline},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EffectsOf(tt.res); got != tt.want {
				t.Errorf("EffectsOf = %b, want %b", got, tt.want)
			}
			id, fx, ok := ParseEntry(Entry(tt.res))
			if !ok || id != 7 || fx != tt.want {
				t.Errorf("ParseEntry(%q) = %d, %b, %v", Entry(tt.res), id, fx, ok)
			}
		})
	}
	for _, bad := range []string{"c:12", "", "x", "7.zz", "-1"} {
		if _, _, ok := ParseEntry(bad); ok {
			t.Errorf("ParseEntry(%q) ok", bad)
		}
	}
}
