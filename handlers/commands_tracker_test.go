package handlers

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/smarthome"
)

// TestCommandsResumeAfterRestart: records left pending by a stopped dashboard are settled by the next tracker: one
// the device carried out succeeds, one past its timeout fails.
func TestCommandsResumeAfterRestart(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t, withoutTracker())
	ctx := t.Context()
	dev, _ := env.findDevice(t, "lock", nil)
	action, want := opposite(dev.State)
	c := env.signedInClient(t, db.RoleStaff)
	res := env.postForm(t, c, "/devices/"+dev.ID+"/commands", url.Values{"action": {action}}, htmx)
	wantStatus(t, res, http.StatusOK)
	sent := env.lastCommand(t, dev.HubID, dev.ID)
	waitUpstream(t, env, dev.ID, want) // applied upstream while no tracker ran

	other, _ := env.findDevice(t, "switch", nil)
	stale, err := env.store.CreateCommand(ctx, db.Command{HubID: other.HubID, DeviceID: other.ID, Action: actOn,
		Command: commandSpec{Action: actOn}.json(), CreatedAt: time.Now().Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.sim.SetHubOnline(other.HubID, false); err != nil { // it can never apply
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // nothing settles them while no tracker runs
	for _, id := range []int64{sent.ID, stale.ID} {
		if got, _ := env.store.Command(ctx, id); got.Status != db.CommandPending {
			t.Fatalf("command %d settled without a tracker: %+v", id, got)
		}
	}

	restarted := NewCommandTracker(slog.New(slog.DiscardHandler), env.store, env.up, env.broker, fastCommands)
	env.startTracker(t, restarted)
	done := env.waitCommand(t, sent.ID, "succeeded", func(c db.Command) bool { return c.Status != db.CommandPending })
	if done.Status != db.CommandSucceeded {
		t.Errorf("resumed command %+v, want succeeded", done)
	}
	timedOut := env.waitCommand(t, stale.ID, "failed", func(c db.Command) bool { return c.Status != db.CommandPending })
	if timedOut.Status != db.CommandFailed || !strings.Contains(timedOut.Reason, "No confirmation") {
		t.Errorf("stale command %+v, want failed by timeout", timedOut)
	}
}

// waitUpstream polls the simulator until the lock reports want.
func waitUpstream(t *testing.T, env *cmdEnv, deviceID, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		d, err := env.up.DeviceState(t.Context(), deviceID)
		if err != nil {
			t.Fatal(err)
		}
		if lockState(string(d.Status)) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lock never became %s upstream", want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCommandConfirmedByWebhook: with re-reads far off, a matching webhook observation settles the command at
// once; an unrelated one makes the device due for a re-read now.
func TestCommandConfirmedByWebhook(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t, withCommandOptions(CommandOptions{Timeout: 10 * time.Minute, CheckAfter: 5 * time.Minute,
		CheckEvery: 5 * time.Minute}))
	c := env.signedInClient(t, db.RoleStaff)
	send := func(t *testing.T, dev db.Device, action, want string) db.Command {
		t.Helper()
		res := env.postForm(t, c, "/devices/"+dev.ID+"/commands", url.Values{"action": {action}}, htmx)
		wantStatus(t, res, http.StatusOK)
		rec := env.lastCommand(t, dev.HubID, dev.ID)
		waitUpstream(t, env, dev.ID, want)
		if got, _ := env.store.Command(t.Context(), rec.ID); got.Status != db.CommandPending {
			t.Fatalf("settled before any observation: %+v", got)
		}
		return rec
	}
	t.Run("matching event", func(t *testing.T) {
		dev, _ := env.findDevice(t, "lock", func(d db.Device) bool { return lockState(d.State) == "unlocked" })
		rec := send(t, dev, "lock", "locked")
		env.observed.Notify(t.Context(), observe.Observation{HubID: dev.HubID, DeviceID: dev.ID, DeviceType: "lock",
			MessageType: "Lock", Kind: string(smarthome.KindLockLocked), At: time.Now()})
		done := env.waitCommand(t, rec.ID, "succeeded", func(c db.Command) bool { return c.Status != db.CommandPending })
		if done.Status != db.CommandSucceeded || done.Result != resultByWebhook {
			t.Errorf("record %+v, want succeeded by the webhook", done)
		}
		waitMirror(t, env, dev.ID, "locked")
	})
	t.Run("other event triggers a re-read", func(t *testing.T) {
		dev, _ := env.findDevice(t, "lock", func(d db.Device) bool { return lockState(d.State) == "locked" })
		rec := send(t, dev, "unlock", "unlocked")
		env.observed.Notify(t.Context(), observe.Observation{HubID: dev.HubID, DeviceID: dev.ID, DeviceType: "lock",
			MessageType: "low_battery", Kind: string(smarthome.KindDeviceLowBattery), At: time.Now()})
		done := env.waitCommand(t, rec.ID, "succeeded", func(c db.Command) bool { return c.Status != db.CommandPending })
		if done.Status != db.CommandSucceeded || done.Result != resultByState {
			t.Errorf("record %+v, want succeeded by the re-read", done)
		}
	})
	t.Run("an event older than the command confirms nothing", func(t *testing.T) {
		dev, _ := env.findDevice(t, "switch", nil)
		res := env.postForm(t, c, "/devices/"+dev.ID+"/commands", url.Values{"action": {"on"}}, htmx)
		wantStatus(t, res, http.StatusOK)
		rec := env.lastCommand(t, dev.HubID, dev.ID)
		if err := env.sim.SetHubOnline(dev.HubID, false); err != nil { // the re-read must not confirm it either
			t.Fatal(err)
		}
		env.observed.Notify(t.Context(), observe.Observation{HubID: dev.HubID, DeviceID: dev.ID, DeviceType: "switch",
			MessageType: "switch_on", Kind: string(smarthome.KindSwitchOn), At: rec.CreatedAt.Add(-time.Minute)})
		time.Sleep(300 * time.Millisecond)
		if got, _ := env.store.Command(t.Context(), rec.ID); got.Status != db.CommandPending && got.Result == resultByWebhook {
			t.Errorf("an old event confirmed the command: %+v", got)
		}
	})
}

// waitMirror polls the mirror until the lock shows want.
func waitMirror(t *testing.T, env *cmdEnv, deviceID, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		d, err := env.store.Device(t.Context(), deviceID)
		if err != nil {
			t.Fatal(err)
		}
		if lockState(d.State) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the mirror never showed %s", want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCommandSatisfied: which device states confirm which commands.
func TestCommandSatisfied(t *testing.T) {
	t.Parallel()
	p := smarthome.Ptr[int]
	s := smarthome.Ptr[string]
	tests := []struct {
		name   string
		spec   commandSpec
		status string
		want   bool
	}{
		{"locked", commandSpec{Action: actLock}, `{"mode":{"type":"locked"}}`, true},
		{"still unlocked", commandSpec{Action: actLock}, `{"mode":{"type":"unlocked"}}`, false},
		{"unlocked", commandSpec{Action: actUnlock}, `{"mode":{"type":"Unlocked"}}`, true},
		{"switch on", commandSpec{Action: actOn}, `{"mode":"on"}`, true},
		{"switch off wanted", commandSpec{Action: actOff}, `{"mode":"on"}`, false},
		{"garage closed", commandSpec{Action: actClose}, `{"mode":"closed"}`, true},
		{"garage closing", commandSpec{Action: actClose}, `{"mode":"closing"}`, false},
		{"valve open", commandSpec{Action: actOpen}, `{"mode":"open"}`, true},
		{"dimmer at level", commandSpec{Action: actLevel, Level: p(40)}, `{"mode":"on","power":40}`, true},
		{"dimmer level as text", commandSpec{Action: actLevel, Level: p(40)}, `{"mode":"on","power":"40"}`, true},
		{"dimmer other level", commandSpec{Action: actLevel, Level: p(40)}, `{"mode":"on","power":30}`, false},
		{"dimmer off at 0", commandSpec{Action: actLevel, Level: p(0)}, `{"mode":"off","power":30}`, true},
		{"thermostat all", commandSpec{Action: actThermostat, Mode: s("heat"), Heating: p(68), Fan: s("auto")},
			`{"mode":"heat","heating_setpoint":68,"cooling_setpoint":75,"fan":"auto"}`, true},
		{"thermostat one missing", commandSpec{Action: actThermostat, Mode: s("heat"), Heating: p(68)},
			`{"mode":"heat","heating_setpoint":66}`, false},
		{"thermostat setpoint not reported", commandSpec{Action: actThermostat, Cooling: p(75)}, `{"mode":"cool"}`, false},
		{"garbage", commandSpec{Action: actLock}, `not json`, false},
		{"hub action", commandSpec{Action: "reboot"}, `{}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := commandSatisfied(tt.spec, []byte(tt.status)); got != tt.want {
				t.Errorf("commandSatisfied = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestConfirmingKind: the single webhook kinds that prove a command.
func TestConfirmingKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		deviceType string
		spec       commandSpec
		want       smarthome.EventKind
	}{
		{"lock", commandSpec{Action: actLock}, smarthome.KindLockLocked},
		{"lock", commandSpec{Action: actUnlock}, smarthome.KindLockUnlocked},
		{"siren", commandSpec{Action: actOn}, smarthome.KindSirenOn},
		{"switch", commandSpec{Action: actOff}, smarthome.KindSwitchOff},
		{"garage_door", commandSpec{Action: actOpen}, smarthome.KindGarageOpened},
		{"valve_controller", commandSpec{Action: actClose}, smarthome.KindValveClosed},
		{"dimmable_switch", commandSpec{Action: actLevel, Level: smarthome.Ptr(0)}, smarthome.KindSwitchOff},
		{"dimmable_switch", commandSpec{Action: actLevel, Level: smarthome.Ptr(50)}, ""},
		{"thermostat", commandSpec{Action: actThermostat, Mode: smarthome.Ptr("heat")}, ""},
	}
	for _, tt := range tests {
		if got := confirmingKind(tt.deviceType, tt.spec); got != tt.want {
			t.Errorf("%s %s: %q, want %q", tt.deviceType, tt.spec.label(), got, tt.want)
		}
	}
}

// TestCommandTrackerWatch: once the tracker has read the pending records, observations about devices and hubs
// without one are dropped before they cost a database read; a record just sent (Track) turns the filter off until
// the next read, so its confirmation is never dropped.
func TestCommandTrackerWatch(t *testing.T) {
	t.Parallel()
	tr := NewCommandTracker(slog.New(slog.DiscardHandler), nil, nil, nil, CommandOptions{})
	dev := func(id string) observe.Observation { return observe.Observation{HubID: "h-other", DeviceID: id} }
	hub := func(id string) observe.Observation { return observe.Observation{HubID: id} }
	if !tr.concerns(dev("d-any")) || !tr.concerns(hub("h-any")) {
		t.Fatal("before its first read the tracker drops observations")
	}
	read := func(pending ...db.Command) { tr.setWatch(pending, tr.gen.Load()) }
	read(db.Command{HubID: "h-1", DeviceID: "d-1"}, db.Command{HubID: "h-2"})
	for _, tc := range []struct {
		ob   observe.Observation
		want bool
	}{
		{dev("d-1"), true}, {dev("d-2"), false}, {hub("h-2"), true}, {hub("h-1"), false}, // h-1 has only a device record
		{observe.Observation{HubID: "h-2", DeviceID: "d-9"}, false}, // a device event looks up the device's records only
	} {
		if got := tr.concerns(tc.ob); got != tc.want {
			t.Errorf("concerns(%+v) = %v, want %v", tc.ob, got, tc.want)
		}
	}
	tr.Observe(t.Context(), dev("d-2"))
	tr.Observe(t.Context(), dev("d-1"))
	if got := len(tr.seen); got != 1 {
		t.Errorf("%d observations queued, want 1 (the one about a pending record)", got)
	}

	before := tr.gen.Load()
	tr.Track()
	if !tr.concerns(dev("d-2")) {
		t.Error("right after Track an observation about a new record's device is dropped")
	}
	tr.setWatch(nil, before) // a read that began before Track cannot turn the filter back on
	if !tr.concerns(dev("d-2")) {
		t.Error("a read begun before Track turned the filter on")
	}
	read()
	if tr.concerns(dev("d-2")) {
		t.Error("after a fresh read with nothing pending, observations still pass")
	}
	read(make([]db.Command, db.MaxCommandLimit)...) // a list cut at its limit may miss records
	if !tr.concerns(dev("d-2")) {
		t.Error("a cut list turned the filter on")
	}
}
