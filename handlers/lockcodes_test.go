package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
)

// TestLockCodeIssueGoesLive: staff issue a code for every lock of a property; it is sent upstream, mirrored with
// its issuer, audited without the PIN, and its state on each lock turns to set by itself (no webhooks here: the
// tracker polls), pushed to the open page as an SSE fragment that carries neither PIN nor name.
func TestLockCodeIssueGoesLive(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	locks := env.locks(t, lcProperty)
	events := lcEvents(t, env.stream(t, c, "/events?property="+strconv.FormatInt(lcProperty, 10)))

	const pin = "482913"
	res := env.postForm(t, c, "/properties/101/lock-codes", codeFormValues("Jane Guest", pin))
	wantStatus(t, res, http.StatusSeeOther)
	if got := res.location(); got != "/properties/101/lock-codes?done=created" {
		t.Errorf("Location %q", got)
	}
	id := env.codeID(t, lcProperty, "Jane Guest")
	code := env.waitCode(t, id, "set on every lock", allStatus(db.LockCodeSet))
	if code.CreatedBy == nil || *code.CreatedBy != env.users[db.RoleStaff].ID {
		t.Errorf("created_by %v, want the staff user", code.CreatedBy)
	}
	if len(code.Devices) != len(locks) {
		t.Errorf("code on %d locks, want every lock (%d)", len(code.Devices), len(locks))
	}
	if strings.Contains(string(code.PINSealed), pin) {
		t.Error("the mirror holds the PIN in clear")
	}
	up := env.upstreamCode(t, id)
	if up.Name != "Jane Guest" || up.Code.Reveal() != pin || up.ValidityType != "Never Expires" {
		t.Errorf("upstream code %q %q", up.Name, up.ValidityType)
	}

	ev := waitLCEvent(t, t.Context(), events, "lcs-"+id+"-"+strings.ToLower(locks[0].ID), `data-status="set"`)
	if strings.Contains(ev.data, pin) || strings.Contains(ev.data, "Jane Guest") {
		t.Errorf("the live fragment carries the PIN or the code's name:\n%s", ev.data)
	}

	page := env.get(t, c, "/properties/101/lock-codes")
	wantStatus(t, page, http.StatusOK)
	if strings.Contains(page.body, pin) {
		t.Error("the list shows the PIN")
	}
	if n := byTestID(page.doc, "flash").Length(); n != 0 {
		t.Errorf("%d flash messages without ?done", n)
	}
	if done := env.get(t, c, "/properties/101/lock-codes?done=created"); !strings.Contains(text(one(t, done.doc, "flash")), "sent") {
		t.Error("no confirmation after the redirect")
	}
	row := page.doc.Find(`[data-testid=lock-code-row][data-code-id="` + id + `"]`)
	if row.Length() != 1 {
		t.Fatalf("no row for the code")
	}
	if n := row.Find(`[data-testid=lock-code-state][data-status=set]`).Length(); n != len(locks) {
		t.Errorf("%d locks shown set, want %d", n, len(locks))
	}
	if row.Find(`[data-testid=lock-code-when]`).Length() == 0 {
		t.Error("no confirmation time shown")
	}
	if row.Find(`[data-testid=lock-code-reveal]`).Length() != 1 {
		t.Error("the issuer is not offered Reveal")
	}

	entries := env.auditFor(t, "lock_code.create")
	if len(entries) != 1 || entries[0].Outcome != db.OutcomeOK || entries[0].TargetID != id ||
		entries[0].UserEmail != env.users[db.RoleStaff].Email {
		t.Errorf("audit %+v", entries)
	}
	env.noPIN(t, pin)
}

