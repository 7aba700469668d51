package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/smarthome"
)

// includeEveryType pairs one device of each of the 15 types with an online, assigned hub and syncs the mirror; it
// returns the new devices by type and their hub.
func includeEveryType(t *testing.T, env *testEnv) (map[string]db.Device, db.Hub) {
	t.Helper()
	_, hub := env.assignedDevice(t, "lock")
	ids := map[string]string{}
	for _, typ := range smarthome.DeviceTypes() {
		id, err := env.sim.IncludeDevice(hub.ID, typ)
		if err != nil {
			t.Fatal(err)
		}
		ids[typ] = id
	}
	if _, err := env.syncer.SyncNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	out := map[string]db.Device{}
	for typ, id := range ids {
		d, err := env.store.Device(t.Context(), id)
		if err != nil {
			t.Fatalf("%s %s not mirrored: %v", typ, id, err)
		}
		out[typ] = d
	}
	return out, hub
}

// TestDevicePanels: every upstream type gets its own state panel on the device page (never the raw list), with its
// readings and the commands the type takes.
func TestDevicePanels(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t)
	devs, _ := includeEveryType(t, env.testEnv)
	c := env.signedInClient(t, db.RoleStaff)
	tests := []struct {
		typ      string
		panel    string
		want     map[string]string // data-testid → text
		nonEmpty []string          // data-testids whose text is reported but varies
		commands []string          // command-* buttons; nil: no commands section
		absent   []string          // data-testids that must not be there
	}{
		{"lock", "state-lock", map[string]string{"lock-state": "Locked"}, nil, []string{"lock", "unlock"}, nil},
		{"access_panel", "state-access-panel", map[string]string{"access-panel-mode": "Locked", "access-panel-power": "Main"},
			[]string{"access-panel-codes", "access-panel-signal"}, []string{"lock", "unlock"}, nil},
		{"thermostat", "state-thermostat", map[string]string{"thermostat-mode": "Off"}, nil, []string{"thermostat"}, nil},
		{"switch", "state-switch", map[string]string{"state-switch": "Off"}, nil, []string{"on", "off"}, []string{"command-level"}},
		{"siren", "state-siren", map[string]string{"siren-state": "Silent"}, nil, []string{"on", "off"}, nil},
		{"dimmable_switch", "state-dimmer", map[string]string{"state-dimmer": "Off"}, nil, []string{"level"}, []string{"command-on"}},
		{"lightbulb", "state-lightbulb", map[string]string{"lightbulb-on": "Off", "lightbulb-level": "0%"}, nil,
			[]string{"on", "off", "level"}, nil},
		{"garage_door", "state-garage-door", map[string]string{"garage-door-state": "Closed"}, nil, []string{"open", "close"}, nil},
		{"valve_controller", "state-valve", map[string]string{"valve-state": "Open (water on)"}, nil, []string{"open", "close"}, nil},
		{"repeater", "state-repeater", map[string]string{"repeater-power": "Main"}, []string{"repeater-signal"}, nil, nil},
		{"smoke_alarm", "state-smoke-alarm", map[string]string{"smoke-state": "Clear", "battery": "100%"}, nil, nil, nil},
		{"door_bell", "state-doorbell", map[string]string{"doorbell-last-pressed": "Never"}, nil, nil, nil},
		{"leakage_sensor", "state-sensor", map[string]string{"sensor-leak": "Dry"}, nil, nil, nil},
		{"contact_sensor", "state-sensor", map[string]string{"sensor-contact": "Closed"}, nil, nil, nil},
		{"motion_sensor", "state-sensor", map[string]string{"sensor-motion": "No motion"}, nil, nil, nil},
	}
	if len(tests) != len(smarthome.DeviceTypes()) {
		t.Fatalf("%d cases for %d types", len(tests), len(smarthome.DeviceTypes()))
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			dev := devs[tt.typ]
			for _, page := range []http.Header{nil, htmx} { // the whole page, and the fragment a refresh swaps
				res := env.get(t, c, "/devices/"+dev.ID, page)
				wantStatus(t, res, http.StatusOK)
				state := one(t, res.doc, "device-state")
				if got := state.AttrOr("data-type", ""); got != tt.typ {
					t.Errorf("data-type %q", got)
				}
				one(t, res.doc, tt.panel)
				if n := byTestID(res.doc, "state-raw").Length() + byTestID(res.doc, "state-raw-empty").Length(); n != 0 {
					t.Error("the generic key/value panel is shown")
				}
				for id, want := range tt.want {
					if got := text(one(t, res.doc, id)); got != want {
						t.Errorf("%s = %q, want %q", id, got, want)
					}
				}
				for _, id := range tt.nonEmpty {
					if got := text(one(t, res.doc, id)); got == "" || got == "—" {
						t.Errorf("%s is empty", id)
					}
				}
				for _, id := range tt.absent {
					if byTestID(res.doc, id).Length() != 0 {
						t.Errorf("%s is shown", id)
					}
				}
				if tt.commands == nil && byTestID(res.doc, "commands").Length() != 0 {
					t.Error("a read-only type has a commands section")
				}
				for _, a := range tt.commands {
					if n := res.doc.Find(`button[name="action"][value="` + a + `"]`).Length(); n != 1 {
						t.Errorf("%d %q buttons, want 1", n, a)
					}
				}
			}
		})
	}
	t.Run("access panel commands are marked inferred", func(t *testing.T) {
		res := env.get(t, c, "/devices/"+devs["access_panel"].ID)
		if got := text(one(t, res.doc, "access-panel-inferred")); !strings.Contains(got, "Inferred") {
			t.Errorf("help text %q", got)
		}
	})
}

