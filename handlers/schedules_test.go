package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// TestScheduleLifecycle walks a thermostat schedule through create, activate, edit and delete as leasing staff,
// checking the upstream, the mirror, the page and the audit log at each step.
func TestScheduleLifecycle(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()
	dev := deviceOfType(t, env, "thermostat", 0)
	c := env.signedInClient(t, db.RoleStaff)
	page := "/devices/" + dev.ID

	res := env.get(t, c, page)
	wantStatus(t, res, http.StatusOK)
	if sec := one(t, res.doc, "schedules"); sec.AttrOr("data-refreshing", "") != "true" || sec.AttrOr("hx-trigger", "") != "load" {
		t.Error("a device whose schedules were never read does not refresh them after the page loads")
	}
	one(t, res.doc, "schedules-empty")
	one(t, res.doc, "schedule-new")

	res = env.get(t, c, page+"/schedules/new")
	wantStatus(t, res, http.StatusOK)
	if n := byTestID(res.doc, "block-row").Length(); n != 1 {
		t.Fatalf("new editor has %d block rows, want 1", n)
	}
	grown := env.postForm(t, c, page+"/schedules/form", url.Values{"rows": {"1"}, "name": {"Winter"}, "op": {"add"}}, htmx)
	wantStatus(t, grown, http.StatusOK)
	if n := byTestID(grown.doc, "block-row").Length(); n != 2 || byTestID(grown.doc, "brand").Length() != 0 {
		t.Fatalf("add block: %d rows (want 2), whole page %v", n, byTestID(grown.doc, "brand").Length() != 0)
	}
	if got := one(t, grown.doc, "schedule-name").AttrOr("value", ""); got != "Winter" {
		t.Errorf("add block lost the name: %q", got)
	}

	form := scheduleForm("Winter weekdays", blockFormRow("12345", "07:00", "22:00", "heat", "68", "", ""),
		blockFormRow("06", "08:00", "23:00", "auto", "66", "75", ""))
	res = env.postForm(t, c, page+"/schedules", form)
	wantStatus(t, res, http.StatusSeeOther)
	if got := res.location(); got != page+"?flash=schedule-created" {
		t.Errorf("after create Location %q", got)
	}
	list, active := upstreamDeviceSchedules(t, env, dev.ID)
	if len(list) != 1 || list[0].Name != "Winter weekdays" || len(list[0].Blocks) != 2 || active != "" {
		t.Fatalf("upstream after create: %+v active %q", list, active)
	}
	id := list[0].ID
	mirrored, err := env.store.Schedule(ctx, id)
	if err != nil || mirrored.PropertyID == nil || *mirrored.PropertyID != *dev.PropertyID || len(mirrored.Blocks) != 2 {
		t.Fatalf("mirror after create: %+v (%v)", mirrored, err)
	}
	if es := auditOf(t, env, "schedule.create"); len(es) != 1 || es[0].Outcome != "ok" || es[0].TargetID != id ||
		es[0].UserEmail != env.users[db.RoleStaff].Email {
		t.Fatalf("audit after create: %+v", es)
	}

	res = env.get(t, c, page+"?flash=schedule-created")
	one(t, res.doc, "flash")
	if r := one(t, res.doc, "schedule-row"); r.AttrOr("data-active", "") != "false" || !strings.Contains(text(r), "Weekdays 07:00–22:00 · Heat to 68 °F") {
		t.Errorf("schedule row %q (active %s)", text(r), r.AttrOr("data-active", ""))
	}

	// Activate through htmx: the card comes back with the schedule active.
	res = env.postForm(t, c, page+"/schedules/"+id+"/activate", url.Values{}, htmx)
	wantStatus(t, res, http.StatusOK)
	if got := text(one(t, res.doc, "schedule-active-name")); got != "Winter weekdays" {
		t.Errorf("active name %q", got)
	}
	one(t, res.doc, "schedule-active-badge")
	one(t, res.doc, "schedule-next")
	one(t, res.doc, "schedule-ok")
	if _, active = upstreamDeviceSchedules(t, env, dev.ID); active != id {
		t.Errorf("upstream active %q, want %q", active, id)
	}
	if st, err := env.store.DeviceScheduleState(ctx, dev.ID); err != nil || st.ActiveID != id || st.ActivatedAt == nil {
		t.Errorf("mirror state %+v (%v)", st, err)
	}
	if es := auditOf(t, env, "schedule.activate"); len(es) != 1 || es[0].Outcome != "ok" || es[0].TargetID != dev.ID {
		t.Errorf("audit after activate: %+v", es)
	}
	res = env.get(t, c, page)
	if got := text(one(t, res.doc, "schedule-active-name")); got != "Winter weekdays" {
		t.Errorf("device page: active %q", got)
	}
	if byTestID(res.doc, "schedules").AttrOr("hx-trigger", "") != "" {
		t.Error("a freshly read card asks to refresh again")
	}

	// Edit: the form is filled from the mirror; saving replaces the blocks upstream and here.
	res = env.get(t, c, page+"/schedules/"+id+"/edit")
	wantStatus(t, res, http.StatusOK)
	if n := byTestID(res.doc, "block-row").Length(); n != 2 || one(t, res.doc, "schedule-name").AttrOr("value", "") != "Winter weekdays" {
		t.Fatalf("edit form: %d rows, name %q", n, one(t, res.doc, "schedule-name").AttrOr("value", ""))
	}
	res = env.postForm(t, c, page+"/schedules/"+id+"/edit", scheduleForm("Winter, all week",
		blockFormRow("0123456", "06:30", "23:00", "heat", "70", "", "")))
	wantStatus(t, res, http.StatusSeeOther)
	if list, _ = upstreamDeviceSchedules(t, env, dev.ID); list[0].Name != "Winter, all week" || len(list[0].Blocks) != 1 {
		t.Errorf("upstream after edit: %+v", list[0])
	}
	if m, _ := env.store.Schedule(ctx, id); m.Name != "Winter, all week" || m.Blocks[0].From != "06:30" {
		t.Errorf("mirror after edit: %+v", m)
	}

	// Delete: the confirmation names the device running it; a post without the confirmation deletes nothing.
	res = env.get(t, c, page+"/schedules/"+id+"/delete")
	wantStatus(t, res, http.StatusOK)
	if got := byTestID(res.doc, "schedule-delete-device").AttrOr("href", ""); got != page {
		t.Errorf("confirmation links %q, want the running device", got)
	}
	wantStatus(t, env.postForm(t, c, page+"/schedules/"+id+"/delete", url.Values{}), http.StatusUnprocessableEntity)
	if list, _ = upstreamDeviceSchedules(t, env, dev.ID); len(list) != 1 {
		t.Fatal("an unconfirmed delete deleted")
	}
	res = env.postForm(t, c, page+"/schedules/"+id+"/delete", url.Values{"confirm": {"yes"}})
	wantStatus(t, res, http.StatusSeeOther)
	if list, active = upstreamDeviceSchedules(t, env, dev.ID); len(list) != 0 || active != "" {
		t.Errorf("upstream after delete: %+v active %q", list, active)
	}
	if _, err := env.store.Schedule(ctx, id); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("mirror after delete: %v", err)
	}
	if st, _ := env.store.DeviceScheduleState(ctx, dev.ID); st.ActiveID != "" {
		t.Errorf("device still runs %q", st.ActiveID)
	}
}

