package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// upstreamNames reads a device's names from the simulator through the client.
func upstreamNames(t *testing.T, env *testEnv, id string) (name, occupant string) {
	t.Helper()
	d, _, err := env.api.Devices.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d.DeviceName, d.OccupantSetting
}

// TestDeviceRename: an admin renames a device; the upstream, then the mirror take the trimmed names, one audit row
// says what changed, and markup in a name is stored as typed and shown escaped.
func TestDeviceRename(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withProperties(3))
	dev := deviceOfType(t, env, "lock", 0)
	admin := env.signedInClient(t, db.RoleAdmin)
	page := env.get(t, admin, "/devices/"+dev.ID)
	if got := one(t, page.doc, "device-edit-name").AttrOr("value", ""); got != dev.Name {
		t.Errorf("the card starts at %q, want %q", got, dev.Name)
	}

	hostile := `Front <script>alert("x")</script> & <b>Door</b>`
	res := env.postForm(t, admin, "/devices/"+dev.ID+"/edit", url.Values{"device_name": {"  " + hostile + " "},
		"occupant_setting": {" Main entrance "}})
	wantStatus(t, res, http.StatusSeeOther)
	if got := res.location(); got != "/devices/"+dev.ID+"?flash=device-renamed" {
		t.Errorf("Location %q", got)
	}
	if name, occ := upstreamNames(t, env, dev.ID); name != hostile || occ != "Main entrance" {
		t.Errorf("upstream has %q / %q", name, occ)
	}
	mirrored, err := env.store.Device(t.Context(), dev.ID)
	if err != nil || mirrored.Name != hostile || mirrored.OccupantSetting != "Main entrance" {
		t.Errorf("mirror has %q / %q (%v)", mirrored.Name, mirrored.OccupantSetting, err)
	}
	es := auditOf(t, env, "device.update")
	if len(es) != 1 || es[0].Outcome != db.OutcomeOK || es[0].TargetID != dev.ID || !strings.Contains(es[0].Detail, "Main entrance") {
		t.Fatalf("audit %+v", es)
	}
	page = env.get(t, admin, "/devices/"+dev.ID+"?flash=device-renamed")
	if got := text(one(t, page.doc, "page-title")); got != hostile {
		t.Errorf("title %q, want the name as typed", got)
	}
	if strings.Contains(page.body, "<script>alert") || strings.Contains(page.body, "<b>Door") {
		t.Error("the name is rendered as markup")
	}
	if a := env.get(t, env.signedInClient(t, db.RoleAuditor), "/audit?action=device.update"); strings.Contains(a.body, "<script>alert") {
		t.Error("the audit page renders the name as markup")
	}

	t.Run("nothing changed sends nothing", func(t *testing.T) {
		sent := env.upstream.n.Load()
		res := env.postForm(t, admin, "/devices/"+dev.ID+"/edit", url.Values{"device_name": {hostile}, "occupant_setting": {"Main entrance"}})
		wantStatus(t, res, http.StatusSeeOther)
		if env.upstream.n.Load() != sent || len(auditOf(t, env, "device.update")) != 1 {
			t.Error("an unchanged form was sent or audited")
		}
	})
}

