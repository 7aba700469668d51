package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// adoptForm is a valid adoption of slot on lock: a Specific Period from an hour ago for two days.
func adoptForm(lockID string, slot int, name string) url.Values {
	now := time.Now().In(newYork)
	return url.Values{"device": {lockID}, "slot": {strconv.Itoa(slot)}, "name": {name},
		"validity": {smarthome.ValiditySpecificPeriod}, "starts_at": {now.Add(-time.Hour).Format(lcLocalLayout)},
		"ends_at": {now.Add(48 * time.Hour).Format(lcLocalLayout)}}
}

// TestDriftAdopt: a keypad code found by the drift check is adopted with a name and validity: it becomes a managed
// code of that lock with the PIN as found (never shown), the lock holds it again, the drift page no longer lists
// it, the code list does, and the adoption is audited.
func TestDriftAdopt(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	svc, _ := env.lcService(t)
	if !svc.CanClearSlots() {
		t.Skip("the Upstream has no slot-clearing route: adoption is refused (tested in TestDriftAdoptRefusals)")
	}
	c := env.signedInClient(t, db.RoleStaff)
	lock := env.locks(t, lcProperty)[0]
	const pin = "58302961"
	slot, err := env.sim.AddLockCodeAtKeypad(lock.ID, pin, 0)
	if err != nil {
		t.Fatal(err)
	}

	drift := env.get(t, c, "/properties/101/drift")
	link := one(t, drift.doc, "drift-adopt").AttrOr("href", "")
	if !strings.HasPrefix(link, "/properties/101/drift/adopt?") {
		t.Fatalf("adopt link %q", link)
	}
	form := env.get(t, c, link)
	wantStatus(t, form, http.StatusOK)
	one(t, form.doc, "lock-code-adopt-note")
	if byTestID(form.doc, "lock-code-pin-input").Length() != 0 || strings.Contains(form.body, pin) {
		t.Error("the adoption form asks for or shows the PIN")
	}

	// A hostile name is refused and echoed escaped; nothing changes on the lock.
	hostile := `<img src=x onerror=alert(1)>`
	bad := env.postForm(t, c, "/properties/101/drift/adopt", adoptForm(lock.ID, slot, hostile), htmx)
	wantStatus(t, bad, http.StatusUnprocessableEntity)
	if strings.Contains(bad.body, "<img") || one(t, bad.doc, "lock-code-name-input").AttrOr("value", "") != hostile {
		t.Errorf("the hostile name is not echoed escaped:\n%.600s", bad.body)
	}
	if env.slotOf(t, lock.ID, pin) != slot {
		t.Fatal("a refused adoption changed the lock")
	}

	name := `Pat O'Brien & "Sons"`
	res := env.postForm(t, c, "/properties/101/drift/adopt", adoptForm(lock.ID, slot, name))
	wantStatus(t, res, http.StatusSeeOther)
	if res.location() != "/properties/101/lock-codes?done=adopted" {
		t.Errorf("redirect to %q", res.location())
	}
	id := env.codeID(t, lcProperty, name)
	code := env.waitCode(t, id, "set", allStatus(db.LockCodeSet))
	if code.AdoptedFrom != lock.ID+"#"+strconv.Itoa(slot) || code.CreatedBy == nil ||
		code.ValidityType != smarthome.ValiditySpecificPeriod || len(code.Devices) != 1 || code.Devices[0].DeviceID != lock.ID {
		t.Errorf("adopted code %+v", code)
	}
	if got, err := svc.OpenPIN(code); err != nil || got.Reveal() != pin {
		t.Errorf("the adopted code's PIN is not the one found (%v)", err)
	}
	if env.slotOf(t, lock.ID, pin) == 0 {
		t.Error("the lock no longer holds the adopted PIN")
	}

	after := env.get(t, c, "/properties/101/drift")
	if u := driftItems(t, after)["unknown"]; len(u) != 0 {
		t.Errorf("the adopted code still shows as drift: %v", u)
	}
	list := env.get(t, c, "/properties/101/lock-codes")
	row := list.doc.Find(`[data-testid="lock-code-row"][data-code-id="` + id + `"]`)
	if row.Length() != 1 || text(row.Find(`[data-testid="lock-code-name"]`)) != name ||
		row.Find(`[data-testid="lock-code-adopted"]`).Length() != 1 {
		t.Errorf("the code list does not show the adopted code:\n%.1500s", list.body)
	}
	if strings.Contains(list.body, pin) || strings.Contains(after.body, pin) {
		t.Error("a page shows the PIN")
	}
	if a := env.auditFor(t, "lock_code.drift.adopt"); len(a) != 1 || a[0].Outcome != db.OutcomeOK || a[0].TargetID != id {
		t.Errorf("adopt audit %+v, want the one adoption (a form refused as invalid is not an action)", a)
	}
	env.noPIN(t, pin)

	// Someone else with ManageAccess but not RevealAnyCode cannot reveal it.
	other := env.createUser(t, "other-staff@example.com", "Other", db.RoleStaff)
	oc := env.client(t)
	env.loginAs(t, oc, other.Email, other.password)
	reveal := env.postForm(t, oc, "/lock-codes/"+id+"/reveal", nil, htmx)
	if reveal.status != http.StatusForbidden || strings.Contains(reveal.body, pin) {
		t.Errorf("another staff member revealed the adopted PIN: %d", reveal.status)
	}
}

