package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
)

// TestDeviceCommandValidation: a bad command gets 422 and the reason in the form, and nothing is recorded or sent.
func TestDeviceCommandValidation(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	thermostat, _ := env.findDevice(t, "thermostat", nil)
	heat, cool := currentSetpoints(thermostat)
	if heat == nil || cool == nil {
		t.Fatalf("thermostat %s reports no setpoints: %s", thermostat.ID, thermostat.State)
	}
	tooHighHeat := *cool - 2 // alone, it breaks the gap with the current cooling setpoint
	tests := []struct {
		name, deviceType string
		form             url.Values
		field, msg       string
	}{
		{"lock: no action", "lock", url.Values{}, "action", "Choose one of: Lock, Unlock"},
		{"lock: switch action", "lock", url.Values{"action": {"on"}}, "action", "Choose one of"},
		{"lock: script as action", "lock", url.Values{"action": {"<script>alert(1)</script>"}}, "action", "Choose one of"},
		{"switch: lock action", "switch", url.Values{"action": {"lock"}}, "action", "Turn on, Turn off"},
		{"dimmer: no level", "dimmable_switch", url.Values{"action": {"level"}}, "level", "Level is required"},
		{"dimmer: 101", "dimmable_switch", url.Values{"action": {"level"}, "level": {"101"}}, "level", "from 0 to 100"},
		{"dimmer: -1", "dimmable_switch", url.Values{"action": {"level"}, "level": {"-1"}}, "level", "from 0 to 100"},
		{"dimmer: fraction", "dimmable_switch", url.Values{"action": {"level"}, "level": {"50.5"}}, "level", "whole number"},
		{"dimmer: huge", "dimmable_switch", url.Values{"action": {"level"}, "level": {strings.Repeat("9", 40)}}, "level", "whole number"},
		{"thermostat: nothing", "thermostat", url.Values{"action": {"thermostat"}}, "mode", "Change at least one setting"},
		{"thermostat: mode", "thermostat", url.Values{"action": {"thermostat"}, "mode": {"dry"}}, "mode", "off, heat, cool, auto"},
		{"thermostat: fan", "thermostat", url.Values{"action": {"thermostat"}, "fan": {"max"}}, "fan", "auto, on"},
		{"thermostat: 49", "thermostat", url.Values{"action": {"thermostat"}, "heating_setpoint": {"49"}}, "heating_setpoint", "50 to 90"},
		{"thermostat: 91", "thermostat", url.Values{"action": {"thermostat"}, "cooling_setpoint": {"91"}}, "cooling_setpoint", "50 to 90"},
		{"thermostat: gap", "thermostat", url.Values{"action": {"thermostat"}, "heating_setpoint": {"70"}, "cooling_setpoint": {"72"}},
			"heating_setpoint", "at least 3 °F below the cooling setpoint (72 °F)"},
		{"thermostat: gap with the current cooling", "thermostat",
			url.Values{"action": {"thermostat"}, "heating_setpoint": {strconv.Itoa(tooHighHeat)}}, "heating_setpoint", "at least 3 °F below"},
		{"sensor: no commands", "leakage_sensor", url.Values{"action": {"on"}}, "action", "does not accept commands"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dev, _ := env.findDevice(t, tt.deviceType, nil)
			before := env.upstream.n.Load()
			res := env.postForm(t, c, "/devices/"+dev.ID+"/commands", tt.form, htmx)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			msg := one(t, res.doc, "command-error")
			if !strings.Contains(text(msg), tt.msg) || msg.AttrOr("data-field", "") != tt.field {
				t.Errorf("error %q on %q, want %q on %q", text(msg), msg.AttrOr("data-field", ""), tt.msg, tt.field)
			}
			if strings.Contains(res.body, "<script>") {
				t.Error("the posted value came back unescaped")
			}
			if cs, _ := env.store.DeviceCommands(t.Context(), dev.ID, 5); len(cs) != 0 {
				t.Errorf("%d command records written", len(cs))
			}
			if env.upstream.n.Load() != before {
				t.Error("the upstream was called")
			}
		})
	}
	t.Run("unknown device", func(t *testing.T) {
		res := env.postForm(t, c, "/devices/no-such-device/commands", url.Values{"action": {"lock"}})
		wantStatus(t, res, http.StatusNotFound)
	})
	t.Run("cross-site post refused", func(t *testing.T) {
		dev, _ := env.findDevice(t, "lock", nil)
		res := env.do(t, c, http.MethodPost, "/devices/"+dev.ID+"/commands", url.Values{"action": {"unlock"}},
			http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}})
		wantStatus(t, res, http.StatusForbidden)
		if cs, _ := env.store.DeviceCommands(t.Context(), dev.ID, 5); len(cs) != 0 {
			t.Errorf("a cross-site post wrote %d records", len(cs))
		}
	})
	t.Run("plain form post gets the whole page", func(t *testing.T) {
		dev, _ := env.findDevice(t, "lock", nil)
		res := env.postForm(t, c, "/devices/"+dev.ID+"/commands", url.Values{"action": {"open"}})
		wantStatus(t, res, http.StatusUnprocessableEntity)
		one(t, res.doc, "device-state")
		one(t, res.doc, "command-error")
	})
}