// TestLockCodePagesByScope: the property list, the lock's list and the sections on the property and lock pages
// show the code, masked, to people who manage codes; installers and auditors see no codes section.
func TestLockCodePagesByScope(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	staff := env.signedInClient(t, db.RoleStaff)
	lock := env.locks(t, lcProperty)[0]
	form := codeFormValues("Scoped", "730519")
	form.Set("scope", "some")
	form["device"] = []string{lock.ID}
	id := env.create(t, staff, lcProperty, form)

	for _, path := range []string{"/properties/101/lock-codes", "/devices/" + lock.ID + "/lock-codes",
		"/properties/101", "/devices/" + lock.ID, "/properties/101/lock-codes/list", "/devices/" + lock.ID + "/lock-codes/list"} {
		t.Run(path, func(t *testing.T) {
			res := env.get(t, staff, path, htmxIf(strings.HasSuffix(path, "/list")))
			wantStatus(t, res, http.StatusOK)
			if res.doc.Find(`[data-testid=lock-code-row][data-code-id="`+id+`"]`).Length() != 1 {
				t.Errorf("%s does not list the code", path)
			}
			if strings.Contains(res.body, "730519") {
				t.Errorf("%s shows the PIN", path)
			}
		})
	}
	for _, role := range []db.Role{db.RoleInstaller, db.RoleAuditor} {
		c := env.signedInClient(t, role)
		for _, path := range []string{"/properties/101", "/devices/" + lock.ID} {
			res := env.get(t, c, path)
			wantStatus(t, res, http.StatusOK)
			if byTestID(res.doc, "lock-code-list").Length() != 0 || byTestID(res.doc, "unlock-code").Length() != 0 {
				t.Errorf("%s sees lock codes on %s", role, path)
			}
		}
	}
}

func htmxIf(b bool) http.Header {
	if b {
		return htmx
	}
	return http.Header{}
}

// TestLockCodeRoles: every lock-code route answers 403 to installers and auditors, and lets staff and admins in.
func TestLockCodeRoles(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	staff := env.signedInClient(t, db.RoleStaff)
	lock := env.locks(t, lcProperty)[0]
	hubs, _ := env.store.HubsByProperty(t.Context(), lcProperty)
	id := env.create(t, staff, lcProperty, codeFormValues("Roles", "905173"))
	env.waitCode(t, id, "set", allStatus(db.LockCodeSet))
	clearSlot := http.StatusNotImplemented // no remote slot clearing upstream: the remedy says so
	if svc, _ := env.lcService(t); svc.CanClearSlots() {
		clearSlot = http.StatusUnprocessableEntity // an empty form names no slot
	}
	routes := []struct {
		method, path string
		allowed      int // status for staff and admins (empty forms: 422 where a form is validated)
	}{
		{"GET", "/properties/101/lock-codes", 200},
		{"GET", "/properties/101/lock-codes/list", 200},
		{"GET", "/properties/101/lock-codes/new", 200},
		{"GET", "/properties/101/lock-codes/validity?validity=Daily+Repeating", 200},
		{"POST", "/properties/101/lock-codes", 422},
		{"GET", "/devices/" + lock.ID + "/lock-codes", 200},
		{"GET", "/devices/" + lock.ID + "/lock-codes/list", 200},
		{"GET", "/lock-codes/" + id + "/edit", 200},
		{"POST", "/lock-codes/" + id, 422},
		{"GET", "/lock-codes/" + id + "/delete", 200},
		{"GET", "/lock-codes/" + id + "/pin", 200},
		{"GET", "/lock-codes/" + id + "/row", 200},
		{"GET", "/lock-codes/" + id + "/actions", 200},
		{"POST", "/lock-codes/" + id + "/retry", 303},
		{"GET", "/drift", 200},
		{"GET", "/properties/101/drift", 200},
		{"POST", "/properties/101/drift/resend", 422},
		{"POST", "/properties/101/drift/remove", 422},
		{"POST", "/properties/101/drift/clear-slot", clearSlot},
		{"POST", "/hubs/" + hubs[0].ID + "/unlock-code", 0},
		{"POST", "/devices/" + lock.ID + "/unlock-code", 422},
		{"POST", "/lock-codes/" + id + "/reveal", 0},
		{"POST", "/lock-codes/" + id + "/delete", 303},
	}
	clients := map[db.Role]*http.Client{}
	for _, r := range roles {
		clients[r] = env.signedInClient(t, r)
	}
	for _, rt := range routes {
		for _, role := range roles {
			var form url.Values
			if rt.method == "POST" {
				form = url.Values{}
			}
			res := env.do(t, clients[role], rt.method, rt.path, form, env.sameOrigin())
			switch role {
			case db.RoleInstaller, db.RoleAuditor:
				if res.status != http.StatusForbidden {
					t.Errorf("%s %s as %s: %d, want 403", rt.method, rt.path, role, res.status)
				}
			default:
				if rt.allowed != 0 && res.status != rt.allowed {
					t.Errorf("%s %s as %s: %d, want %d\n%.300s", rt.method, rt.path, role, res.status, rt.allowed, res.body)
				}
			}
		}
	}
}
