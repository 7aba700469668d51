package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/keyless/dashboard/db"
)

// TestAlertFlapping: seven leak webhooks make one alert with six flaps (one row on the page), a clear resolves it
// automatically, and the next leak opens a second alert.
func TestAlertFlapping(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dev, hub := env.assignedDevice(t, "leakage_sensor")
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	env.deliver(t, deviceEvent(dev, hub, "leak_cleared", `"no"`, "", at)) // whatever the seed left, start dry
	if env.unresolved(t, hub.ID, dev.ID, db.AlertLeak) {
		t.Fatal("a leak alert survived leak_cleared")
	}
	for i := range 7 {
		env.deliver(t, deviceEvent(dev, hub, "leak_detected", `"yes"`, "", at.Add(time.Duration(i+1)*time.Second)))
	}
	first := env.waitAlert(t, hub.ID, dev.ID, db.AlertLeak, isOpen)
	if first.Flaps != 6 {
		t.Errorf("flaps %d after seven leak webhooks, want 6", first.Flaps)
	}
	if first.Severity != db.SeverityCritical || first.PropertyID == nil || *first.PropertyID != *dev.PropertyID {
		t.Errorf("leak alert %+v", first)
	}
	page, err := env.store.ListAlerts(t.Context(), db.AlertFilter{DeviceID: dev.ID, Kind: db.AlertLeak, State: db.AlertUnresolved})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("%d unresolved leak alerts for seven webhooks (%v), want 1", len(page.Items), err)
	}
	staff := env.signedInClient(t, db.RoleStaff)
	res := env.get(t, staff, "/alerts?kind=leak&state=unresolved")
	wantStatus(t, res, http.StatusOK)
	rows := byTestID(res.doc, "alert").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find(`[data-testid="alert-link"]`).AttrOr("href", "") == "/devices/"+dev.ID
	})
	if rows.Length() != 1 || rows.AttrOr("data-alert-id", "") != strconv.FormatInt(first.ID, 10) ||
		rows.Find(`[data-testid="alert-flaps"]`).AttrOr("data-flaps", "") != "6" {
		t.Fatalf("the device's rows: %d, first %q", rows.Length(), rows.First().Text())
	}

	env.deliver(t, deviceEvent(dev, hub, "leak_cleared", `"no"`, "", at.Add(time.Minute)))
	done := env.waitAlert(t, hub.ID, dev.ID, db.AlertLeak, isResolved)
	if done.ID != first.ID || done.ResolvedBy != nil {
		t.Errorf("cleared: %+v, want alert %d resolved automatically", done, first.ID)
	}
	env.deliver(t, deviceEvent(dev, hub, "leak_detected", `"yes"`, "", at.Add(2*time.Minute)))
	second := env.waitAlert(t, hub.ID, dev.ID, db.AlertLeak, isOpen)
	if second.ID == first.ID || second.Flaps != 0 {
		t.Errorf("a leak after the clear: %+v, want a new alert", second)
	}
}