// TestScheduleRejectsBadInput: every bad form answers with a clear message and changes nothing anywhere.
func TestScheduleRejectsBadInput(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dev := deviceOfType(t, env, "thermostat", 0)
	lock := deviceOfType(t, env, "lock", 0)
	dimmer := deviceOfType(t, env, "dimmable_switch", 0)
	c := env.signedInClient(t, db.RoleAdmin)
	page := "/devices/" + dev.ID
	good := blockFormRow("12345", "07:00", "22:00", "heat", "68", "", "")
	forged := scheduleForm("Forged", good)
	forged.Set("rows", "1000")
	tests := []struct {
		name   string
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"markup in name", page + "/schedules", scheduleForm(`<img src=x onerror=alert(1)>`, good), 422, "must not contain &lt; or &gt;"},
		{"oversized name", page + "/schedules", scheduleForm(strings.Repeat("x", 5000), good), 422, "at most 100 characters"},
		{"overlapping blocks", page + "/schedules", scheduleForm("W", good, blockFormRow("5", "21:00", "23:00", "cool", "", "76", "")), 422, "overlap on Friday"},
		{"bad time", page + "/schedules", scheduleForm("W", blockFormRow("1", "25:00", "26:00", "heat", "68", "", "")), 422, "HH:MM"},
		{"end before start", page + "/schedules", scheduleForm("W", blockFormRow("1", "22:00", "07:00", "heat", "68", "", "")), 422, "before the end time"},
		{"setpoint out of range", page + "/schedules", scheduleForm("W", blockFormRow("1", "07:00", "08:00", "heat", "95", "", "")), 422, "from 50 to 90"},
		{"heating above cooling - 3", page + "/schedules", scheduleForm("W", blockFormRow("1", "07:00", "08:00", "auto", "70", "71", "")), 422, "at least 3 °F below"},
		{"dimmer level out of range", "/devices/" + dimmer.ID + "/schedules", scheduleForm("W", blockFormRow("1", "07:00", "08:00", "on", "", "", "150")), 422, "0 to 100"},
		{"forged row count", page + "/schedules", forged, 422, "at most 24 blocks"},
		{"oversized body", page + "/schedules", url.Values{"name": {strings.Repeat("x", 70<<10)}}, 400, "could not be read"},
		{"unknown device", "/devices/no-such-device/schedules", scheduleForm("W", good), 404, "does not exist"},
		{"device that runs no schedules", "/devices/" + lock.ID + "/schedules", scheduleForm("W", good), 404, "Only thermostats"},
		{"unknown schedule", page + "/schedules/no-such-schedule/edit", scheduleForm("W", good), 404, "does not exist"},
		{"unknown schedule to activate", page + "/schedules/no-such-schedule/activate", url.Values{}, 404, "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := env.postForm(t, c, tt.path, tt.form)
			wantStatus(t, res, tt.status)
			if !strings.Contains(res.body, tt.want) {
				t.Errorf("the answer does not say %q:\n%.1500s", tt.want, res.body)
			}
			if tt.status == 422 {
				if got := one(t, res.doc, "schedule-name").AttrOr("value", ""); got != tt.form.Get("name") {
					t.Errorf("the form came back with name %q, want it as entered", got)
				}
			}
		})
	}
	for _, d := range []string{dev.ID, dimmer.ID} {
		if list, _ := upstreamDeviceSchedules(t, env, d); len(list) != 0 {
			t.Errorf("rejected forms created %d schedules upstream", len(list))
		}
		if list, _ := env.store.SchedulesForDevice(t.Context(), "thermostat", dev.PropertyID); len(list) != 0 {
			t.Errorf("rejected forms created %d schedules in the mirror", len(list))
		}
	}
	if es := auditOf(t, env, "schedule.create"); len(es) != 0 {
		t.Errorf("rejected forms were audited as creations: %+v", es)
	}
}

