package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// TestLockCodeConflicts: the form catches, before anything is sent, the same PIN valid at an overlapping time on a
// shared lock, and a lock with no free slot.
func TestLockCodeConflicts(t *testing.T) {
	t.Parallel()
	var full db.Device
	env := newLCEnv(t, withBeforeSync(fillOneLock))
	c := env.signedInClient(t, db.RoleStaff)
	weekday := url.Values{"name": {"Cleaner"}, "pin": {"630174"}, "scope": {"all"}, "validity": {smarthome.ValidityDayOfWeek},
		"day_1": {"1"}, "from_1": {"09:00"}, "to_1": {"12:00"}}
	id := env.create(t, c, lcProperty, weekday)
	env.waitCode(t, id, "set", allStatus(db.LockCodeSet))
	before := env.upstreamCodeCount(t, lcProperty)

	overlapping := url.Values{"name": {"Painter"}, "pin": {"630174"}, "scope": {"all"}, "validity": {smarthome.ValidityDailyRepeating},
		"daily_day": {"1", "3"}, "daily_from": {"11:00"}, "daily_to": {"13:00"}}
	res := env.postForm(t, c, "/properties/101/lock-codes", overlapping)
	wantStatus(t, res, http.StatusConflict)
	msg := text(res.doc.Find(`[data-testid=field-error][data-field=pin]`))
	if !strings.Contains(msg, "Cleaner") || !strings.Contains(msg, "overlapping") {
		t.Errorf("conflict message %q does not name the other code", msg)
	}
	if strings.Contains(res.body, "630174") {
		t.Error("the conflict answer shows the PIN")
	}
	if got := env.upstreamCodeCount(t, lcProperty); got != before {
		t.Error("a conflicting code reached the upstream")
	}

	// The same PIN at hours that never meet passes the form; the upstream then decides (it refuses a PIN twice on
	// one lock), and its refusal is shown in the form with what to do.
	apart := url.Values{"name": {"Painter"}, "pin": {"630174"}, "scope": {"all"}, "validity": {smarthome.ValidityDailyRepeating},
		"daily_day": {"1"}, "daily_from": {"13:00"}, "daily_to": {"15:00"}}
	res = env.postForm(t, c, "/properties/101/lock-codes", apart)
	wantStatus(t, res, http.StatusConflict)
	if byTestID(res.doc, "lock-code-form-advice").Length() != 1 {
		t.Errorf("the upstream's refusal comes without advice:\n%.1500s", res.body)
	}
	if failed := env.auditFor(t, "lock_code.create"); len(failed) != 2 || failed[0].Outcome != db.OutcomeFailed {
		t.Errorf("audit %+v, want the refused attempt recorded as failed", failed)
	}

	// A lock whose slots are all taken.
	for _, l := range env.locks(t, fullLockProperty) {
		if used, total := access.SlotUsage(l); total > 0 && used >= total {
			full = l
		}
	}
	if full.ID == "" {
		t.Fatal("no full lock in the mirror")
	}
	form := codeFormValues("Late", "902716")
	form.Set("scope", "some")
	form.Set("device", full.ID)
	res = env.postForm(t, c, "/properties/"+strconv.FormatInt(fullLockProperty, 10)+"/lock-codes", form)
	wantStatus(t, res, http.StatusConflict)
	if msg := text(res.doc.Find(`[data-testid=field-error][data-field=device]`)); !strings.Contains(msg, "no free code slot") {
		t.Errorf("slot message %q", msg)
	}
}

// fullLockProperty has one lock whose every slot fillOneLock took at the keypad.
const fullLockProperty int64 = 102

func fillOneLock(t *testing.T, sim *simulator.Simulator, api *smarthome.Client) {
	t.Helper()
	devs, _, err := api.Properties.Devices(t.Context(), fullLockProperty)
	if err != nil {
		t.Fatal(err)
	}
	if len(devs["lock"]) == 0 {
		t.Fatal("no lock to fill")
	}
	d := devs["lock"][0]
	st, err := d.LockStatus()
	if err != nil {
		t.Fatal(err)
	}
	for i := range st.MaxSlots.Int() {
		if _, err := sim.AddLockCodeAtKeypad(d.ID, fmt.Sprintf("%06d", 310000+i*7), 0); err != nil {
			break // all slots are taken (some were already in use)
		}
	}
}

