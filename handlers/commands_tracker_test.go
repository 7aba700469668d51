package handlers

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/commands"
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
	stale, err := env.store.CreateCommand(ctx, db.Command{HubID: other.HubID, DeviceID: other.ID, Action: commands.ActOn,
		Command: commands.Spec{Action: commands.ActOn}.JSON(), CreatedAt: time.Now().Add(-time.Hour)})
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

	quiet := slog.New(slog.DiscardHandler)
	restarted := commands.NewTracker(quiet, env.store, env.up, NewCommandNotifier(quiet, env.store, env.broker), fastCommands)
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
	env := newCmdEnv(t, withCommandOptions(commands.Options{Timeout: 10 * time.Minute, CheckAfter: 5 * time.Minute,
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
		if done.Status != db.CommandSucceeded || done.Result != commands.ResultByWebhook {
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
		if done.Status != db.CommandSucceeded || done.Result != commands.ResultByState {
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
		if got, _ := env.store.Command(t.Context(), rec.ID); got.Status != db.CommandPending && got.Result == commands.ResultByWebhook {
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
