package handlers

import (
	"bufio"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/smarthome/simulator"
	"github.com/keyless/dashboard/views"
)

// sseEvent is one event read from a live stream.
type sseEvent struct{ name, data string }

// sseEvents reads the stream into a channel until the body closes (at the end of the test).
func sseEvents(resp *http.Response) <-chan sseEvent {
	ch := make(chan sseEvent, 256)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" || ev.data != "" {
					select {
					case ch <- ev:
					default: // the test stopped reading
					}
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event:"):
				ev.name = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
			case strings.HasPrefix(line, "data:"):
				ev.data += strings.TrimPrefix(strings.TrimPrefix(line, "data:"), " ") + "\n"
			}
		}
	}()
	return ch
}

// waitEvent reads events until one named name has data containing want.
func waitEvent(t *testing.T, events <-chan sseEvent, name, want string) sseEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatalf("stream ended before event %s with %q", name, want)
			}
			if ev.name == name && strings.Contains(ev.data, want) {
				return ev
			}
		case <-timeout:
			t.Fatalf("no event %s with %q within 10s", name, want)
		}
	}
}

// opposite is the lock action that changes a lock's current state.
func opposite(status string) (action, want string) {
	if lockState(status) == "locked" {
		return "unlock", "unlocked"
	}
	return "lock", "locked"
}

// TestCommandSucceeds: lock a device against the simulator and watch the record go pending → succeeded, live and in
// the store, with the mirror showing the new state and the action audited.
func TestCommandSucceeds(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t, withCommandOptions(commands.Options{Timeout: 5 * time.Second, CheckAfter: 300 * time.Millisecond,
		CheckEvery: 100 * time.Millisecond}))
	dev, _ := env.findDevice(t, "lock", nil)
	action, want := opposite(dev.State)
	c := env.signedInClient(t, db.RoleStaff)
	events := sseEvents(env.stream(t, c, "/events?device="+dev.ID))

	res := env.postForm(t, c, "/devices/"+dev.ID+"/commands", url.Values{"action": {action}}, htmx)
	wantStatus(t, res, http.StatusOK)
	card := res.doc.Find(`[data-testid="command"]`).First()
	if got := card.AttrOr("data-status", ""); got != db.CommandPending {
		t.Fatalf("the answer shows the command %q, want pending\n%s", got, res.body)
	}
	one(t, res.doc, "command-notice")
	id, _ := strconv.ParseInt(card.AttrOr("data-command-id", ""), 10, 64)
	name := "commands-device-" + dev.ID
	waitEvent(t, events, name, `data-status="pending"`)

	rec := env.waitCommand(t, id, "succeeded", func(c db.Command) bool { return c.Status != db.CommandPending })
	if rec.Status != db.CommandSucceeded || rec.Result != commands.ResultByState || rec.ConfirmedAt == nil {
		t.Fatalf("record %+v, want succeeded by state", rec)
	}
	waitEvent(t, events, name, `data-status="succeeded"`)
	state := waitEvent(t, events, views.DeviceStateData{ID: dev.ID}.DOMID(), "device-state")
	if !strings.Contains(state.data, `data-lock="`+want+`"`) {
		t.Errorf("pushed state panel does not show %s:\n%s", want, state.data)
	}
	mirrored, err := env.store.Device(t.Context(), dev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := lockState(mirrored.State); got != want {
		t.Errorf("mirror shows %q, want %q", got, want)
	}
	page := env.get(t, c, "/devices/"+dev.ID)
	if got := page.doc.Find(`[data-testid="command"][data-command-id="`+strconv.FormatInt(id, 10)+`"]`).AttrOr("data-status", ""); got != db.CommandSucceeded {
		t.Errorf("page shows the command %q", got)
	}
	audits := env.auditEntries(t, "device."+action)
	if len(audits) != 1 || audits[0].Outcome != db.OutcomeOK || audits[0].TargetID != dev.ID ||
		audits[0].UserEmail != env.users[db.RoleStaff].Email {
		t.Errorf("audit entries %+v", audits)
	}
}