// TestHubCommandValidation: hub commands are one of CONTRACT.md's, and remove_device needs a node id.
func TestHubCommandValidation(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t)
	c := env.signedInClient(t, db.RoleInstaller)
	_, hub := env.findDevice(t, "lock", nil)
	tests := []struct {
		name       string
		form       url.Values
		field, msg string
	}{
		{"no action", url.Values{}, "action", "Choose one of: Refresh, Reboot"},
		{"unknown", url.Values{"action": {"factory_reset"}}, "action", "Choose one of"},
		{"remove without node", url.Values{"action": {"remove_device"}}, "node_id", "Node id must be"},
		{"remove node 0", url.Values{"action": {"remove_device"}, "node_id": {"0"}}, "node_id", "1 to 232"},
		{"remove node 233", url.Values{"action": {"remove_device"}, "node_id": {"233"}}, "node_id", "1 to 232"},
		{"remove node text", url.Values{"action": {"remove_device"}, "node_id": {"7; DROP"}}, "node_id", "whole number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := env.upstream.n.Load()
			res := env.postForm(t, c, "/hubs/"+hub.ID+"/commands", tt.form, htmx)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			msg := one(t, res.doc, "command-error")
			if !strings.Contains(text(msg), tt.msg) || msg.AttrOr("data-field", "") != tt.field {
				t.Errorf("error %q on %q, want %q on %q", text(msg), msg.AttrOr("data-field", ""), tt.msg, tt.field)
			}
			if cs, _ := env.store.HubCommands(t.Context(), hub.ID, 5); len(cs) != 0 {
				t.Errorf("%d command records written", len(cs))
			}
			if env.upstream.n.Load() != before {
				t.Error("the upstream was called")
			}
		})
	}
}

// TestCommandControlsByRole: operators see the controls, auditors only the records; only installers see the
// master-code reset; every role reaches the pages.
func TestCommandControlsByRole(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t)
	dev, hub := env.findDevice(t, "lock", nil)
	for _, role := range roles {
		t.Run(string(role), func(t *testing.T) {
			t.Parallel()
			c := env.signedInClient(t, role)
			page := env.get(t, c, "/devices/"+dev.ID)
			wantStatus(t, page, http.StatusOK)
			one(t, page.doc, "commands")
			one(t, page.doc, "command-list")
			operates := role != db.RoleAuditor
			if got := byTestID(page.doc, "lock-controls").Length() == 1; got != operates {
				t.Errorf("lock controls shown %v, want %v", got, operates)
			}
			hubPage := env.get(t, c, "/hubs/"+hub.ID)
			wantStatus(t, hubPage, http.StatusOK)
			if got := byTestID(hubPage.doc, "hub-controls").Length() == 1; got != operates {
				t.Errorf("hub controls shown %v, want %v", got, operates)
			}
			if got := byTestID(hubPage.doc, "master-reset").Length() == 1; got != (role == db.RoleInstaller) {
				t.Errorf("master reset shown %v for %s", got, role)
			}
			one(t, hubPage.doc, "mqtt")
			one(t, hubPage.doc, "history")
		})
	}
}

// TestCommandRoutesRoles: who may use each route of this feature (signed out → login; others 403, audited for the
// hardware actions).
func TestCommandRoutesRoles(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t)
	dev, hub := env.findDevice(t, "lock", nil)
	operators := []db.Role{db.RoleAdmin, db.RoleStaff, db.RoleInstaller}
	auditors := []db.Role{db.RoleAdmin, db.RoleAuditor}
	tests := []struct {
		method, path string
		form         url.Values
		allowed      []db.Role
		status       int // what an allowed role gets
		audited      string
	}{
		{"POST", "/devices/" + dev.ID + "/commands", url.Values{}, operators, 422, "device.command"},
		{"GET", "/devices/" + dev.ID + "/commands", nil, roles, 200, ""},
		{"GET", "/devices/" + dev.ID + "/history", nil, roles, 200, ""},
		{"POST", "/hubs/" + hub.ID + "/commands", url.Values{}, operators, 422, "hub.command"},
		{"GET", "/hubs/" + hub.ID + "/commands", nil, roles, 200, ""},
		{"GET", "/hubs/" + hub.ID + "/history", nil, roles, 200, ""},
		{"GET", "/hubs/" + hub.ID + "/mqtt", nil, roles, 200, ""},
		{"POST", "/hubs/" + hub.ID + "/master-code", url.Values{}, []db.Role{db.RoleInstaller}, 422, "hub.master_code_reset"},
		{"GET", "/audit", nil, auditors, 200, ""},
		{"GET", "/audit/export?format=csv", nil, auditors, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path+"/signed-out", func(t *testing.T) {
			res := env.do(t, env.client(t), tt.method, tt.path, tt.form, env.sameOrigin())
			wantSignedOut(t, res)
		})
		for _, role := range roles {
			t.Run(tt.method+" "+tt.path+"/"+string(role), func(t *testing.T) {
				c := env.signedInClient(t, role)
				res := env.do(t, c, tt.method, tt.path, tt.form, env.sameOrigin())
				allowed := false
				for _, r := range tt.allowed {
					allowed = allowed || r == role
				}
				if allowed {
					wantStatus(t, res, tt.status)
					return
				}
				wantStatus(t, res, http.StatusForbidden)
				if msg := text(one(t, res.doc, "error-message")); !strings.Contains(msg, string(role)) {
					t.Errorf("403 message %q does not name the role", msg)
				}
				if tt.audited == "" {
					return
				}
				found := false
				for _, e := range env.auditEntries(t, tt.audited) {
					found = found || (e.UserEmail == env.users[role].Email && e.Outcome == db.OutcomeDenied)
				}
				if !found {
					t.Errorf("the refused %s by %s was not audited as denied", tt.audited, role)
				}
			})
		}
	}
}