// TestDeviceRenameRefused: bad input is refused before anything is sent; roles without EditPortfolio get 403,
// audited as denied; an upstream failure is shown, audited as failed, and leaves the mirror as it was.
func TestDeviceRenameRefused(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withProperties(3))
	dev := deviceOfType(t, env, "thermostat", 0)
	admin := env.signedInClient(t, db.RoleAdmin)
	path := "/devices/" + dev.ID + "/edit"
	unchanged := func(t *testing.T) {
		t.Helper()
		if name, occ := upstreamNames(t, env, dev.ID); name != dev.Name || occ != dev.OccupantSetting {
			t.Errorf("upstream changed to %q / %q", name, occ)
		}
		if m, _ := env.store.Device(t.Context(), dev.ID); m.Name != dev.Name || m.OccupantSetting != dev.OccupantSetting {
			t.Errorf("mirror changed to %q / %q", m.Name, m.OccupantSetting)
		}
	}
	bad := []struct {
		name, device, occupant, want string
	}{
		{"empty name", "", "Hall", "Device name is required"},
		{"blank name", "   \t ", "Hall", "Device name is required"},
		{"empty occupant setting", "Hall", "", "Occupant setting is required"},
		{"101 characters", strings.Repeat("é", 101), "Hall", "at most 100 characters"},
		{"two lines", "Hall\nway", "Hall", "single line"},
		{"not text", "Hall\xff", "Hall", "not text"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			sent := env.upstream.n.Load()
			res := env.postForm(t, admin, path, url.Values{"device_name": {tt.device}, "occupant_setting": {tt.occupant}})
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if got := text(one(t, res.doc, "device-edit-errors")); !strings.Contains(got, tt.want) {
				t.Errorf("errors %q, want %q", got, tt.want)
			}
			if env.upstream.n.Load() != sent {
				t.Error("a refused form reached the upstream")
			}
			unchanged(t)
		})
	}
	t.Run("100 characters are enough", func(t *testing.T) {
		long := strings.Repeat("é", 100)
		wantStatus(t, env.postForm(t, admin, path, url.Values{"device_name": {long}, "occupant_setting": {dev.OccupantSetting}}), http.StatusSeeOther)
		if name, _ := upstreamNames(t, env, dev.ID); name != long {
			t.Errorf("upstream name %q", name)
		}
		wantStatus(t, env.postForm(t, admin, path, url.Values{"device_name": {dev.Name}, "occupant_setting": {dev.OccupantSetting}}), http.StatusSeeOther)
	})
	for _, role := range []db.Role{db.RoleStaff, db.RoleInstaller, db.RoleAuditor} {
		t.Run(string(role), func(t *testing.T) {
			c := env.signedInClient(t, role)
			if byTestID(env.get(t, c, "/devices/"+dev.ID).doc, "device-edit").Length() != 0 {
				t.Error("the rename card is shown")
			}
			wantStatus(t, env.get(t, c, path), http.StatusForbidden)
			wantStatus(t, env.postForm(t, c, path, url.Values{"device_name": {"Taken over"}, "occupant_setting": {"x"}}), http.StatusForbidden)
			unchanged(t)
		})
	}
	denied := 0
	for _, e := range auditOf(t, env, "device.update") {
		if e.Outcome == db.OutcomeDenied && e.TargetID == dev.ID {
			denied++
		}
	}
	if denied != 3 {
		t.Errorf("%d denied device.update rows, want 3 (one per refused role)", denied)
	}

	t.Run("upstream failure", func(t *testing.T) {
		if err := env.sim.SetFault(simulator.Fault{Route: "PUT /api/devices/{id}", Rate: 1, Status: 500}); err != nil {
			t.Fatal(err)
		}
		defer env.sim.ClearFaults()
		res := env.postForm(t, admin, path, url.Values{"device_name": {"Renamed"}, "occupant_setting": {"Renamed"}})
		wantStatus(t, res, http.StatusBadGateway)
		if msg := text(one(t, res.doc, "form-error")); !strings.Contains(msg, "try again") {
			t.Errorf("error %q", msg)
		}
		if got := one(t, res.doc, "device-edit-name").AttrOr("value", ""); got != "Renamed" {
			t.Errorf("the form lost what was typed: %q", got)
		}
		if m, _ := env.store.Device(t.Context(), dev.ID); m.Name != dev.Name {
			t.Errorf("mirror changed to %q", m.Name)
		}
		failed := 0
		for _, e := range auditOf(t, env, "device.update") {
			failed += map[bool]int{true: 1}[e.Outcome == db.OutcomeFailed]
		}
		if failed != 1 {
			t.Errorf("%d failed device.update rows, want 1", failed)
		}
	})
	wantStatus(t, env.postForm(t, admin, "/devices/no-such-device/edit", url.Values{"device_name": {"x"}, "occupant_setting": {"x"}}), http.StatusNotFound)
}