// TestCommandTimesOut: with the hub offline upstream, the command is accepted and never applied; the record fails
// with "no confirmation" once the timeout passes.
func TestCommandTimesOut(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t, withCommandOptions(commands.Options{Timeout: time.Second, CheckAfter: 100 * time.Millisecond,
		CheckEvery: 200 * time.Millisecond}))
	dev, hub := env.findDevice(t, "lock", nil)
	if err := env.sim.SetHubOnline(hub.ID, false); err != nil {
		t.Fatal(err)
	}
	action, _ := opposite(dev.State)
	c := env.signedInClient(t, db.RoleInstaller)
	events := sseEvents(env.stream(t, c, "/events?hub="+hub.ID))
	res := env.postForm(t, c, "/devices/"+dev.ID+"/commands", url.Values{"action": {action}}, htmx)
	wantStatus(t, res, http.StatusOK)
	rec := env.lastCommand(t, hub.ID, dev.ID)
	if rec.Status != db.CommandPending {
		t.Fatalf("record %+v, want pending after an accepted send", rec)
	}
	done := env.waitCommand(t, rec.ID, "failed", func(c db.Command) bool { return c.Status != db.CommandPending })
	if done.Status != db.CommandFailed || !strings.Contains(done.Reason, "No confirmation from the device within 1s") {
		t.Fatalf("record %+v, want failed without confirmation", done)
	}
	if elapsed := done.ConfirmedAt.Sub(done.CreatedAt); elapsed < time.Second {
		t.Errorf("failed after %s, before the timeout", elapsed)
	}
	ev := waitEvent(t, events, "commands-device-"+dev.ID, `data-status="failed"`)
	if !strings.Contains(ev.data, "No confirmation from the device") {
		t.Errorf("pushed card lacks the reason:\n%s", ev.data)
	}
}

// TestCommandUpstreamFailure: an upstream error fails the record at once, with the reason on the card and in the form.
func TestCommandUpstreamFailure(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	t.Run("device command, upstream 500", func(t *testing.T) {
		dev, _ := env.findDevice(t, "switch", nil)
		if err := env.sim.SetFault(simulator.Fault{Route: "PUT /api/devices/{id}", Rate: 1, Status: 500}); err != nil {
			t.Fatal(err)
		}
		defer env.sim.ClearFaults()
		res := env.postForm(t, c, "/devices/"+dev.ID+"/commands", url.Values{"action": {"on"}}, htmx)
		wantStatus(t, res, http.StatusBadGateway)
		if msg := text(one(t, res.doc, "command-error")); !strings.Contains(msg, "recorded as failed") {
			t.Errorf("form error %q", msg)
		}
		rec := env.lastCommand(t, dev.HubID, dev.ID)
		if rec.Status != db.CommandFailed || !strings.Contains(rec.Reason, "The Smart Home service failed") {
			t.Errorf("record %+v, want failed with the reason", rec)
		}
		card := res.doc.Find(`[data-testid="command"]`).First()
		if card.AttrOr("data-status", "") != db.CommandFailed || !strings.Contains(text(card.Find(`[data-testid="command-reason"]`)), "failed") {
			t.Errorf("card %q", text(card))
		}
		if a := env.auditEntries(t, "device.on"); len(a) != 1 || a[0].Outcome != db.OutcomeFailed {
			t.Errorf("audit %+v, want one failed entry", a)
		}
	})
	t.Run("hub command, hub offline (409)", func(t *testing.T) {
		_, hub := env.findDevice(t, "thermostat", nil)
		if err := env.sim.SetHubOnline(hub.ID, false); err != nil {
			t.Fatal(err)
		}
		c := env.signedInClient(t, db.RoleInstaller)
		res := env.postForm(t, c, "/hubs/"+hub.ID+"/commands", url.Values{"action": {"reboot"}}, htmx)
		wantStatus(t, res, http.StatusBadGateway)
		rec := env.lastCommand(t, hub.ID, "")
		if rec.Status != db.CommandFailed || !strings.Contains(rec.Reason, "Hub is offline") {
			t.Errorf("record %+v, want failed: Hub is offline", rec)
		}
		if !strings.Contains(text(one(t, res.doc, "command-error")), "Hub is offline") {
			t.Error("the form does not say why")
		}
	})
}