// TestAlertBatteryThresholds: 19% is low under the default 20; a global limit of 15 resolves it; a property
// override of 25 opens it again, for that property only; removing the override resolves it.
func TestAlertBatteryThresholds(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dev, hub := env.assignedDevice(t, "lock")
	admin := env.signedInClient(t, db.RoleAdmin)
	pid := strconv.FormatInt(*dev.PropertyID, 10)
	env.deliver(t, deviceEvent(dev, hub, "low_battery", "19", "", time.Now().UTC()))
	a := env.waitAlert(t, hub.ID, dev.ID, db.AlertLowBattery, isOpen)
	if !strings.Contains(a.Detail, "19% (below 20%)") || a.Severity != db.SeverityWarning {
		t.Errorf("low battery alert %+v", a)
	}
	tests := []struct {
		name string
		path string
		form url.Values
		want bool
	}{
		{"global 15", "/alerts/settings", url.Values{"low_battery": {"15"}}, false},
		{"property override 25", "/alerts/settings", url.Values{"property": {pid}, "form": {"add"}, "low_battery": {"25"}}, true},
		{"override removed", "/alerts/settings/remove", url.Values{"property": {pid}}, false},
		{"global back to the default", "/alerts/settings", url.Values{"low_battery": {""}}, true},
	}
	for _, tt := range tests {
		res := env.postForm(t, admin, tt.path, tt.form)
		wantStatus(t, res, http.StatusSeeOther)
		if got := env.unresolved(t, hub.ID, dev.ID, db.AlertLowBattery); got != tt.want {
			t.Errorf("%s: battery 19%% alert %v, want %v", tt.name, got, tt.want)
		}
	}
	entries, err := env.store.ListAudit(t.Context(), db.AuditFilter{TargetType: "alert_thresholds"})
	if err != nil || len(entries) != len(tests) {
		t.Fatalf("%d threshold audit entries (%v), want %d", len(entries), err, len(tests))
	}
	if e := entries[len(entries)-1]; e.Action != "alert_thresholds.set" || e.Detail != "low_battery=15 offline_grace=- temp_high=- temp_low=-" ||
		e.UserEmail != env.users[db.RoleAdmin].Email {
		t.Errorf("first audit entry %+v", e)
	}
}

// TestAlertThresholdValidation: out-of-range and inconsistent values are refused with the field named, nothing is
// stored, and the refusal is audited.
func TestAlertThresholdValidation(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	admin := env.signedInClient(t, db.RoleAdmin)
	tests := []struct {
		form  url.Values
		field string
	}{
		{url.Values{"low_battery": {"51"}}, "low_battery"},
		{url.Values{"low_battery": {"4"}}, "low_battery"},
		{url.Values{"offline_grace": {"1441"}}, "offline_grace"},
		{url.Values{"temp_high": {"121"}}, "temp_high"},
		{url.Values{"temp_low": {"19"}}, "temp_low"},
		{url.Values{"temp_high": {"65"}, "temp_low": {"70"}}, "temp_low"},
		{url.Values{"temp_low": {"<b>x</b>"}}, "temp_low"},
		{url.Values{"form": {"add"}, "property": {"999999"}, "temp_low": {"50"}}, "property"},
	}
	for _, tt := range tests {
		res := env.postForm(t, admin, "/alerts/settings", tt.form)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if got := byTestID(res.doc, "threshold-error").AttrOr("data-field", ""); got != tt.field {
			t.Errorf("%v: error on %q, want %q", tt.form, got, tt.field)
		}
		if strings.Contains(res.body, "<b>x</b>") {
			t.Error("the typed value came back unescaped")
		}
	}
	rows, err := env.store.ListAlertThresholds(t.Context())
	if err != nil || len(rows) != 0 {
		t.Errorf("stored %v (%v) after refusals", rows, err)
	}
	failed, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: "alert_thresholds.set"})
	if err != nil || len(failed) != len(tests) || failed[0].Outcome != db.OutcomeFailed {
		t.Errorf("%d audit entries (%v), want %d failed", len(failed), err, len(tests))
	}
}

// TestAlertTemperature: a thermostat's temperature_alert opens too hot or too cold against the property's
// limits, a reading back in the band resolves it, and a property override moves the limit.
func TestAlertTemperature(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	dev, hub := env.assignedDevice(t, "thermostat")
	admin := env.signedInClient(t, db.RoleAdmin)
	at := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	tests := []struct {
		name      string
		override  url.Values // set before the reading, if any
		temp      int
		high, low bool
	}{
		{"in band", nil, 70, false, false},
		{"too hot", nil, 95, true, false},
		{"back in band", nil, 72, false, false},
		{"too cold", nil, 40, false, true},
		{"cold resolved", nil, 60, false, false},
		{"override: 85 is too hot above 80", url.Values{"property": {strconv.FormatInt(*dev.PropertyID, 10)}, "form": {"add"},
			"temp_high": {"80"}}, 85, true, false},
	}
	for i, tt := range tests {
		if tt.override != nil {
			env.setThresholds(t, admin, tt.override)
		}
		env.deliver(t, deviceEvent(dev, hub, "temperature_alert", strconv.Itoa(tt.temp), "", at.Add(time.Duration(i)*time.Minute)))
		for kind, want := range map[string]bool{db.AlertTemperatureHigh: tt.high, db.AlertTemperatureLow: tt.low} {
			if want {
				a := env.waitAlert(t, hub.ID, dev.ID, kind, isOpen)
				if !strings.Contains(a.Detail, strconv.Itoa(tt.temp)+" °F") {
					t.Errorf("%s: detail %q", tt.name, a.Detail)
				}
				continue
			}
			if env.unresolved(t, hub.ID, dev.ID, kind) {
				t.Errorf("%s: %s unresolved", tt.name, kind)
			}
		}
	}
}

