package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/bulk"
)

// TestBulkRefusals: over the lock limit the form is refused with the limit named, nothing is stored or sent, and
// the refusal is audited; people who may not manage access are refused every bulk page, and their attempts to act
// are audited; a form without its token is refused.
func TestBulkRefusals(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	props, locks := bulkPick(t, env, 1)
	form := bulkForm(t, env, c, props, locks, "Too Many", "583920")
	for i := len(locks); i <= bulk.MaxItems; i++ {
		form.Add("device", "lock-"+strconv.Itoa(i))
	}
	before := env.upstream.n.Load()
	res := env.postForm(t, c, "/bulk/codes", form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, "refusal", res.body, "at most 500")
	if got := env.upstream.n.Load(); got != before {
		t.Errorf("%d upstream calls for a refused bulk action", got-before)
	}
	if recent, _ := env.store.RecentBulkActions(t.Context(), 10); len(recent) != 0 {
		t.Errorf("%d bulk actions stored after a refusal", len(recent))
	}
	if e := bulkAudit(t, env, "bulk.lock_code.create"); len(e) != 1 || e[0].Outcome != db.OutcomeDenied || !strings.Contains(e[0].Detail, "501 locks") {
		t.Errorf("audit rows %+v, want one denied row naming 501 locks", e)
	}

	noToken := bulkForm(t, env, c, props, locks, "No Token", "583920")
	noToken.Del("token")
	wantStatus(t, env.postForm(t, c, "/bulk/codes", noToken), http.StatusBadRequest)

	for _, role := range []db.Role{db.RoleAuditor, db.RoleInstaller} {
		t.Run(string(role), func(t *testing.T) {
			rc := env.signedInClient(t, role)
			for _, path := range []string{"/bulk", "/bulk/code?property=101", "/bulk/revoke?person=x"} {
				wantStatus(t, env.get(t, rc, path), http.StatusForbidden)
			}
			wantStatus(t, env.postForm(t, rc, "/bulk/codes", form), http.StatusForbidden)
			if byTestID(env.get(t, rc, "/").doc, "nav-bulk").Length() != 0 {
				t.Error("the navigation offers Bulk access")
			}
		})
	}
	if byTestID(env.get(t, c, "/").doc, "nav-bulk").Length() != 1 {
		t.Error("staff have no Bulk access link")
	}
	denied := 0
	for _, e := range bulkAudit(t, env, "bulk.lock_code.create") {
		if e.Outcome == db.OutcomeDenied && strings.Contains(e.Detail, "may not") {
			denied++
		}
	}
	if denied != 2 {
		t.Errorf("%d audited role refusals, want 2", denied)
	}
}