// TestLockCodeReveal: the issuer and admins may reveal a PIN (audited, never cached); other staff may not (audited
// as denied); the audit never holds the PIN.
func TestLockCodeReveal(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	issuer := env.signedInClient(t, db.RoleStaff)
	const pin = "582047"
	id := env.create(t, issuer, lcProperty, codeFormValues("Reveal me", pin))
	colleague := env.createUser(t, "colleague@test.example", "Col League", db.RoleStaff)
	other := env.client(t)
	env.loginAs(t, other, colleague.Email, colleague.password)

	tests := []struct {
		name   string
		client *http.Client
		status int
	}{
		{"issuer", issuer, http.StatusOK},
		{"admin", env.signedInClient(t, db.RoleAdmin), http.StatusOK},
		{"other staff", other, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := env.postForm(t, tt.client, "/lock-codes/"+id+"/reveal", url.Values{}, htmx)
			wantStatus(t, res, tt.status)
			shown := strings.Contains(res.body, pin)
			if shown != (tt.status == http.StatusOK) {
				t.Errorf("PIN shown = %v", shown)
			}
			if tt.status == http.StatusOK {
				if cc := res.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
					t.Errorf("Cache-Control %q", cc)
				}
				if text(one(t, res.doc, "lock-code-pin-value")) != pin {
					t.Error("no PIN value")
				}
			}
		})
	}
	page := env.get(t, other, "/properties/101/lock-codes")
	if page.doc.Find(`[data-code-id="`+id+`"] [data-testid=lock-code-reveal]`).Length() != 0 {
		t.Error("other staff are offered Reveal")
	}
	entries := env.auditFor(t, "lock_code.reveal")
	outcomes := map[string]int{}
	for _, e := range entries {
		outcomes[e.Outcome]++
	}
	if outcomes[db.OutcomeOK] != 2 || outcomes[db.OutcomeDenied] != 1 {
		t.Errorf("reveal audit outcomes %v, want 2 ok and 1 denied", outcomes)
	}
	env.noPIN(t, pin)
	hidden := env.get(t, issuer, "/lock-codes/"+id+"/pin", htmx)
	if strings.Contains(hidden.body, pin) || byTestID(hidden.doc, "lock-code-pin-mask").Length() != 1 {
		t.Error("Hide does not mask the PIN again")
	}
}

// TestLockCodeEditAcrossDST: editing keeps the PIN unless a new one is typed, sends the change upstream, re-sets
// the locks, and stores a period that spans the spring daylight-saving change as the right UTC instants, written
// upstream as New York wall-clock times.
func TestLockCodeEditAcrossDST(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	id := env.create(t, c, lcProperty, codeFormValues("Tenant", "482913"))
	env.waitCode(t, id, "set", allStatus(db.LockCodeSet))

	skip := nextSkippedHour(t)[:10] // the spring-forward day
	day, _ := time.ParseInLocation("2006-01-02", skip, newYork)
	from, to := day.AddDate(0, 0, -1).Format("2006-01-02")+"T22:00", skip+"T10:00"
	edit := env.get(t, c, "/lock-codes/"+id+"/edit")
	wantStatus(t, edit, http.StatusOK)
	if strings.Contains(edit.body, "482913") {
		t.Error("the edit form shows the PIN")
	}
	res := env.postForm(t, c, "/lock-codes/"+id, url.Values{"name": {"Tenant (spring)"}, "validity": {smarthome.ValiditySpecificPeriod},
		"starts_at": {from}, "ends_at": {to}})
	wantStatus(t, res, http.StatusSeeOther)

	code := env.waitCode(t, id, "set again", allStatus(db.LockCodeSet))
	if code.Name != "Tenant (spring)" || code.StartsAt == nil || code.EndsAt.Sub(*code.StartsAt) != 11*time.Hour {
		t.Fatalf("mirror %q %v–%v: want an 11-hour window (the night loses an hour)", code.Name, code.StartsAt, code.EndsAt)
	}
	up := env.upstreamCode(t, id)
	if up.Code.Reveal() != "482913" || up.FromDate != strings.Replace(from, "T", " ", 1)[:13]+"-00" ||
		up.ToDate != skip+" 10-00" {
		t.Errorf("upstream PIN kept=%v, from %q to %q", up.Code.Reveal() == "482913", up.FromDate, up.ToDate)
	}
	edit = env.get(t, c, "/lock-codes/"+id+"/edit")
	if got := edit.doc.Find("#lc-starts").AttrOr("value", ""); got != from {
		t.Errorf("edit form start %q, want %q (the property's zone)", got, from)
	}
	if a := env.auditFor(t, "lock_code.update"); len(a) != 1 || a[0].Outcome != db.OutcomeOK || !strings.Contains(a[0].Detail, "PIN kept") {
		t.Errorf("audit %+v", a)
	}
}

