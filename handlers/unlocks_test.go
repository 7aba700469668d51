package handlers

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

var sixDigits = regexp.MustCompile(`^[0-9]{6}$`)

// lockboxSerial is a lockbox, Blue lock or Smart Bolt serial the simulator knows.
func (e *lcEnv) lockboxSerial(t *testing.T) string {
	t.Helper()
	raw, err := e.sim.State()
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Lockboxes map[string]json.RawMessage `json:"lockboxes"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	for serial := range st.Lockboxes {
		return serial
	}
	t.Fatal("the simulator has no lockbox")
	return ""
}

// TestHubUnlockCode: a one-off code is issued from the hub page, shown once (never cached), audited without the
// code, and never logged; an offline hub refuses; bad input is refused with a message.
func TestHubUnlockCode(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	hubs, _ := env.store.HubsByProperty(t.Context(), lcProperty)
	hub := hubs[0]

	page := env.get(t, c, "/hubs/"+hub.ID)
	if byTestID(page.doc, "unlock-code-form").Length() != 1 {
		t.Fatal("the hub page has no one-off code form")
	}
	res := env.postForm(t, c, "/hubs/"+hub.ID+"/unlock-code", url.Values{"name": {"Agent Smith"}, "phone": {"+1 (512) 555-0100"}}, htmx)
	wantStatus(t, res, http.StatusOK)
	code := text(one(t, res.doc, "unlock-code-value"))
	if !sixDigits.MatchString(code) {
		t.Fatalf("issued code %q", code)
	}
	if !strings.Contains(res.header.Get("Cache-Control"), "no-store") {
		t.Errorf("Cache-Control %q", res.header.Get("Cache-Control"))
	}
	a := env.auditFor(t, "unlock_code.hub")
	if len(a) != 1 || a[0].Outcome != db.OutcomeOK || !strings.Contains(a[0].Detail, "Agent Smith") {
		t.Errorf("audit %+v", a)
	}
	env.noPIN(t, code)
	if again := env.get(t, c, "/hubs/"+hub.ID); strings.Contains(again.body, code) {
		t.Error("the code is shown again on the hub page")
	}

	bad := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"markup in the name", url.Values{"name": {"<b>x</b>"}}, "name"},
		{"oversized name", url.Values{"name": {strings.Repeat("a", 65)}}, "name"},
		{"letters in the phone", url.Values{"phone": {"call me"}}, "phone"},
		{"oversized phone", url.Values{"phone": {strings.Repeat("1", 21)}}, "phone"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			res := env.postForm(t, c, "/hubs/"+hub.ID+"/unlock-code", tt.form, htmx)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if res.doc.Find(`[data-testid=field-error][data-field="`+tt.field+`"]`).Length() != 1 {
				t.Errorf("no message next to %s", tt.field)
			}
			if byTestID(res.doc, "unlock-code-value").Length() != 0 {
				t.Error("a code was issued")
			}
		})
	}
	if n := len(env.auditFor(t, "unlock_code.hub")); n != 1 {
		t.Errorf("%d audit entries, want only the issued code's", n)
	}
	if res := env.postForm(t, c, "/hubs/no-such-hub/unlock-code", url.Values{}); res.status != http.StatusNotFound {
		t.Errorf("unknown hub: %d", res.status)
	}

	if err := env.sim.SetHubOnline(hub.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := env.syncer.SyncNow(t.Context()); err != nil {
		t.Fatal(err)
	}
	res = env.postForm(t, c, "/hubs/"+hub.ID+"/unlock-code", url.Values{}, htmx)
	wantStatus(t, res, http.StatusConflict)
	if byTestID(res.doc, "unlock-code-value").Length() != 0 || byTestID(res.doc, "unlock-code-disabled").Length() != 1 {
		t.Errorf("offline hub:\n%.800s", res.body)
	}
}

// TestLockUnlockCode: a v2 one-off code for a lockbox is issued from a lock page with times in the property's zone;
// bad serials and times are refused with a message.
func TestLockUnlockCode(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	lock := env.locks(t, lcProperty)[0]
	serial := env.lockboxSerial(t)
	path := "/devices/" + lock.ID + "/unlock-code"

	page := env.get(t, c, "/devices/"+lock.ID)
	if byTestID(page.doc, "unlock-serial").Length() != 1 {
		t.Fatal("the lock page has no v2 form")
	}
	res := env.postForm(t, c, path, url.Values{"serial": {serial}, "starts_at": {future(time.Hour)}, "name": {"Buyer"}}, htmx)
	wantStatus(t, res, http.StatusOK)
	code := text(one(t, res.doc, "unlock-code-value"))
	if !sixDigits.MatchString(code) {
		t.Fatalf("code %q", code)
	}
	env.noPIN(t, code)
	if a := env.auditFor(t, "unlock_code.v2"); len(a) != 1 || a[0].Outcome != db.OutcomeOK {
		t.Errorf("audit %+v", a)
	}

	bad := []struct {
		name   string
		form   url.Values
		status int
		field  string
	}{
		{"no serial", url.Values{"starts_at": {future(time.Hour)}}, 422, "serial"},
		{"script in the serial", url.Values{"serial": {"<script>"}, "starts_at": {future(time.Hour)}}, 422, "serial"},
		{"oversized serial", url.Values{"serial": {strings.Repeat("9", 33)}, "starts_at": {future(time.Hour)}}, 422, "serial"},
		{"no start", url.Values{"serial": {serial}}, 422, "starts_at"},
		{"end before start", url.Values{"serial": {serial}, "starts_at": {future(2 * time.Hour)}, "ends_at": {future(time.Hour)}}, 422, "ends_at"},
		{"end in the past", url.Values{"serial": {serial}, "starts_at": {"2020-01-01T10:00"}, "ends_at": {"2020-01-01T11:00"}}, 422, "ends_at"},
		{"unknown serial", url.Values{"serial": {"999999999"}, "starts_at": {future(time.Hour)}}, 422, ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			res := env.postForm(t, c, path, tt.form, htmx)
			wantStatus(t, res, tt.status)
			if tt.field != "" && res.doc.Find(`[data-testid=field-error][data-field="`+tt.field+`"]`).Length() != 1 {
				t.Errorf("no message next to %s", tt.field)
			}
			if byTestID(res.doc, "unlock-code-problem").Length() != 1 || byTestID(res.doc, "unlock-code-value").Length() != 0 {
				t.Errorf("answer:\n%.800s", res.body)
			}
		})
	}
	thermostat := ""
	devs, _ := env.store.DevicesByProperty(t.Context(), lcProperty)
	for _, d := range devs {
		if d.Type == "thermostat" {
			thermostat = d.ID
		}
	}
	if res := env.postForm(t, c, "/devices/"+thermostat+"/unlock-code", url.Values{}); res.status != http.StatusNotFound {
		t.Errorf("one-off code on a thermostat: %d", res.status)
	}
}
