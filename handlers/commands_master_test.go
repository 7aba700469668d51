package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// upstreamMasterCode reads a hub's master code from the simulator, as the installer agent sees it.
func upstreamMasterCode(t *testing.T, env *cmdEnv, hubID string) string {
	t.Helper()
	for page := 1; page < 10; page++ {
		hubs, _, err := env.api.Hubs.List(t.Context(), &smarthome.ListOptions{Page: page, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hubs {
			if h.ID == hubID {
				return h.MasterCode.Reveal()
			}
		}
		if len(hubs) < 100 {
			break
		}
	}
	t.Fatalf("hub %s not listed upstream", hubID)
	return ""
}

// TestMasterCodeReset: only installers may reset, here and upstream; the new code is shown once to them and goes
// nowhere else; every attempt is audited.
func TestMasterCodeReset(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t)
	_, hub := env.findDevice(t, "lock", nil)
	path := "/hubs/" + hub.ID + "/master-code"
	confirm := url.Values{"confirm": {"yes"}}
	for _, role := range []db.Role{db.RoleAdmin, db.RoleStaff, db.RoleAuditor} {
		t.Run(string(role)+" refused", func(t *testing.T) {
			before := upstreamMasterCode(t, env, hub.ID)
			c := env.signedInClient(t, role)
			res := env.postForm(t, c, path, confirm)
			wantStatus(t, res, http.StatusForbidden)
			if got := upstreamMasterCode(t, env, hub.ID); got != before {
				t.Error("the master code changed")
			}
			htmxRes := env.postForm(t, c, path, confirm, htmx)
			wantStatus(t, htmxRes, http.StatusForbidden)
			one(t, htmxRes.doc, "flash")
		})
	}
	denied := 0
	for _, e := range env.auditEntries(t, "hub.master_code_reset") {
		if e.Outcome == db.OutcomeDenied && e.TargetID == hub.ID {
			denied++
		}
	}
	if denied != 6 {
		t.Errorf("%d denied attempts audited, want 6", denied)
	}
	if cs, _ := env.store.HubCommands(t.Context(), hub.ID, 10); len(cs) != 0 {
		t.Errorf("refused resets wrote %d records", len(cs))
	}

	installer := env.signedInClient(t, db.RoleInstaller)
	t.Run("installer must confirm", func(t *testing.T) {
		res := env.postForm(t, installer, path, url.Values{}, htmx)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		if got := one(t, res.doc, "command-error").AttrOr("data-field", ""); got != "confirm" {
			t.Errorf("error on %q", got)
		}
	})
	t.Run("installer resets", func(t *testing.T) {
		old := upstreamMasterCode(t, env, hub.ID)
		events := sseEvents(env.stream(t, installer, "/events?hub="+hub.ID))
		res := env.postForm(t, installer, path, confirm, htmx)
		wantStatus(t, res, http.StatusOK)
		code := text(one(t, res.doc, "master-code"))
		if code == "" || code == old || code != upstreamMasterCode(t, env, hub.ID) {
			t.Fatalf("shown code %q, old %q, upstream now %q", code, old, upstreamMasterCode(t, env, hub.ID))
		}
		if got := res.header.Get("Cache-Control"); got != "no-store" {
			t.Errorf("Cache-Control %q", got)
		}
		rec := env.lastCommand(t, hub.ID, "")
		if rec.Action != commands.ActReset || rec.Status != db.CommandSucceeded || strings.Contains(rec.Command+rec.Result, code) {
			t.Errorf("record %+v", rec)
		}
		ev := waitEvent(t, events, "commands-hub-"+hub.ID, `data-status="succeeded"`)
		if strings.Contains(ev.data, code) {
			t.Error("the new code went out on the live stream")
		}
		page := env.get(t, installer, "/hubs/"+hub.ID)
		if strings.Contains(page.body, code) || byTestID(page.doc, "master-code").Length() != 0 {
			t.Error("the code is shown again on the next visit")
		}
		if a := env.auditEntries(t, "hub.master_code_reset"); a[0].Outcome != db.OutcomeOK || a[0].UserEmail != env.users[db.RoleInstaller].Email {
			t.Errorf("latest audit entry %+v", a[0])
		}
		env.noLeak(t, code)
	})
	t.Run("plain form post gets the hub page with the code", func(t *testing.T) {
		res := env.postForm(t, installer, path, confirm)
		wantStatus(t, res, http.StatusOK)
		one(t, res.doc, "hub-status")
		if got := text(one(t, res.doc, "master-code")); got != upstreamMasterCode(t, env, hub.ID) {
			t.Errorf("shown %q", got)
		}
	})
}

// TestMasterCodeResetUpstreamRefuses: with a leasing agent as the upstream account, the simulator answers 403 and
// the installer is told plainly why; the record fails and the attempt is audited as failed.
func TestMasterCodeResetUpstreamRefuses(t *testing.T) {
	t.Parallel()
	env := newCmdEnv(t, withAgent(simulator.DefaultAgents()[1]))
	_, hub := env.findDevice(t, "lock", nil)
	c := env.signedInClient(t, db.RoleInstaller)
	res := env.postForm(t, c, "/hubs/"+hub.ID+"/master-code", url.Values{"confirm": {"yes"}}, htmx)
	wantStatus(t, res, http.StatusForbidden)
	msg := text(one(t, res.doc, "command-error"))
	for _, want := range []string{"403", "Only Hub Installer can reset master code", "not a Hub Installer"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if byTestID(res.doc, "master-code").Length() != 0 {
		t.Error("a master code is shown")
	}
	rec := env.lastCommand(t, hub.ID, "")
	if rec.Status != db.CommandFailed || !strings.Contains(rec.Reason, "not a Hub Installer") {
		t.Errorf("record %+v", rec)
	}
	if a := env.auditEntries(t, "hub.master_code_reset"); len(a) != 1 || a[0].Outcome != db.OutcomeFailed {
		t.Errorf("audit %+v, want one failed entry", a)
	}
}