// TestAlertOfflineGrace: with no grace a hub's offline webhook opens hub_offline at once and its online webhook
// resolves it; with a 10-minute grace the hub is only pending until the clock passes it.
func TestAlertOfflineGrace(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	env := newTestEnv(t, withAlertClock(clock.Now))
	_, hub := env.assignedDevice(t, "lock")
	admin := env.signedInClient(t, db.RoleAdmin)
	at := clock.Now().Truncate(time.Millisecond)

	env.deliver(t, hubEvent(hub, "offline", `"Offline"`, at))
	first := env.waitAlert(t, hub.ID, "", db.AlertHubOffline, isOpen)
	env.deliver(t, hubEvent(hub, "online", `"Online"`, at.Add(time.Second)))
	if done := env.waitAlert(t, hub.ID, "", db.AlertHubOffline, isResolved); done.ID != first.ID {
		t.Fatalf("online resolved %d, want %d", done.ID, first.ID)
	}

	env.setThresholds(t, admin, url.Values{"property": {strconv.FormatInt(*hub.PropertyID, 10)}, "form": {"add"}, "offline_grace": {"10"}})
	env.deliver(t, hubEvent(hub, "offline", `"Offline"`, at.Add(2*time.Second)))
	if p, err := env.store.PendingAlerts(t.Context(), db.AlertHubOffline); err != nil || len(p) != 1 || p[0].HubID != hub.ID {
		t.Fatalf("pending %+v (%v), want the hub", p, err)
	}
	if env.unresolved(t, hub.ID, "", db.AlertHubOffline) {
		t.Fatal("an alert inside the grace period")
	}
	for _, step := range []struct {
		advance time.Duration
		want    bool
	}{{5 * time.Minute, false}, {6 * time.Minute, true}} {
		clock.Advance(step.advance)
		if err := env.alerts.CheckHubs(t.Context()); err != nil {
			t.Fatal(err)
		}
		if got := env.unresolved(t, hub.ID, "", db.AlertHubOffline); got != step.want {
			t.Errorf("after %v more: alert %v, want %v", step.advance, got, step.want)
		}
	}
}

