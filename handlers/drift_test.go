package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
)

// driftItems reads the report's differences as kind → items.
func driftItems(t *testing.T, res response) map[string][]map[string]string {
	t.Helper()
	out := map[string][]map[string]string{}
	for _, n := range byTestID(res.doc, "drift-item").Nodes {
		it := map[string]string{}
		for _, a := range n.Attr {
			it[a.Key] = a.Val
		}
		out[it["data-kind"]] = append(out[it["data-kind"]], it)
	}
	return out
}

// slotOf reads which slot of a lock holds pin, from the simulator.
func (e *lcEnv) slotOf(t *testing.T, deviceID, pin string) int {
	t.Helper()
	slots, err := upstream.New(e.api).ReadLockSlots(t.Context(), deviceID)
	if err != nil {
		t.Fatal(err)
	}
	for k, p := range slots {
		if p != nil && p.Reveal() == pin {
			n, _ := strconv.Atoi(k)
			return n
		}
	}
	return 0
}

// TestDrift: a PIN added at the keypad shows as a code nobody issued (by slot, never its PIN); an issued code
// cleared at the keypad shows as missing and is sent again; a code whose window ended but which the lock still
// holds shows as expired and is removed. Every remedy is audited.
func TestDrift(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	lock := env.locks(t, lcProperty)[0]

	clean := env.get(t, c, "/properties/101/drift")
	wantStatus(t, clean, http.StatusOK)
	if n := one(t, clean.doc, "drift-report").AttrOr("data-differences", ""); n != "0" {
		t.Fatalf("a fresh portfolio has %s differences", n)
	}

	const keypadPIN, issuedPIN, oldPIN = "66120873", "419305", "803162"
	keypadSlot, err := env.sim.AddLockCodeAtKeypad(lock.ID, keypadPIN, 0)
	if err != nil {
		t.Fatal(err)
	}
	id := env.create(t, c, lcProperty, url.Values{"name": {"Resident"}, "pin": {issuedPIN}, "scope": {"some"},
		"device": {lock.ID}, "validity": {smarthome.ValidityNeverExpires}})
	env.waitCode(t, id, "set", allStatus(db.LockCodeSet))
	if err := env.sim.RemoveLockCodeAtKeypad(lock.ID, env.slotOf(t, lock.ID, issuedPIN)); err != nil {
		t.Fatal(err)
	}
	oldID := env.upstreamCreate(t, "Last week's guest", oldPIN, lock.ID, func(r *smarthome.LockCodeRequest) {
		r.SetSpecificPeriod(time.Now().Add(-72*time.Hour), time.Now().Add(-24*time.Hour), newYork)
	})
	waitUpstreamSet(t, env, oldID)

	res := env.get(t, c, "/properties/101/drift")
	wantStatus(t, res, http.StatusOK)
	for _, pin := range []string{keypadPIN, issuedPIN, oldPIN} {
		if strings.Contains(res.body, pin) {
			t.Errorf("the drift page shows a PIN")
		}
	}
	items := driftItems(t, res)
	if u := items["unknown"]; len(u) != 1 || u[0]["data-slot"] != strconv.Itoa(keypadSlot) {
		t.Errorf("unknown codes %v, want slot %d", u, keypadSlot)
	}
	if m := items["missing"]; len(m) != 1 || m[0]["data-code-id"] != id {
		t.Errorf("missing codes %v, want %s", m, id)
	}
	if x := items["expired"]; len(x) != 1 || x[0]["data-code-id"] != oldID {
		t.Errorf("expired codes %v, want %s", x, oldID)
	}
	svc, _ := env.lcService(t)
	remote := svc.CanClearSlots() // the Upstream has the inferred slot-clearing route
	if !remote && byTestID(res.doc, "drift-manual").Length() != 1 {
		t.Error("no instructions for the unknown code, which cannot be cleared remotely here")
	}

	// Remedies: each answers with the report read again.
	path := "/properties/101/drift/"
	send := env.postForm(t, c, path+"resend", url.Values{"code": {id}, "device": {lock.ID}}, htmx)
	wantStatus(t, send, http.StatusOK)
	if byTestID(send.doc, "drift-message").Length() != 1 {
		t.Errorf("no result after resend:\n%.1000s", send.body)
	}
	env.waitCode(t, id, "set again", allStatus(db.LockCodeSet))
	if env.slotOf(t, lock.ID, issuedPIN) == 0 {
		t.Error("the resent code is not on the lock")
	}
	remove := env.postForm(t, c, path+"remove", url.Values{"code": {oldID}, "device": {lock.ID}}, htmx)
	wantStatus(t, remove, http.StatusOK)
	env.waitCode(t, oldID, "removed", allStatus(db.LockCodeRemoved))
	if env.slotOf(t, lock.ID, oldPIN) != 0 {
		t.Error("the expired code is still on the lock")
	}
	clear := env.postForm(t, c, path+"clear-slot", url.Values{"device": {lock.ID}, "slot": {strconv.Itoa(keypadSlot)}}, htmx)
	clearOutcome, unknownLeft := db.OutcomeFailed, 1
	if remote {
		wantStatus(t, clear, http.StatusOK)
		waitSlotEmpty(t, env, lock.ID, keypadPIN)
		clearOutcome, unknownLeft = db.OutcomeOK, 0
	} else {
		wantStatus(t, clear, http.StatusNotImplemented)
		if !strings.Contains(text(one(t, clear.doc, "drift-error")), "keypad") {
			t.Error("no instructions when the slot cannot be cleared remotely")
		}
	}

	after := driftItems(t, env.get(t, c, "/properties/101/drift"))
	if len(after["missing"]) != 0 || len(after["expired"]) != 0 || len(after["unknown"]) != unknownLeft {
		t.Errorf("after the remedies: %v", after)
	}
	for action, want := range map[string]string{"lock_code.drift.resend": db.OutcomeOK,
		"lock_code.drift.remove_expired": db.OutcomeOK, "lock_code.drift.clear_slot": clearOutcome} {
		if a := env.auditFor(t, action); len(a) != 1 || a[0].Outcome != want {
			t.Errorf("%s audit %+v, want one %s", action, a, want)
		}
	}
	env.noPIN(t, keypadPIN)
}

