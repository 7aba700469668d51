package handlers

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// TestScheduleSectionRefresh: the card renders from the mirror, re-reads the upstream once it is old, and keeps
// showing the mirror (with a notice) when the upstream fails.
func TestScheduleSectionRefresh(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()
	dev := deviceOfType(t, env, "switch", 0)
	c := env.signedInClient(t, db.RoleAuditor)
	page := "/devices/" + dev.ID

	sc := upstreamSchedule(t, env, dev, "Porch lights")
	if _, err := env.api.Schedules.Activate(ctx, dev.ID, sc.ID); err != nil {
		t.Fatal(err)
	}
	res := env.get(t, c, page)
	if byTestID(res.doc, "schedule-row").Length() != 0 || one(t, res.doc, "schedules").AttrOr("hx-get", "") != page+"/schedules" {
		t.Fatal("before its first read the card should be empty and ask for a refresh")
	}
	if byTestID(res.doc, "schedule-new").Length() != 0 || byTestID(res.doc, "schedule-activate").Length() != 0 {
		t.Error("an auditor sees schedule buttons")
	}
	res = env.get(t, c, page+"/schedules", htmx)
	wantStatus(t, res, http.StatusOK)
	if got := text(one(t, res.doc, "schedule-active-name")); got != "Porch lights" {
		t.Errorf("refreshed card: active %q", got)
	}
	if byTestID(res.doc, "schedules").AttrOr("hx-trigger", "") != "" {
		t.Error("the refreshed card asks to refresh again (a loop)")
	}

	if err := env.sim.SetFault(simulator.Fault{Route: "GET /api/devices/{id}/schedules", Rate: 1, Status: 500}); err != nil {
		t.Fatal(err)
	}
	res = env.get(t, c, page+"/schedules", htmx)
	wantStatus(t, res, http.StatusOK)
	one(t, res.doc, "schedule-notice")
	if got := text(one(t, res.doc, "schedule-active-name")); got != "Porch lights" {
		t.Errorf("during the outage the card shows %q, want the mirrored schedule", got)
	}
	res = env.get(t, c, page+"/schedules")
	wantStatus(t, res, http.StatusSeeOther)
	if got := res.location(); got != page+"?flash=schedules-unreadable" {
		t.Errorf("plain refresh during the outage goes to %q", got)
	}
	env.sim.ClearFaults()

	if _, err := env.api.Schedules.Delete(ctx, sc.ID); err != nil {
		t.Fatal(err)
	}
	res = env.get(t, c, page+"/schedules", htmx)
	one(t, res.doc, "schedules-empty")
	if _, err := env.store.Schedule(ctx, sc.ID); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("a schedule deleted upstream stays mirrored: %v", err)
	}
}

// TestScheduleNamesAreText: markup that reached the upstream some other way is shown as text, never run.
func TestScheduleNamesAreText(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withProperties(3))
	dev := deviceOfType(t, env, "thermostat", 0)
	const evil = `<script>alert("x")</script>`
	upstreamSchedule(t, env, dev, evil)
	c := env.signedInClient(t, db.RoleStaff)
	res := env.get(t, c, "/devices/"+dev.ID+"/schedules", htmx)
	wantStatus(t, res, http.StatusOK)
	if strings.Contains(res.body, evil) {
		t.Fatal("the schedule name reached the page as markup")
	}
	if got := text(one(t, res.doc, "schedule-row")); !strings.Contains(got, evil) {
		t.Errorf("row text %q does not show the name as text", got)
	}
}
