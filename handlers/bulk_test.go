package handlers

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
)

// TestBulkCodeAllSet: one code on every lock of 3 properties is one bulk action with one item per lock, each set
// on its lock; the summary says so; it is audited once with the count and a link; a double submit of the same form
// finds the same action and sends nothing more.
func TestBulkCodeAllSet(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	props, locks := bulkPick(t, env, 3)
	form := bulkForm(t, env, c, props, locks, "Cleaner Ana", "583920")
	id := bulkStart(t, env, c, "/bulk/codes", form)
	res := bulkDone(t, env, c, id)
	n := len(locks)
	if got, want := bulkSummaryText(t, res), fmt.Sprintf("Set on %d of %d", n, n); got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	items := byTestID(res.doc, "bulk-item")
	if items.Length() != n || items.Filter(`[data-status=ok]`).Length() != n {
		t.Errorf("items: %d, %d ok; want %d set", items.Length(), items.Filter(`[data-status=ok]`).Length(), n)
	}
	if strings.Contains(res.body, "583920") {
		t.Error("the progress shows the PIN")
	}
	var upstream int
	for _, p := range props {
		upstream += env.upstreamCodeCount(t, p)
	}
	again := bulkStart(t, env, c, "/bulk/codes", form) // the double click
	if again != id {
		t.Errorf("a second submit of the same form made action %d, want %d", again, id)
	}
	var after int
	for _, p := range props {
		after += env.upstreamCodeCount(t, p)
	}
	if after != upstream {
		t.Errorf("upstream codes %d after the second submit, want %d", after, upstream)
	}
	recent, err := env.store.RecentBulkActions(t.Context(), 10)
	if err != nil || len(recent) != 1 {
		t.Fatalf("bulk actions: %d (%v), want 1", len(recent), err)
	}
	entries := bulkAudit(t, env, "bulk.lock_code.create")
	if len(entries) != 1 || entries[0].Outcome != db.OutcomeOK || entries[0].TargetID != strconv.FormatInt(id, 10) {
		t.Fatalf("audit rows %+v, want one ok row for action %d", entries, id)
	}
	wantContains(t, "audit detail", entries[0].Detail, fmt.Sprintf("on %d locks at 3 properties: /bulk/%d", n, id))
	page := env.get(t, c, "/bulk/"+strconv.FormatInt(id, 10))
	wantStatus(t, page, http.StatusOK)
	if _, polling := one(t, page.doc, "bulk-progress").Attr("hx-get"); polling {
		t.Error("a finished action's page still polls")
	}
}

// TestBulkCodeOneFailsThenRetry: one chosen lock's hub is offline, so that lock fails with the hub's reason while
// the others are set; the summary names it; the retry button, after the hub is back, sets it too.
func TestBulkCodeOneFailsThenRetry(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	props, locks := bulkPick(t, env, 3)
	last := props[len(props)-1]
	var chosen []db.Device
	var offline db.Device
	for _, l := range locks {
		if l.PropertyID == nil || *l.PropertyID != last {
			chosen = append(chosen, l)
		} else if offline.ID == "" {
			offline = l
			chosen = append(chosen, l)
		}
	}
	if err := env.sim.SetHubOnline(offline.HubID, false); err != nil {
		t.Fatal(err)
	}
	id := bulkStart(t, env, c, "/bulk/codes", bulkForm(t, env, c, props, locks[:0], "Painter Bo", "720361", chosen...))
	n := len(chosen)
	res := bulkDone(t, env, c, id)
	if got, want := bulkSummaryText(t, res), fmt.Sprintf("Set on %d of %d; 1 failed: hub offline", n-1, n); got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	failed := res.doc.Find(`[data-testid=bulk-item][data-status=failed]`)
	if failed.Length() != 1 || !strings.Contains(text(failed), deviceName(offline)) {
		t.Errorf("failed items %q, want only %s", text(failed), deviceName(offline))
	}
	one(t, res.doc, "bulk-retry")

	if err := env.sim.SetHubOnline(offline.HubID, true); err != nil {
		t.Fatal(err)
	}
	retry := env.postForm(t, c, "/bulk/"+strconv.FormatInt(id, 10)+"/retry", nil, http.Header{"HX-Request": {"true"}})
	wantStatus(t, retry, http.StatusOK)
	res = bulkDone(t, env, c, id)
	if got, want := bulkSummaryText(t, res), fmt.Sprintf("Set on %d of %d", n, n); got != want {
		t.Errorf("after the retry, summary = %q, want %q", got, want)
	}
	if byTestID(res.doc, "bulk-retry").Length() != 0 {
		t.Error("a retry button with nothing failed")
	}
	if e := bulkAudit(t, env, "bulk.retry"); len(e) != 1 || !strings.Contains(e[0].Detail, "1 item of /bulk/") {
		t.Errorf("retry audit rows %+v, want one naming 1 item", e)
	}
}
