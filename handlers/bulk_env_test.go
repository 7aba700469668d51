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

// bulkPick returns n properties whose locks sit on online hubs, with those locks.
func bulkPick(t *testing.T, e *lcEnv, n int) ([]int64, []db.Device) {
	t.Helper()
	var props []int64
	var locks []db.Device
	for id := lcProperty; len(props) < n && id < lcProperty+12; id++ {
		devs, err := e.store.DevicesByProperty(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		var mine []db.Device
		ok := true
		for _, d := range devs {
			if !lcIsLock(d.Type) {
				continue
			}
			h, err := e.store.Hub(t.Context(), d.HubID)
			ok = ok && err == nil && h.Online
			mine = append(mine, d)
		}
		if ok && len(mine) > 0 {
			props, locks = append(props, id), append(locks, mine...)
		}
	}
	if len(props) < n {
		t.Fatalf("only %d properties with locks on online hubs", len(props))
	}
	return props, locks
}

// bulkForm opens the bulk code form for props and returns its fields filled in for locks.
// The form's lock list is checked against locks; the locks ticked are locks, or tick when given.
func bulkForm(t *testing.T, e *lcEnv, c *http.Client, props []int64, locks []db.Device, name, pin string, tick ...db.Device) url.Values {
	t.Helper()
	q := url.Values{}
	for _, p := range props {
		q.Add("property", strconv.FormatInt(p, 10))
	}
	res := e.get(t, c, "/bulk/code?"+q.Encode())
	wantStatus(t, res, http.StatusOK)
	token, _ := res.doc.Find(`[data-testid=bulk-code-form] input[name=token]`).Attr("value")
	if len(token) != 32 {
		t.Fatalf("form token %q", token)
	}
	if got := byTestID(res.doc, "bulk-lock").Length(); len(tick) == 0 && got != len(locks) {
		t.Fatalf("the form lists %d locks, want %d", got, len(locks))
	}
	q.Set("token", token)
	q.Set("name", name)
	q.Set("pin", pin)
	q.Set("validity", smarthome.ValidityNeverExpires)
	if len(tick) > 0 {
		locks = tick
	}
	for _, l := range locks {
		q.Add("device", l.ID)
	}
	return q
}

// bulkStart posts a bulk form and returns the action's id.
func bulkStart(t *testing.T, e *lcEnv, c *http.Client, path string, form url.Values) int64 {
	t.Helper()
	return idFrom(t, e.postForm(t, c, path, form), "/bulk/")
}

// bulkDone polls the action's progress fragment until it says done, and returns that fragment.
func bulkDone(t *testing.T, e *lcEnv, c *http.Client, id int64) response {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		res := e.get(t, c, "/bulk/"+strconv.FormatInt(id, 10)+"/progress", http.Header{"HX-Request": {"true"}})
		wantStatus(t, res, http.StatusOK)
		if done, _ := one(t, res.doc, "bulk-progress").Attr("data-done"); done == "true" {
			return res
		}
		if time.Now().After(deadline) {
			t.Fatalf("bulk action %d never finished: %s", id, text(one(t, res.doc, "bulk-summary")))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func bulkSummaryText(t *testing.T, res response) string {
	t.Helper()
	return text(one(t, res.doc, "bulk-summary"))
}

// bulkAudit returns the audit rows of an action name.
func bulkAudit(t *testing.T, e *lcEnv, action string) []db.AuditEntry {
	t.Helper()
	entries, err := e.store.ListAudit(t.Context(), db.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return entries
}

func wantContains(t *testing.T, what, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("%s = %q, want it to contain %q", what, got, want)
	}
}