// TestScheduleUpstreamRefusal: when the upstream fails, the form or card says so, and nothing is mirrored.
func TestScheduleUpstreamRefusal(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()
	dev := deviceOfType(t, env, "thermostat", 0)
	c := env.signedInClient(t, db.RoleStaff)
	page := "/devices/" + dev.ID

	if err := env.sim.SetFault(simulator.Fault{Route: "POST /api/schedules", Rate: 1, Status: 500}); err != nil {
		t.Fatal(err)
	}
	res := env.postForm(t, c, page+"/schedules", scheduleForm("Winter", blockFormRow("1", "07:00", "08:00", "heat", "68", "", "")))
	wantStatus(t, res, http.StatusBadGateway)
	if msg := text(one(t, res.doc, "schedule-form-error")); !strings.Contains(msg, "Smart Home service failed") || !strings.Contains(msg, "try again") {
		t.Errorf("error %q does not say what failed and what to do", msg)
	}
	if list, _ := env.store.SchedulesForDevice(ctx, dev.Type, dev.PropertyID); len(list) != 0 {
		t.Errorf("a refused create was mirrored: %+v", list)
	}
	if es := auditOf(t, env, "schedule.create"); len(es) != 1 || es[0].Outcome != "failed" {
		t.Errorf("refused create audit: %+v", es)
	}
	env.sim.ClearFaults()

	sc := upstreamSchedule(t, env, dev, "Made elsewhere")
	wantStatus(t, env.get(t, c, page+"/schedules", htmx), http.StatusOK) // reads it into the mirror
	if err := env.sim.SetFault(simulator.Fault{Route: "PUT /api/devices/{id}/schedules/{schedule_id}/activate", Rate: 1, Status: 503}); err != nil {
		t.Fatal(err)
	}
	res = env.postForm(t, c, page+"/schedules/"+sc.ID+"/activate", url.Values{}, htmx)
	wantStatus(t, res, http.StatusBadGateway)
	one(t, res.doc, "schedule-error")
	if st, _ := env.store.DeviceScheduleState(ctx, dev.ID); st.ActiveID != "" {
		t.Errorf("a refused activation is mirrored as active: %q", st.ActiveID)
	}
	env.sim.ClearFaults()

	// Deleted elsewhere: the upstream's 404 says the item is gone, and the mirror is not touched by the refusal.
	if _, err := env.api.Schedules.Delete(ctx, sc.ID); err != nil {
		t.Fatal(err)
	}
	res = env.postForm(t, c, page+"/schedules/"+sc.ID+"/activate", url.Values{}, htmx)
	wantStatus(t, res, http.StatusNotFound)
	if msg := text(one(t, res.doc, "schedule-error")); !strings.Contains(msg, "deleted elsewhere") {
		t.Errorf("error %q", msg)
	}
}