// TestDriftAdoptRefusals: people without ManageAccess are refused; a slot that holds no unknown code, an unknown
// lock or slot, and a bad entry limit change nothing.
func TestDriftAdoptRefusals(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	lock := env.locks(t, lcProperty)[0]
	for _, role := range []db.Role{db.RoleInstaller, db.RoleAuditor} {
		c := env.signedInClient(t, role)
		if res := env.get(t, c, "/properties/101/drift/adopt?device="+lock.ID+"&slot=1"); res.status != http.StatusForbidden {
			t.Errorf("%s: form %d, want 403", role, res.status)
		}
		if res := env.postForm(t, c, "/properties/101/drift/adopt", adoptForm(lock.ID, 1, "X")); res.status != http.StatusForbidden {
			t.Errorf("%s: adopt %d, want 403", role, res.status)
		}
	}
	c := env.signedInClient(t, db.RoleStaff)
	issued := env.create(t, c, lcProperty, url.Values{"name": {"Resident"}, "pin": {"740163"}, "scope": {"some"},
		"device": {lock.ID}, "validity": {smarthome.ValidityNeverExpires}})
	env.waitCode(t, issued, "set", allStatus(db.LockCodeSet))
	known := env.slotOf(t, lock.ID, "740163")
	limit := adoptForm(lock.ID, known, "Too many")
	limit.Set("max_uses", "101")
	tests := []struct {
		name   string
		form   url.Values
		status int
	}{
		{"a slot an issued code holds", adoptForm(lock.ID, known, "Thief"), http.StatusConflict},
		{"an unknown lock", adoptForm("no-such-lock", 1, "X"), http.StatusUnprocessableEntity},
		{"slot zero", adoptForm(lock.ID, 0, "X"), http.StatusUnprocessableEntity},
		{"entries out of range", limit, http.StatusUnprocessableEntity},
	}
	svc, _ := env.lcService(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := tt.status
			if !svc.CanClearSlots() && want == http.StatusConflict {
				want = http.StatusNotImplemented
			}
			wantStatus(t, env.postForm(t, c, "/properties/101/drift/adopt", tt.form, htmx), want)
		})
	}
	if code, _ := env.store.LockCode(t.Context(), issued); code.DeletedAt != nil || code.AdoptedFrom != "" {
		t.Errorf("a refused adoption changed the issued code: %+v", code)
	}
	if env.slotOf(t, lock.ID, "740163") != known {
		t.Error("a refused adoption changed the lock")
	}
}