// TestLockCodeDeleteAndRetry: a code sent while its hub is offline fails with that reason and a retry offer; once
// the hub is back, Retry sets it; Delete (after confirming) removes it from the lock.
func TestLockCodeDeleteAndRetry(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	hubs, err := env.store.HubsByProperty(t.Context(), lcProperty)
	if err != nil || len(hubs) == 0 {
		t.Fatal(err)
	}
	if err := env.sim.SetHubOnline(hubs[0].ID, false); err != nil {
		t.Fatal(err)
	}
	id := env.create(t, c, lcProperty, codeFormValues("Offline", "750392"))
	env.waitCode(t, id, "failed", allStatus(db.LockCodeFailed))
	row := env.get(t, c, "/lock-codes/"+id+"/row", htmx)
	doc := parseRow(t, row.body)
	if !strings.Contains(text(byTestID(doc, "lock-code-reason")), "Hub offline") || byTestID(doc, "lock-code-retry").Length() != 1 {
		t.Fatalf("failed row without reason or Retry:\n%s", row.body)
	}

	if err := env.sim.SetHubOnline(hubs[0].ID, true); err != nil {
		t.Fatal(err)
	}
	res := env.postForm(t, c, "/lock-codes/"+id+"/retry", url.Values{}, htmx)
	wantStatus(t, res, http.StatusOK)
	env.waitCode(t, id, "set after the retry", allStatus(db.LockCodeSet))

	confirm := env.get(t, c, "/lock-codes/"+id+"/delete", htmx)
	if byTestID(parseRow(t, confirm.body), "lock-code-delete-confirm").Length() != 1 {
		t.Fatal("no confirmation before deleting")
	}
	if _, err := env.store.LockCode(t.Context(), id); err != nil {
		t.Fatal("asking for confirmation deleted something")
	}
	res = env.postForm(t, c, "/lock-codes/"+id+"/delete", url.Values{}, htmx)
	wantStatus(t, res, http.StatusOK)
	if got := parseRow(t, res.body).Find(`[data-testid=lock-code-row]`).AttrOr("data-deleted", ""); got != "true" {
		t.Errorf("row after delete: data-deleted %q", got)
	}
	env.waitCode(t, id, "removed", allStatus(db.LockCodeRemoved))
	if _, _, err := env.api.LockCodes.Get(t.Context(), id); err == nil {
		t.Error("the code still exists upstream")
	}
	for _, action := range []string{"lock_code.retry", "lock_code.delete"} {
		if a := env.auditFor(t, action); len(a) != 1 || a[0].Outcome != db.OutcomeOK {
			t.Errorf("%s audit %+v", action, a)
		}
	}
}

// TestLockCodeUpstreamFailure: when the upstream fails, the form says what failed and what to do, and nothing is
// half-written: no mirror row, a failed audit entry.
func TestLockCodeUpstreamFailure(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	if err := env.sim.SetFault(simulator.Fault{Route: "POST /api/lock_codes", Rate: 1, Status: 500}); err != nil {
		t.Fatal(err)
	}
	res := env.postForm(t, c, "/properties/101/lock-codes", codeFormValues("Unlucky", "639027"), htmx)
	wantStatus(t, res, http.StatusBadGateway)
	if !strings.Contains(text(one(t, res.doc, "lock-code-form-problem")), "did not confirm") ||
		byTestID(res.doc, "lock-code-form-advice").Length() != 1 {
		t.Errorf("no explanation:\n%.1500s", res.body)
	}
	if codes, _ := env.store.LockCodesByProperty(t.Context(), lcProperty, time.Time{}); len(codes) != 0 {
		t.Errorf("%d codes in the mirror after a failed create", len(codes))
	}
	if a := env.auditFor(t, "lock_code.create"); len(a) != 1 || a[0].Outcome != db.OutcomeFailed {
		t.Errorf("audit %+v", a)
	}
	env.sim.ClearFaults()
	if err := env.sim.SetFault(simulator.Fault{Route: "DELETE /api/lock_codes/{id}", Rate: 1, Status: 503}); err != nil {
		t.Fatal(err)
	}
	id := env.create(t, c, lcProperty, codeFormValues("Sticky", "639027"))
	res = env.postForm(t, c, "/lock-codes/"+id+"/delete", url.Values{}, htmx)
	if res.status < 500 || !strings.Contains(text(byTestID(parseRow(t, res.body), "lock-code-error")), "not deleted") {
		t.Errorf("failed delete: %d\n%.1000s", res.status, res.body)
	}
	if code, _ := env.store.LockCode(t.Context(), id); code.DeletedAt != nil {
		t.Error("the mirror marked deleted a code the upstream kept")
	}
}