// TestBulkHostileInput: markup in a code's name is refused like the single form does; a person searched with
// markup is shown escaped, never as markup.
func TestBulkHostileInput(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	props, locks := bulkPick(t, env, 1)
	form := bulkForm(t, env, c, props, locks, `<script>alert(1)</script>`, "583920")
	res := env.postForm(t, c, "/bulk/codes", form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if res.doc.Find("main script").Length() != 0 {
		t.Error("the name came back as a script element")
	}
	if res.doc.Find(`[data-testid=field-error][data-field=name]`).Length() != 1 {
		t.Error("no problem shown next to the name")
	}
	page := env.get(t, c, "/bulk/revoke?person="+url.QueryEscape(`<b id="x">Eve</b>`))
	wantStatus(t, page, http.StatusOK)
	if page.doc.Find("#x").Length() != 0 || !strings.Contains(text(one(t, page.doc, "page-title")), `<b id="x">Eve</b>`) {
		t.Error("the person's name was not escaped")
	}
	wantStatus(t, env.get(t, c, "/bulk/revoke?person="+url.QueryEscape("a\nb")), http.StatusBadRequest)
	wantStatus(t, env.get(t, c, "/bulk/revoke?person="+strings.Repeat("x", 65)), http.StatusBadRequest)
}

// TestBulkRevokeEverywhere: from one of a person's codes, "revoke everywhere" finds every live code of that name
// at every property, and removes them all through the single delete's path; someone else's code stays.
func TestBulkRevokeEverywhere(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	props, _ := bulkPick(t, env, 2)
	var janes []string
	for i, p := range props {
		janes = append(janes, env.create(t, c, p, codeFormValues("Jane Roe", "58392"+strconv.Itoa(i))))
	}
	other := env.create(t, c, props[0], codeFormValues("John Other", "740215"))
	for _, id := range append(janes, other) {
		env.waitCode(t, id, "set", allStatus(db.LockCodeSet))
	}
	list := env.get(t, c, "/properties/"+strconv.FormatInt(props[0], 10)+"/lock-codes")
	link, ok := list.doc.Find(`[data-testid=lock-code-revoke-everywhere][href^="/lock-codes/` + janes[0] + `/"]`).Attr("href")
	if !ok {
		t.Fatal("no Revoke everywhere on Jane's code")
	}
	from := env.get(t, c, link)
	wantStatus(t, from, http.StatusSeeOther)
	confirm := env.get(t, c, from.location())
	wantStatus(t, confirm, http.StatusOK)
	if got := byTestID(confirm.doc, "bulk-revoke-code").Length(); got != len(janes) {
		t.Fatalf("the confirm lists %d codes, want %d", got, len(janes))
	}
	token, _ := confirm.doc.Find(`[data-testid=bulk-revoke-form] input[name=token]`).Attr("value")
	id := bulkStart(t, env, c, "/bulk/revoke", url.Values{"token": {token}, "person": {"jane roe "}})
	res := bulkDone(t, env, c, id)
	if got := bulkSummaryText(t, res); got != "Removed 2 of 2 codes" {
		t.Errorf("summary = %q", got)
	}
	for _, j := range janes {
		c, err := env.store.LockCode(t.Context(), j)
		if err == nil && c.DeletedAt == nil {
			t.Errorf("code %s of Jane is still live", j)
		}
	}
	if o, err := env.store.LockCode(t.Context(), other); err != nil || o.DeletedAt != nil {
		t.Errorf("John's code was touched: %+v, %v", o.DeletedAt, err)
	}
	if e := bulkAudit(t, env, "bulk.lock_code.revoke"); len(e) != 1 || !strings.Contains(e[0].Detail, "2 codes named “jane roe”") {
		t.Errorf("audit rows %+v", e)
	}
}

// TestBulkMoveOut: a resident invited at two properties is moved out of both in one bulk action, each property
// through the single move-out, each item linking to its move-out's progress.
func TestBulkMoveOut(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	props, _ := bulkPick(t, env, 2)
	const email = "mover@test.example"
	for _, p := range props {
		prop, err := env.store.Property(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		loc, _ := time.LoadLocation(prop.TimeZone)
		if loc == nil {
			loc = time.UTC
		}
		res := env.postForm(t, c, "/invitations", url.Values{"property_id": {strconv.FormatInt(p, 10)}, "email": {email},
			"name": {"Mover"}, "from": {time.Now().In(loc).Format("2006-01-02")}})
		wantStatus(t, res, http.StatusSeeOther)
	}
	q := url.Values{"email": {email}}
	for _, p := range props {
		q.Add("property", strconv.FormatInt(p, 10))
	}
	confirm := env.get(t, c, "/bulk/move-out?"+q.Encode())
	wantStatus(t, confirm, http.StatusOK)
	token, _ := confirm.doc.Find(`[data-testid=bulk-moveout-form] input[name=token]`).Attr("value")
	q.Set("token", token)
	id := bulkStart(t, env, c, "/bulk/move-outs", q)
	res := bulkDone(t, env, c, id)
	if got := bulkSummaryText(t, res); got != "Moved out at 2 of 2 properties" {
		t.Errorf("summary = %q", got)
	}
	if got := res.doc.Find(`[data-testid=bulk-item] a[href^="/move-outs/"]`).Length(); got != 2 {
		t.Errorf("%d items link to their move-out, want 2", got)
	}
	if e := bulkAudit(t, env, "bulk.move_out"); len(e) != 1 || !strings.Contains(e[0].Detail, email+" at 2 properties") {
		t.Errorf("audit rows %+v", e)
	}
}
