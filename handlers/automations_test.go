package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/automations"
)

// TestLeakClosesValve: with the automation off (the default) a leak sends nothing; an admin turns it on from the
// property's page; the next leak closes the property's valve, as a command record by "automation", audited.
func TestLeakClosesValve(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()
	sensor, hub := env.assignedDevice(t, "leakage_sensor")
	valveID, err := env.sim.IncludeDevice(hub.ID, "valve_controller")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.syncer.SyncNow(ctx); err != nil {
		t.Fatal(err)
	}
	pid := *sensor.PropertyID
	page := "/properties/" + strconv.FormatInt(pid, 10)
	admin, staff := env.signedInClient(t, db.RoleAdmin), env.signedInClient(t, db.RoleStaff)

	at := time.Now().UTC().Truncate(time.Second)
	leak := func(i int) {
		env.deliver(t, deviceEvent(sensor, hub, "leak_cleared", `"no"`, "", at.Add(time.Duration(2*i)*time.Second)))
		env.deliver(t, deviceEvent(sensor, hub, "leak_detected", `"yes"`, "", at.Add(time.Duration(2*i+1)*time.Second)))
		env.waitAlert(t, hub.ID, sensor.ID, db.AlertLeak, isOpen)
		env.autos.Wait()
	}
	valveCommands := func() []db.Command {
		cmds, err := env.store.DeviceCommands(ctx, valveID, 10)
		if err != nil {
			t.Fatal(err)
		}
		return cmds
	}

	res := env.get(t, admin, page)
	if byTestID(res.doc, "automation-leak").Length() != 1 || byTestID(res.doc, "automation-leak").Is("[checked]") {
		t.Fatalf("the property page's automation: want one unchecked box")
	}
	if byTestID(env.get(t, staff, page).doc, "automations-section").Length() != 0 {
		t.Error("staff see the automations section")
	}
	leak(0)
	if cmds := valveCommands(); len(cmds) != 0 {
		t.Fatalf("a leak with the automation off sent %+v", cmds)
	}

	if r := env.postForm(t, staff, page+"/automations", url.Values{"leak_closes_valve": {"on"}}); r.status != http.StatusForbidden {
		t.Errorf("staff turning it on: %d, want 403", r.status)
	}
	if r := env.postForm(t, admin, page+"/automations", url.Values{"leak_closes_valve": {"<script>"}}); r.status != http.StatusBadRequest {
		t.Errorf("a hostile value: %d, want 400", r.status)
	}
	if r := env.postForm(t, admin, "/properties/999999/automations", url.Values{"leak_closes_valve": {"on"}}); r.status != http.StatusNotFound {
		t.Errorf("an unknown property: %d, want 404", r.status)
	}
	if r := env.postForm(t, admin, page+"/automations", url.Values{"leak_closes_valve": {"on"}}); r.status != http.StatusSeeOther {
		t.Fatalf("turning it on: %d", r.status)
	}
	if !byTestID(env.get(t, admin, page).doc, "automation-leak").Is("[checked]") {
		t.Error("the box is not checked after saving")
	}

	leak(1)
	cmds := valveCommands()
	if len(cmds) != 1 || cmds[0].Action != "close" || cmds[0].UserEmail != automations.Actor || cmds[0].Status == db.CommandFailed {
		t.Fatalf("valve commands after the leak: %+v, want one close by the automation", cmds)
	}
	entries, err := env.store.ListAudit(ctx, db.AuditFilter{Action: "automation.leak_close_valve", TargetID: valveID})
	if err != nil || len(entries) != 1 || entries[0].Outcome != db.OutcomeOK || entries[0].PropertyID == nil || *entries[0].PropertyID != pid {
		t.Errorf("audit of the automation: %+v %v", entries, err)
	}
	set, err := env.store.ListAudit(ctx, db.AuditFilter{Action: "automation.set", TargetID: strconv.FormatInt(pid, 10)})
	if err != nil || len(set) != 2 || set[0].Outcome != db.OutcomeOK || set[1].Outcome != db.OutcomeDenied { // newest first
		t.Errorf("audit of the setting: %+v %v", set, err)
	}

	// Turning it off again stops it.
	if r := env.postForm(t, admin, page+"/automations", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("turning it off: %d", r.status)
	}
	leak(2)
	if n := len(valveCommands()); n != 1 {
		t.Errorf("%d valve commands after a leak with the automation off again, want still 1", n)
	}
}