// TestAlertLifecycle: who may acknowledge and resolve (auditors get 403, audited as denied); a note with markup
// is kept as typed and shown escaped; a second acknowledgement is 409; every action is audited.
func TestAlertLifecycle(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()
	dev, hub := env.assignedDevice(t, "lock")
	dev.Name = hostileName
	if err := env.store.UpsertDevice(ctx, dev); err != nil {
		t.Fatal(err)
	}
	a, _, err := env.store.RaiseAlert(ctx, db.AlertRaise{Kind: db.AlertTamper, PropertyID: dev.PropertyID, HubID: hub.ID,
		DeviceID: dev.ID, Detail: "Tampered with"})
	if err != nil {
		t.Fatal(err)
	}
	ack := "/alerts/" + strconv.FormatInt(a.ID, 10) + "/acknowledge"
	resolve := "/alerts/" + strconv.FormatInt(a.ID, 10) + "/resolve"
	note := `<script>alert("note")</script> plumber <b>booked</b>`
	tests := []struct {
		name   string
		role   db.Role
		path   string
		status int
		state  string
	}{
		{"auditor may not acknowledge", db.RoleAuditor, ack, http.StatusForbidden, db.AlertOpen},
		{"staff acknowledges", db.RoleStaff, ack, http.StatusOK, db.AlertAcknowledged},
		{"installer cannot acknowledge twice", db.RoleInstaller, ack, http.StatusConflict, db.AlertAcknowledged},
		{"auditor may not resolve", db.RoleAuditor, resolve, http.StatusForbidden, db.AlertAcknowledged},
		{"installer resolves", db.RoleInstaller, resolve, http.StatusOK, db.AlertResolved},
		{"admin cannot resolve twice", db.RoleAdmin, resolve, http.StatusConflict, db.AlertResolved},
	}
	for _, tt := range tests {
		res := env.postForm(t, env.signedInClient(t, tt.role), tt.path, url.Values{"note": {note}}, htmx)
		if res.status != tt.status {
			t.Fatalf("%s: status %d, want %d\n%s", tt.name, res.status, tt.status, res.body)
		}
		got, err := env.store.Alert(ctx, a.ID)
		if err != nil || got.State != tt.state {
			t.Fatalf("%s: state %q (%v), want %q", tt.name, got.State, err, tt.state)
		}
		if tt.status == http.StatusOK {
			row := one(t, parseRow(t, res.body), "alert")
			if row.AttrOr("data-state", "") != tt.state || strings.Contains(res.body, "<script>") {
				t.Errorf("%s: answered row %s", tt.name, res.body)
			}
		}
	}
	got, _ := env.store.Alert(ctx, a.ID)
	if got.AckNote != note || *got.AcknowledgedBy != env.users[db.RoleStaff].ID || *got.ResolvedBy != env.users[db.RoleInstaller].ID {
		t.Errorf("alert after the actions %+v", got)
	}
	for _, path := range []string{"/alerts", "/devices/" + dev.ID, "/properties/" + strconv.FormatInt(*dev.PropertyID, 10), "/hubs/" + hub.ID} {
		res := env.get(t, env.signedInClient(t, db.RoleAuditor), path)
		wantStatus(t, res, http.StatusOK)
		row := res.doc.Find(`[data-testid="alert"][data-alert-id="` + strconv.FormatInt(a.ID, 10) + `"]`)
		if row.Length() != 1 {
			t.Fatalf("%s: alert %d not shown", path, a.ID)
		}
		if text(row.Find(`[data-testid="alert-ack-note"]`)) != note || text(row.Find(`[data-testid="alert-link"]`)) != hostileName {
			t.Errorf("%s: note %q, device %q", path, text(row.Find(`[data-testid="alert-ack-note"]`)), text(row.Find(`[data-testid="alert-link"]`)))
		}
		if strings.Contains(res.body, "<script>alert") || row.Find("b, img").Length() != 0 {
			t.Errorf("%s: hostile text reached the page as markup", path)
		}
		if row.Find(`[data-testid="alert-actions"]`).Length() != 0 {
			t.Errorf("%s: an auditor is offered actions on a resolved alert", path)
		}
	}
	entries, err := env.store.ListAudit(ctx, db.AuditFilter{TargetType: "alert", TargetID: strconv.FormatInt(a.ID, 10)})
	if err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for _, e := range entries {
		outcomes[e.Action+" "+e.Outcome]++
	}
	want := map[string]int{"alert.acknowledge denied": 1, "alert.acknowledge ok": 1, "alert.acknowledge failed": 1,
		"alert.resolve denied": 1, "alert.resolve ok": 1, "alert.resolve failed": 1}
	for k, n := range want {
		if outcomes[k] != n {
			t.Errorf("audit %v, want %v", outcomes, want)
			break
		}
	}
}

// hostileName is a device name with markup, as an upstream could send it.
const hostileName = `<img src=x onerror=alert(1)><script>alert(2)</script>Front & "Back"`