// TestHubCommands: a hub command succeeds or fails with the hub's MQTT answer, which the MQTT panel shows.
func TestHubCommands(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t)
	_, hub := env.findDevice(t, "lock", nil)
	c := env.signedInClient(t, db.RoleInstaller)
	events := sseEvents(env.stream(t, c, "/events?hub="+hub.ID))
	before := env.get(t, c, "/hubs/"+hub.ID+"/mqtt", htmx)
	wantStatus(t, before, http.StatusOK)
	one(t, before.doc, "mqtt-none")

	tests := []struct {
		name   string
		form   url.Values
		status string
		text   string
	}{
		{"refresh", url.Values{"action": {"refresh"}}, db.CommandSucceeded, "Refresh complete"},
		{"remove an unknown node", url.Values{"action": {"remove_device"}, "node_id": {"199"}}, db.CommandFailed, "Node 199 not found"},
		{"add a device", url.Values{"action": {"add_device"}, "device_type": {"siren"}}, db.CommandSucceeded, "Device included at node"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := env.postForm(t, c, "/hubs/"+hub.ID+"/commands", tt.form, htmx)
			wantStatus(t, res, http.StatusOK)
			rec := env.lastCommand(t, hub.ID, "")
			if rec.UpstreamID == "" {
				t.Fatalf("no upstream command id on %+v", rec)
			}
			done := env.waitCommand(t, rec.ID, "settled", func(c db.Command) bool { return c.Status != db.CommandPending })
			if done.Status != tt.status || !strings.Contains(done.Result+done.Reason, tt.text) {
				t.Fatalf("record %+v, want %s with %q", done, tt.status, tt.text)
			}
			mqtt := env.get(t, c, "/hubs/"+hub.ID+"/mqtt", htmx)
			if got := text(one(t, mqtt.doc, "mqtt-message")); !strings.Contains(got, tt.text) {
				t.Errorf("MQTT panel says %q", got)
			}
			if got := one(t, mqtt.doc, "mqtt-command").Text(); !strings.Contains(got, rec.UpstreamID) {
				t.Errorf("MQTT panel names command %q, want %s", got, rec.UpstreamID)
			}
			waitEvent(t, events, views.MQTTEventName(hub.ID), rec.UpstreamID) // the open page's panel updates live
		})
	}
}

// TestCommandPlainPost: without htmx a send that worked redirects back to the page (a reload does not resend).
func TestCommandPlainPost(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t)
	dev, hub := env.findDevice(t, "switch", nil)
	c := env.signedInClient(t, db.RoleStaff)
	res := env.postForm(t, c, "/devices/"+dev.ID+"/commands", url.Values{"action": {"off"}})
	wantStatus(t, res, http.StatusSeeOther)
	if got := res.location(); got != "/devices/"+dev.ID {
		t.Errorf("Location %q", got)
	}
	res = env.postForm(t, c, "/hubs/"+hub.ID+"/commands", url.Values{"action": {"refresh"}})
	wantStatus(t, res, http.StatusSeeOther)
	if got := res.location(); got != "/hubs/"+hub.ID {
		t.Errorf("Location %q", got)
	}
	page := env.get(t, c, "/devices/"+dev.ID)
	if got := byTestID(page.doc, "command").Length(); got != 1 {
		t.Errorf("%d command cards on the page, want the one sent", got)
	}
}
