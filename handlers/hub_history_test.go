package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// setCompanyChange sets (or with "" clears) a hub's company_change_date in the simulator.
func setCompanyChange(t *testing.T, sim *simulator.Simulator, hubID, date string) {
	t.Helper()
	raw, err := sim.State()
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]json.RawMessage
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	var hubs map[string]map[string]any
	if err := json.Unmarshal(st["hubs"], &hubs); err != nil {
		t.Fatal(err)
	}
	if date == "" {
		delete(hubs[hubID], "company_change_date")
	} else {
		hubs[hubID]["company_change_date"] = date
	}
	if st["hubs"], err = json.Marshal(hubs); err != nil {
		t.Fatal(err)
	}
	if raw, err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if err := sim.ReplaceState(raw); err != nil {
		t.Fatal(err)
	}
}

// dstHub finds an online hub in a zone with daylight saving time (US mainland) and clears its company change.
func dstHub(t *testing.T, env *cmdEnv) db.Hub {
	t.Helper()
	_, hub := env.findDevice(t, "lock", func(d db.Device) bool {
		h, err := env.store.Hub(t.Context(), d.HubID)
		return err == nil && slices.Contains([]string{"America/New_York", "America/Chicago", "America/Denver",
			"America/Los_Angeles"}, h.TimeZone)
	})
	setCompanyChange(t, env.sim, hub.ID, "")
	return hub
}

func historyQuery(from, to string, events ...string) string {
	v := url.Values{"history_from": {from}, "history_to": {to}, "history_events": events}
	return v.Encode()
}

// TestHistoryValidation: the form's date and event rules answer 422 in the form, before any upstream call; a
// range across the end of daylight saving time is counted in calendar days.
func TestHistoryValidation(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t)
	hub := dstHub(t, env)
	c := env.signedInClient(t, db.RoleAuditor)
	tests := []struct {
		name, query, field, msg string
	}{
		{"no events", historyQuery("11/20/2026", "11/22/2026"), "history_events", "at least one event"},
		{"unknown event", historyQuery("11/20/2026", "11/22/2026", "Lock"), "history_events", "Unknown event"},
		{"bad from", historyQuery("2026-11-20", "11/22/2026", "add_device"), "history_from", "MM/DD/YYYY"},
		{"bad to", historyQuery("11/20/2026", "11/31/2026", "add_device"), "history_to", "MM/DD/YYYY"},
		{"one digit month", historyQuery("1/20/2026", "01/22/2026", "add_device"), "history_from", "MM/DD/YYYY"},
		{"script", historyQuery("<script>x</script>", "11/22/2026", "add_device"), "history_from", "MM/DD/YYYY"},
		{"from after to", historyQuery("11/23/2026", "11/22/2026", "add_device"), "history_from", "not be after"},
		{"8 days", historyQuery("11/14/2026", "11/22/2026", "add_device"), "history_to", "8 days long"},
		{"8 days across the DST end", historyQuery("10/27/2026", "11/04/2026", "add_device"), "history_to", "at most 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := env.upstream.n.Load()
			res := env.get(t, c, "/hubs/"+hub.ID+"/history?"+tt.query, htmx)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			msg := one(t, res.doc, "history-error")
			if !strings.Contains(text(msg), tt.msg) || msg.AttrOr("data-field", "") != tt.field {
				t.Errorf("error %q on %q, want %q on %q", text(msg), msg.AttrOr("data-field", ""), tt.msg, tt.field)
			}
			if strings.Contains(res.body, "<script>") {
				t.Error("input echoed unescaped")
			}
			if env.upstream.n.Load() != before {
				t.Error("the upstream was asked")
			}
		})
	}
	t.Run("7 days across the DST end", func(t *testing.T) {
		res := env.get(t, c, "/hubs/"+hub.ID+"/history?"+historyQuery("10/28/2026", "11/04/2026", "add_device", "remove_device"), htmx)
		wantStatus(t, res, http.StatusOK)
		if byTestID(res.doc, "history-empty").Length()+byTestID(res.doc, "history-table").Length() != 1 {
			t.Errorf("no result region:\n%s", res.body)
		}
		if got := text(one(t, res.doc, "history-zone")); got != hub.TimeZone {
			t.Errorf("zone %q, want the hub's %q", got, hub.TimeZone)
		}
	})
}