// waitSlotEmpty waits until no slot of the lock holds pin.
func waitSlotEmpty(t *testing.T, env *lcEnv, deviceID, pin string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for env.slotOf(t, deviceID, pin) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the PIN never left the lock")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitUpstreamSet(t *testing.T, env *lcEnv, id string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		lc := env.upstreamCode(t, id)
		if len(lc.Devices) > 0 && lc.Devices[0].Status == smarthome.CodeSet {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("code %s never set upstream", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDriftRemediesCheckAgain: a remedy re-checks its difference and changes nothing when it does not hold.
func TestDriftRemediesCheckAgain(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	live := env.create(t, c, lcProperty, codeFormValues("Live", "274019"))
	other := env.create(t, c, lcProperty+1, codeFormValues("Elsewhere", "274019"))
	tests := []struct {
		name, remedy string
		form         url.Values
		status       int
	}{
		{"remove a code whose window has not ended", "remove", url.Values{"code": {live}}, http.StatusConflict},
		{"resend another property's code", "resend", url.Values{"code": {other}}, http.StatusUnprocessableEntity},
		{"resend an unknown code", "resend", url.Values{"code": {"nope"}}, http.StatusUnprocessableEntity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := env.postForm(t, c, "/properties/101/drift/"+tt.remedy, tt.form)
			wantStatus(t, res, tt.status)
		})
	}
	if code, _ := env.store.LockCode(t.Context(), live); code.DeletedAt != nil {
		t.Error("a refused remedy deleted the code")
	}
	idx := env.get(t, c, "/drift?q="+url.QueryEscape("zzz-no-such"))
	wantStatus(t, idx, http.StatusOK)
	if byTestID(idx.doc, "drift-no-properties").Length() != 1 {
		t.Error("the picker found a property for nonsense")
	}
	if res := env.get(t, c, "/drift?property=101"); res.status != http.StatusSeeOther || res.location() != "/properties/101/drift" {
		t.Errorf("picker redirect %d %q", res.status, res.location())
	}
	if res := env.get(t, c, "/drift?property=x"); res.status != http.StatusNotFound {
		t.Errorf("bad property: %d", res.status)
	}
}
