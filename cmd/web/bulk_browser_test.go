package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// simLock is a lock as the simulator's state holds it.
type simLock struct {
	ID         string `json:"id"`
	HubID      string `json:"hub_id"`
	PropertyID int64  `json:"property_id"`
	Type       string `json:"type"`
}

// simLocks reads the simulator's locks on online hubs, by property, in id order.
func (a *lcBrowserApp) simLocks(t *testing.T) map[int64][]simLock {
	t.Helper()
	raw, err := a.sim.State()
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Hubs    map[string]struct{ Online bool } `json:"hubs"`
		Devices map[string]simLock               `json:"devices"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	out := map[int64][]simLock{}
	for _, d := range st.Devices {
		if (d.Type == "lock" || d.Type == "access_panel") && d.PropertyID != 0 && st.Hubs[d.HubID].Online {
			out[d.PropertyID] = append(out[d.PropertyID], d)
		}
	}
	for p := range out {
		slices.SortFunc(out[p], func(x, y simLock) int { return strings.Compare(x.ID, y.ID) })
	}
	return out
}

// TestBrowserBulkCodeOneHubOffline: staff pick the properties (up to three) whose hubs are online on the bulk page, issue one code on their locks
// while one chosen lock's hub is offline, watch the progress change without a reload, see "1 failed: hub offline",
// bring the hub back (at the simulator, as the hardware would) and retry the failed one until every lock has it.
func TestBrowserBulkCodeOneHubOffline(t *testing.T) {
	a := startLockCodeApp(t, 1500*time.Millisecond)
	byProp := a.simLocks(t)
	var props []int64
	for p := range byProp {
		props = append(props, p)
	}
	slices.Sort(props)
	if len(props) < 2 {
		t.Fatalf("the simulator has locks on online hubs at %d properties, want 2 or more", len(props))
	}
	props = props[:min(3, len(props))]
	offline := byProp[props[len(props)-1]][0] // its hub goes offline; its other locks on that hub are left out
	var untick []string
	n := 0
	for _, p := range props {
		for _, l := range byProp[p] {
			if l.HubID == offline.HubID && l.ID != offline.ID {
				untick = append(untick, l.ID)
			} else {
				n++
			}
		}
	}
	if n < 2 {
		t.Fatalf("%d locks to issue on, want several", n)
	}
	if err := a.sim.SetHubOnline(offline.HubID, false); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	a.signIn(t, ctx, "staff")
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(a.URL + "/bulk"), chromedp.WaitVisible(`[data-testid=bulk-property-list]`)}
	for _, p := range props {
		steps = append(steps, chromedp.Click(`[data-testid=bulk-property][value="`+strconv.FormatInt(p, 10)+`"]`))
	}
	steps = append(steps, chromedp.Click(`[data-testid=bulk-to-code]`), chromedp.WaitVisible(`[data-testid=bulk-code-form]`))
	for _, id := range untick {
		steps = append(steps, chromedp.Click(`[data-testid=bulk-lock][value="`+id+`"]`))
	}
	steps = append(steps,
		chromedp.SendKeys(`[data-testid=bulk-name]`, "Bulk Cleaner"),
		chromedp.SendKeys(`[data-testid=bulk-pin]`, "602817"),
		chromedp.Click(`[data-testid=bulk-code-submit]`),
		chromedp.WaitVisible(`[data-testid=bulk-progress]`),
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`),
	)
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("issue the bulk code: %v", err)
	}
	if done, _ := chromedp.Run(ctx, chromedp.AttributeValue(`[data-testid=bulk-progress]`, "data-done")); done.Value != "false" {
		t.Fatalf("the progress page opened finished (data-done=%q): nothing to watch", done.Value)
	}
	want := fmt.Sprintf("Set on %d of %d; 1 failed: hub offline", n-1, n)
	a.waitSummary(t, ctx, want)
	same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument === true`))
	if err != nil || !same {
		t.Error("the page was reloaded to show the progress")
	}
	failed, _ := chromedp.Run(ctx, chromedp.Nodes(`[data-testid=bulk-item][data-status=failed]`, chromedp.AtLeast(0)))
	if len(failed) != 1 {
		t.Errorf("%d failed rows, want 1", len(failed))
	}
	if err := a.sim.SetHubOnline(offline.HubID, true); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`[data-testid=bulk-retry]`)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	a.waitSummary(t, ctx, fmt.Sprintf("Set on %d of %d", n, n))
	if nodes, _ := chromedp.Run(ctx, chromedp.Nodes(`[data-testid=bulk-retry]`, chromedp.AtLeast(0))); len(nodes) != 0 {
		t.Error("the retry button stays with nothing failed")
	}
}

// waitSummary waits until the live summary reads want, on the open page.
func (a *lcBrowserApp) waitSummary(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	waitFor(t, 30*time.Second, "the summary "+want, func() (bool, error) {
		got, err := chromedp.Run(ctx, chromedp.Text(`[data-testid=bulk-summary]`))
		if err != nil {
			return false, err
		}
		return strings.TrimSpace(got) == want, fmt.Errorf("summary %q", strings.TrimSpace(got))
	})
}