// TestHistoryResults: hub and device history from the simulator, on the page and as the htmx fragment; the
// upstream's 403 (a window before the hub changed company) is shown plainly.
func TestHistoryResults(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t)
	hub := dstHub(t, env)
	lock, _ := env.findDevice(t, "lock", func(d db.Device) bool { return d.HubID == hub.ID })
	c := env.signedInClient(t, db.RoleInstaller)
	loc, err := time.LoadLocation(hub.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(loc).Format(historyDateLayout)
	weekAgo := time.Now().In(loc).AddDate(0, 0, -7).Format(historyDateLayout)

	res := env.postForm(t, c, "/hubs/"+hub.ID+"/commands", url.Values{"action": {"add_device"}, "device_type": {"switch"}}, htmx)
	wantStatus(t, res, http.StatusOK)
	env.waitCommand(t, env.lastCommand(t, hub.ID, "").ID, "succeeded", func(c db.Command) bool { return c.Status == db.CommandSucceeded })
	action, want := opposite(lock.State)
	wantStatus(t, env.postForm(t, c, "/devices/"+lock.ID+"/commands", url.Values{"action": {action}}, htmx), http.StatusOK)
	waitUpstream(t, env, lock.ID, want)

	t.Run("hub fragment", func(t *testing.T) {
		res := env.get(t, c, "/hubs/"+hub.ID+"/history?"+historyQuery(weekAgo, today, "add_device"), htmx)
		wantStatus(t, res, http.StatusOK)
		rows := byTestID(res.doc, "history-row")
		if rows.Length() == 0 || rows.First().AttrOr("data-event", "") != "add_device" {
			t.Fatalf("%d rows:\n%s", rows.Length(), res.body)
		}
		if got := text(rows.First().Find("td").Eq(2)); !strings.HasPrefix(got, "Node ") {
			t.Errorf("what %q", got)
		}
		if iso := rows.First().Find("time").AttrOr("datetime", ""); iso == "" {
			t.Error("no machine-readable time")
		}
	})
	t.Run("device fragment", func(t *testing.T) {
		event := map[string]string{"lock": "Lock", "unlock": "Unlock"}[action]
		res := env.get(t, c, "/devices/"+lock.ID+"/history?"+historyQuery(weekAgo, today, event), htmx)
		wantStatus(t, res, http.StatusOK)
		row := byTestID(res.doc, "history-row").First()
		if row.AttrOr("data-event", "") != event || text(row.Find("td").Eq(3)) != "App" {
			t.Errorf("first row %q (%s)", text(row), row.AttrOr("data-event", ""))
		}
	})
	t.Run("page without JavaScript", func(t *testing.T) {
		res := env.get(t, c, "/hubs/"+hub.ID+"?"+historyQuery(weekAgo, today, "add_device"))
		wantStatus(t, res, http.StatusOK)
		one(t, res.doc, "hub-status")
		if byTestID(res.doc, "history-row").Length() == 0 {
			t.Error("the page shows no history rows")
		}
	})
	t.Run("upstream 403", func(t *testing.T) {
		change := time.Now().In(loc).AddDate(0, 0, -3)
		setCompanyChange(t, env.sim, hub.ID, change.Format(time.DateOnly))
		from, to := change.AddDate(0, 0, -7).Format(historyDateLayout), change.AddDate(0, 0, -1).Format(historyDateLayout)
		res := env.get(t, c, "/hubs/"+hub.ID+"/history?"+historyQuery(from, to, "add_device"), htmx)
		wantStatus(t, res, http.StatusForbidden)
		msg := text(one(t, res.doc, "history-refused"))
		if !strings.Contains(msg, "(403)") || !strings.Contains(msg, "before") {
			t.Errorf("refusal %q", msg)
		}
		one(t, res.doc, "history-form") // the form stays, to try another range
	})
}

// TestDeviceHistoryEventsMatchCatalogue keeps the event table in step with the simulator's webhook catalogue.
func TestDeviceHistoryEventsMatchCatalogue(t *testing.T) {
	t.Parallel()
	want := map[string][]string{}
	for _, m := range simulator.Catalogue() {
		for _, dt := range m.DeviceTypes {
			if dt != "hub" {
				want[dt] = append(want[dt], m.Name)
			}
		}
	}
	for dt, names := range want {
		got := slices.Clone(deviceHistoryEvents[dt])
		slices.Sort(got)
		slices.Sort(names)
		if !slices.Equal(got, names) {
			t.Errorf("%s: table %v, catalogue %v", dt, got, names)
		}
	}
	for dt := range deviceHistoryEvents {
		if _, ok := want[dt]; !ok {
			t.Errorf("%s is not a device type of the catalogue", dt)
		}
	}
}