// TestNewTypeCommands: the light bulb's on/off and the access panel's unlock reach the device and are confirmed.
func TestNewTypeCommands(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t)
	devs, _ := includeEveryType(t, env.testEnv)
	c := env.signedInClient(t, db.RoleStaff)
	tests := []struct {
		typ, action, testid, want string
	}{
		{"lightbulb", "on", "lightbulb-on", "On"},
		{"lightbulb", "off", "lightbulb-on", "Off"},
		{"access_panel", "unlock", "access-panel-mode", "Unlocked"},
		{"access_panel", "lock", "access-panel-mode", "Locked"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+" "+tt.action, func(t *testing.T) {
			dev := devs[tt.typ]
			res := env.postForm(t, c, "/devices/"+dev.ID+"/commands", url.Values{"action": {tt.action}}, htmx)
			wantStatus(t, res, http.StatusOK)
			rec := env.lastCommand(t, "", dev.ID)
			done := env.waitCommand(t, rec.ID, "settled", func(c db.Command) bool { return c.Status != db.CommandPending })
			if done.Status != db.CommandSucceeded || done.Action != tt.action {
				t.Fatalf("record %+v, want %s succeeded", done, tt.action)
			}
			deadline := time.Now().Add(5 * time.Second) // the tracker refreshes the mirror after it settles the record
			for {
				got := text(one(t, env.get(t, c, "/devices/"+dev.ID).doc, tt.testid))
				if got == tt.want {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s = %q after %s, want %q", tt.testid, got, tt.action, tt.want)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// TestDoorbellLastPressedInPropertyZone: "Last pressed" is in the property's zone whether it came by webhook (stored
// as UTC) or by the sync (an offset the upstream chose); shown in UTC, the test fails.
func TestDoorbellLastPressedInPropertyZone(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	devs, hub := includeEveryType(t, env)
	bell := devs["door_bell"]
	p, err := env.store.Property(t.Context(), *bell.PropertyID)
	if err != nil {
		t.Fatal(err)
	}
	loc := tz.Load(p.TimeZone)
	at := time.Date(2026, 11, 29, 3, 4, 0, 0, time.UTC) // the UTC day differs from every US zone's
	if at.In(loc).Format(tz.Layout) == at.Format(tz.Layout) {
		t.Fatalf("property zone %s renders like UTC: the test would prove nothing", p.TimeZone)
	}
	env.deliver(t, deviceEvent(bell, hub, "doorbell_pressed", `"pressed"`, "", at))
	c := env.signedInClient(t, db.RoleAuditor)
	res := env.get(t, c, "/devices/"+bell.ID)
	cell := one(t, res.doc, "doorbell-last-pressed")
	if got, want := text(cell), at.In(loc).Format(tz.Layout); got != want {
		t.Errorf("last pressed %q, want %q (%s); UTC would be %q", got, want, p.TimeZone, at.Format(tz.Layout))
	}
	if got := cell.Find("time").AttrOr("datetime", ""); got != at.Format(time.RFC3339) {
		t.Errorf("datetime %q", got)
	}

	t.Run("an offset from the upstream", func(t *testing.T) {
		got := doorbellState("2026-11-28T17:04:00-10:00", loc) // 03:04 UTC the next day
		if want := at.In(loc).Format(tz.Layout); got.LastPressed != want || got.LastPressedISO != at.Format(time.RFC3339) {
			t.Errorf("%+v, want %q", got, want)
		}
		if bad := doorbellState("<b>soon</b>", loc); bad.LastPressed != "<b>soon</b>" || bad.LastPressedISO != "" {
			t.Errorf("a value that is not a time: %+v", bad) // shown as text (templ escapes it), not dropped
		}
	})
}
