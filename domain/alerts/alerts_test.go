package alerts

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/smarthome"
)

func ptr[T any](v T) *T { return &v }

func TestThresholdsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		t     Thresholds
		field string // "" = valid
	}{
		{"empty inherits", Thresholds{}, ""},
		{"battery in range", Thresholds{LowBatteryPercent: ptr(15)}, ""},
		{"battery low edge", Thresholds{LowBatteryPercent: ptr(5)}, ""},
		{"battery too low", Thresholds{LowBatteryPercent: ptr(4)}, "low_battery"},
		{"battery too high", Thresholds{LowBatteryPercent: ptr(51)}, "low_battery"},
		{"grace a day", Thresholds{OfflineGraceMin: ptr(1440)}, ""},
		{"grace negative", Thresholds{OfflineGraceMin: ptr(-1)}, "offline_grace"},
		{"hot out of range", Thresholds{TempHighF: ptr(59)}, "temp_high"},
		{"cold out of range", Thresholds{TempLowF: ptr(71)}, "temp_low"},
		{"hot over the inherited cold", Thresholds{TempHighF: ptr(60)}, ""}, // 45 < 60 holds
		{"cold equal to hot", Thresholds{TempHighF: ptr(65), TempLowF: ptr(65)}, "temp_low"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			errs := tt.t.Validate(Defaults)
			if tt.field == "" && errs != nil {
				t.Errorf("refused: %v", errs)
			}
			if tt.field != "" && errs[tt.field] == "" {
				t.Errorf("errors %v, want one on %s", errs, tt.field)
			}
		})
	}
}

func TestSettingsFor(t *testing.T) {
	t.Parallel()
	s := Settings{Global: Thresholds{LowBatteryPercent: ptr(15), OfflineGraceMin: ptr(5)},
		Overrides: map[int64]Thresholds{7: {LowBatteryPercent: ptr(30), TempHighF: ptr(80)}}}
	if got := s.For(nil); got != (Limits{15, 5 * time.Minute, 90, 45}) {
		t.Errorf("unassigned: %+v", got)
	}
	if got := s.For(ptr(int64(7))); got != (Limits{30, 5 * time.Minute, 80, 45}) {
		t.Errorf("property 7: %+v", got)
	}
	if got := s.For(ptr(int64(8))); got != s.For(nil) {
		t.Errorf("property 8 without overrides: %+v", got)
	}
}

func TestDeviceConditions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		dev   db.Device
		found []string
		known []string
	}{
		{"leak and low", db.Device{Alert: db.AlertLeak, Battery: ptr(10)}, []string{db.AlertLeak, db.AlertLowBattery},
			[]string{db.AlertLeak, db.AlertLowBattery}},
		{"quiet", db.Device{Battery: ptr(80)}, nil,
			[]string{db.AlertLeak, db.AlertSmoke, db.AlertTamper, db.AlertJammed, db.AlertLowBattery}},
		{"hot thermostat", db.Device{Type: "thermostat", State: `{"room_temp": 97, "mode": "off"}`}, []string{db.AlertTemperatureHigh},
			[]string{db.AlertLeak, db.AlertSmoke, db.AlertTamper, db.AlertJammed, db.AlertLowBattery, db.AlertTemperatureHigh, db.AlertTemperatureLow}},
		{"thermostat without a reading", db.Device{Type: "thermostat", State: `{"mode": "off"}`}, nil,
			[]string{db.AlertLeak, db.AlertSmoke, db.AlertTamper, db.AlertJammed, db.AlertLowBattery}},
	}
	for _, tt := range tests {
		found, known := deviceConditions(tt.dev, Defaults)
		var kinds []string
		for _, c := range found {
			kinds = append(kinds, c.kind)
		}
		if !equal(kinds, tt.found) || !equal(known, tt.known) {
			t.Errorf("%s: found %v known %v, want %v %v", tt.name, kinds, known, tt.found, tt.known)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// recorder is a Notifier that keeps what it was told.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) add(what string, a db.Alert) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, what+" "+a.Kind+" "+a.State)
}
func (r *recorder) Opened(_ context.Context, a db.Alert)       { r.add("opened", a) }
func (r *recorder) Acknowledged(_ context.Context, a db.Alert) { r.add("acknowledged", a) }
func (r *recorder) Resolved(_ context.Context, a db.Alert)     { r.add("resolved", a) }

// TestNotifier: the notifier hears an opening once however often the condition flaps, then each acknowledgement
// and resolution; a new leak after the resolution is a second opening.
func TestNotifier(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store, err := db.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	at := time.Now().UTC()
	must(t, store.ApplySync(ctx, db.Snapshot{At: at, Hubs: []db.Hub{{ID: "h1", SerialNo: "S1", Online: true, SyncedAt: at}},
		Devices: []db.Device{{ID: "d1", HubID: "h1", Type: "leakage_sensor", SyncedAt: at}}}))
	u, err := store.CreateUser(ctx, db.User{Email: "a@example.com", Name: "A", Role: db.RoleStaff, PasswordHash: "x"})
	must(t, err)
	rec := &recorder{}
	svc := New(Config{Store: store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Notifier: rec})
	leak := observe.Observation{HubID: "h1", DeviceID: "d1", DeviceType: "leakage_sensor", Kind: string(smarthome.KindLeakDetected), At: at}
	for range 7 {
		svc.Observe(ctx, leak)
	}
	open, err := store.UnresolvedAlert(ctx, "h1", "d1", db.AlertLeak)
	must(t, err)
	if open.Flaps != 6 {
		t.Errorf("flaps %d, want 6", open.Flaps)
	}
	_, err = svc.Acknowledge(ctx, open.ID, u.ID, "on it")
	must(t, err)
	svc.Observe(ctx, observe.Observation{HubID: "h1", DeviceID: "d1", Kind: string(smarthome.KindLeakCleared), At: at})
	svc.Observe(ctx, leak)
	again, err := store.UnresolvedAlert(ctx, "h1", "d1", db.AlertLeak)
	must(t, err)
	_, err = svc.Resolve(ctx, again.ID, u.ID)
	must(t, err)
	want := []string{"opened leak open", "acknowledged leak acknowledged", "resolved leak resolved", "opened leak open",
		"resolved leak resolved"}
	if !equal(rec.events, want) {
		t.Errorf("notifier heard %v, want %v", rec.events, want)
	}
	if again.ID == open.ID {
		t.Error("the leak after the clear bumped the resolved alert")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
