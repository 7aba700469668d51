package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// TestPortfolioUpstreamFailures: an upstream failure is shown with what to do, and leaves the mirror as it was.
func TestPortfolioUpstreamFailures(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withProperties(3))
	ctx := t.Context()
	c := env.signedInClient(t, db.RoleAdmin)
	ids := mirrorIDs(t, env)
	fault := func(route string, status int) {
		t.Helper()
		env.sim.ClearFaults()
		if err := env.sim.SetFault(simulator.Fault{Route: route, Rate: 1, Status: status}); err != nil {
			t.Fatal(err)
		}
	}
	defer env.sim.ClearFaults()

	fault("GET /api/lock_codes", 500)
	res := env.get(t, c, "/properties/"+ids.property+"/delete")
	wantStatus(t, res, http.StatusBadGateway)
	one(t, res.doc, "property-delete-error")
	if byTestID(res.doc, "property-delete-submit").Length() != 0 {
		t.Error("a delete is offered although what goes with it is unknown")
	}
	res = env.postForm(t, c, "/properties/"+ids.property+"/delete", url.Values{"confirm": {"yes"}})
	wantStatus(t, res, http.StatusBadGateway)
	if _, err := env.store.Property(ctx, editMustInt(t, ids.property)); err != nil {
		t.Errorf("property gone after a refused delete: %v", err)
	}

	before, _ := env.store.Hub(ctx, ids.hub)
	fault("PUT /api/hubs/{id}", 500)
	res = env.postForm(t, c, "/hubs/"+ids.hub+"/edit", url.Values{"home_name": {"Renamed"}, "time_zone": {"America/Denver"}})
	wantStatus(t, res, http.StatusBadGateway)
	if msg := text(one(t, res.doc, "form-error")); !strings.Contains(msg, "try again") {
		t.Errorf("hub error %q", msg)
	}
	if after, _ := env.store.Hub(ctx, ids.hub); after.HomeName != before.HomeName || after.TimeZone != before.TimeZone {
		t.Error("a refused hub edit was mirrored")
	}
	if es := auditOf(t, env, "hub.update"); len(es) != 1 || es[0].Outcome != "failed" {
		t.Errorf("refused hub edit audit: %+v", es)
	}

	fault("GET /api/hubs/{id}", 500)
	res = env.get(t, c, "/hubs/"+ids.hub+"/edit")
	wantStatus(t, res, http.StatusOK)
	one(t, res.doc, "hub-form-notice")

	fault("POST /api/properties", 503)
	res = env.postForm(t, c, "/properties/new", propertyForm("Elm 2", "2 Elm St", "Austin", "TX", "78701", "America/Chicago"))
	wantStatus(t, res, http.StatusBadGateway)
	if got := one(t, res.doc, "property-name").AttrOr("value", ""); got != "Elm 2" {
		t.Errorf("refused create lost the form: name %q", got)
	}
}
