package handlers

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
)

// editRouteCases are the schedule and portfolio-edit routes with what each role gets, in routeCase form (roles_test.go).
// Their forms change nothing even for a role that may post them (empty forms, unknown schedule ids), so the
// cases can run in parallel on one env.
func editRouteCases(t *testing.T, env *testEnv) []routeCase {
	t.Helper()
	ids := mirrorIDs(t, env)
	thermo := "/devices/" + deviceOfType(t, env, "thermostat", 0).ID
	sched := []db.Role{db.RoleAdmin, db.RoleStaff}
	admins := []db.Role{db.RoleAdmin}
	none := url.Values{}
	return []routeCase{
		{pattern: "GET /devices/{id}/schedules", method: "GET", path: thermo + "/schedules", status: 303, allowed: roles},
		{pattern: "GET /devices/{id}/schedules/new", method: "GET", path: thermo + "/schedules/new", status: 200, allowed: sched},
		{pattern: "POST /devices/{id}/schedules", method: "POST", path: thermo + "/schedules", form: none, status: 422, allowed: sched},
		{pattern: "POST /devices/{id}/schedules/form", method: "POST", path: thermo + "/schedules/form", form: url.Values{"op": {"add"}}, status: 200, allowed: sched},
		{pattern: "GET /devices/{id}/schedules/{sid}/edit", method: "GET", path: thermo + "/schedules/nope/edit", status: 404, allowed: sched},
		{pattern: "POST /devices/{id}/schedules/{sid}/edit", method: "POST", path: thermo + "/schedules/nope/edit", form: none, status: 404, allowed: sched},
		{pattern: "POST /devices/{id}/schedules/{sid}/activate", method: "POST", path: thermo + "/schedules/nope/activate", form: none, status: 404, allowed: sched},
		{pattern: "GET /devices/{id}/schedules/{sid}/delete", method: "GET", path: thermo + "/schedules/nope/delete", status: 404, allowed: sched},
		{pattern: "POST /devices/{id}/schedules/{sid}/delete", method: "POST", path: thermo + "/schedules/nope/delete", form: none, status: 404, allowed: sched},
		{pattern: "GET /properties/new", method: "GET", path: "/properties/new", status: 200, allowed: admins},
		{pattern: "POST /properties/new", method: "POST", path: "/properties/new", form: none, status: 422, allowed: admins},
		{pattern: "GET /properties/{id}/edit", method: "GET", path: "/properties/" + ids.property + "/edit", status: 200, allowed: admins},
		{pattern: "POST /properties/{id}/edit", method: "POST", path: "/properties/" + ids.property + "/edit", form: none, status: 422, allowed: admins},
		{pattern: "GET /properties/{id}/delete", method: "GET", path: "/properties/" + ids.property + "/delete", status: 200, allowed: admins},
		{pattern: "POST /properties/{id}/delete", method: "POST", path: "/properties/" + ids.property + "/delete", form: none, status: 422, allowed: admins},
		{pattern: "GET /hubs/{id}/edit", method: "GET", path: "/hubs/" + ids.hub + "/edit", status: 200, allowed: admins},
		{pattern: "POST /hubs/{id}/edit", method: "POST", path: "/hubs/" + ids.hub + "/edit", form: none, status: 422, allowed: admins},
		{pattern: "POST /devices/{id}/assign", method: "POST", path: "/devices/" + ids.device + "/assign", form: none, status: 422, allowed: admins},
	}
}

// TestEditRoutesByRole: schedules are for admins and leasing staff, portfolio edits for admins; everyone else gets
// a 403 that names their role, and signed-out visitors the login page.
func TestEditRoutesByRole(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withProperties(3))
	clients := map[db.Role]*http.Client{}
	for _, r := range roles {
		clients[r] = env.signedInClient(t, r)
	}
	registered := registeredRoutes(t)
	for _, rc := range editRouteCases(t, env) {
		if !slices.Contains(registered, rc.pattern) {
			t.Errorf("%q is not registered in routes.go", rc.pattern)
		}
		t.Run(rc.pattern+"/signed-out", func(t *testing.T) {
			wantSignedOut(t, env.do(t, env.client(t), rc.method, rc.path, rc.form, env.sameOrigin()))
		})
		for _, role := range roles {
			t.Run(rc.pattern+"/"+string(role), func(t *testing.T) {
				res := env.do(t, clients[role], rc.method, rc.path, rc.form, env.sameOrigin())
				if !slices.Contains(rc.allowed, role) {
					wantStatus(t, res, http.StatusForbidden)
					if msg := text(one(t, res.doc, "error-message")); !strings.Contains(msg, string(role)) {
						t.Errorf("403 message %q does not name the role", msg)
					}
					return
				}
				wantStatus(t, res, rc.status)
			})
		}
	}
}

// TestEditButtonsByRole: only the people who may use a button see it.
func TestEditButtonsByRole(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withProperties(3))
	ids := mirrorIDs(t, env)
	dev := deviceOfType(t, env, "thermostat", 0)
	sc := upstreamSchedule(t, env, dev, "Winter")
	admin := env.signedInClient(t, db.RoleAdmin)
	wantStatus(t, env.get(t, admin, "/devices/"+dev.ID+"/schedules", htmx), http.StatusOK) // mirror the schedule
	pages := []struct {
		path    string
		buttons map[string][]db.Role
	}{
		{"/properties", map[string][]db.Role{"property-new": {db.RoleAdmin}}},
		{"/properties/" + ids.property, map[string][]db.Role{"property-edit": {db.RoleAdmin}, "property-delete": {db.RoleAdmin}}},
		{"/hubs/" + ids.hub, map[string][]db.Role{"hub-edit": {db.RoleAdmin}}},
		{"/devices/" + dev.ID, map[string][]db.Role{"device-assign": {db.RoleAdmin}, "schedule-new": {db.RoleAdmin, db.RoleStaff},
			"schedule-activate": {db.RoleAdmin, db.RoleStaff}, "schedule-edit": {db.RoleAdmin, db.RoleStaff},
			"schedule-delete": {db.RoleAdmin, db.RoleStaff}, "schedule-row": roles}},
	}
	clients := map[db.Role]*http.Client{}
	for _, role := range roles {
		c := env.signedInClient(t, role)
		clients[role] = c
		for _, p := range pages {
			res := env.get(t, c, p.path)
			wantStatus(t, res, http.StatusOK)
			for id, who := range p.buttons {
				if got, want := byTestID(res.doc, id).Length() > 0, slices.Contains(who, role); got != want {
					t.Errorf("%s on %s: shown %v, want %v", role, p.path, got, want)
				}
			}
		}
	}
	// The buttons' absence is backed by the route: those without the right get 403 and nothing changes.
	for _, role := range []db.Role{db.RoleInstaller, db.RoleAuditor} {
		wantStatus(t, env.postForm(t, clients[role], "/devices/"+dev.ID+"/schedules/"+sc.ID+"/activate", url.Values{}), http.StatusForbidden)
	}
	if _, active := upstreamDeviceSchedules(t, env, dev.ID); active != "" {
		t.Errorf("a refused activation made %q active", active)
	}
	wantStatus(t, env.postForm(t, clients[db.RoleStaff], "/devices/"+dev.ID+"/schedules/"+sc.ID+"/activate", url.Values{}), http.StatusSeeOther)
	if _, active := upstreamDeviceSchedules(t, env, dev.ID); active != sc.ID {
		t.Errorf("active %q after staff activated %q", active, sc.ID)
	}
}
