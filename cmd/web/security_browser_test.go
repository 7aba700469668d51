package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/keyless/dashboard/smarthome/simulator"
)

// secPayloads would each set window.__xss (or open a dialog) if the page ran them; each carries "xss" so the text
// can be found on the page.
var secPayloads = []string{
	`xss<script>window.__xss=1</script>`,
	`xss"><img src=x onerror="window.__xss=2">`,
	`javascript:window.__xss=3//xss`,
	`xss'><svg onload=alert(1)>`,
}

// secHostileState rewrites the shown text fields of the simulator's state with the payloads.
func secHostileState(t *testing.T, sim *simulator.Simulator) {
	t.Helper()
	raw, err := sim.State()
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]json.RawMessage
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	fields := map[string][]string{"properties": {"name", "street_address", "city"},
		"hubs": {"home_name", "street_address", "city"}, "devices": {"name", "occupant_setting"}}
	n := 0
	for coll, fs := range fields {
		var items map[string]map[string]any
		if err := json.Unmarshal(st[coll], &items); err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			for _, f := range fs {
				it[f] = secPayloads[n%len(secPayloads)]
				n++
			}
		}
		if st[coll], err = json.Marshal(items); err != nil {
			t.Fatal(err)
		}
	}
	out, _ := json.Marshal(st)
	if err := sim.ReplaceState(out); err != nil {
		t.Fatal(err)
	}
}

// secLock is a lock of property 101 and its hub (online: the first property's hub always is), from the simulator.
func secLock(t *testing.T, sim *simulator.Simulator) (lock, hub string) {
	t.Helper()
	raw, err := sim.State()
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Devices map[string]struct {
			ID, Type   string
			HubID      string `json:"hub_id"`
			PropertyID int64  `json:"property_id"`
		} `json:"devices"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	for _, d := range st.Devices {
		if d.Type == "lock" && d.PropertyID == 101 {
			return d.ID, d.HubID
		}
	}
	t.Fatal("no lock in property 101")
	return "", ""
}

// TestBrowserHostileDataInert: with markup in every property, hub and device text field and in a webhook's
// fields, Chromium loads every page (and the live push of the delivery) without opening a dialog or running any
// script from the data, and shows the payloads as text.
func TestBrowserHostileDataInert(t *testing.T) {
	a := startLockCodeApp(t, 50*time.Millisecond)
	secHostileState(t, a.sim)
	c := a.client(t)
	a.login(t, c, lcPeople["staff"], lcPassword)
	resp, err := c.PostForm(a.URL+"/sync", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	waitFor(t, 30*time.Second, "the sync of the hostile names", func() (bool, error) {
		doc := a.getDoc(t, c, "/properties")
		return strings.Contains(doc.Find(`[data-testid=property-row]`).Text(), "xss"), errNotYet
	})
	lock, hub := secLock(t, a.sim)

	bctx := browser(t)
	var dialogs atomic.Int32
	go func() {
		for _, err := range chromedp.Events(bctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			dialogs.Add(1)
			_, _ = chromedp.Call(bctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	if err := chromedp.Do(bctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.SendKeys(`[data-testid=login-email]`, lcPeople["admin"]),
		chromedp.SendKeys(`[data-testid=login-password]`, lcPassword),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(`[data-testid=counts]`),
	); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	pages := []string{"/", "/properties", "/properties/101", "/hubs", "/hubs/" + hub, "/devices/" + lock,
		"/properties/101/lock-codes", "/drift", "/properties/101/drift", "/properties/101/edit", "/hubs/" + hub + "/edit"}
	for _, path := range pages {
		secCheckPage(t, bctx, a.URL+path, path, &dialogs)
	}
	// A delivery with markup in every field, pushed live into the open activity log, then shown on reload.
	if err := chromedp.Do(bctx, chromedp.Navigate(a.URL+"/activities"), chromedp.WaitVisible(`[data-testid=activity-results]`)); err != nil {
		t.Fatal(err)
	}
	waitStreamOpen(t, bctx)
	body := fmt.Sprintf(`{"hub_id":%q,"home_name":%q,"serial_no":%q,"address":%q,"pms_datapull_id":%q,"device_id":%q,`+
		`"device_name":%q,"device_type":"lock","message_type":"Unlock","details":%q,"User":%q,"activity_time":%d}`,
		hub, secPayloads[0], secPayloads[1], secPayloads[2], secPayloads[3], lock, secPayloads[1], secPayloads[0],
		secPayloads[1], time.Now().UnixMilli())
	resp, err = http.Post(a.URL+"/webhooks/smarthome?token="+webhookSecret, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook: %d", resp.StatusCode)
	}
	if err := chromedp.Do(bctx, chromedp.WaitVisible(`[data-testid=activity-rows] [data-testid=activity-row][data-message-type=Unlock]`)); err != nil {
		t.Fatalf("the delivery was not pushed: %v", err)
	}
	secCheckPage(t, bctx, "", "/activities (live)", &dialogs)
	secCheckPage(t, bctx, a.URL+"/activities", "/activities", &dialogs)

	// The dialog listener works: a dialog the test opens itself is seen (else "no dialog" above proves nothing).
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[int](`setTimeout(function(){alert('probe')}, 0), 1`)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the probe dialog", func() (bool, error) { return dialogs.Load() == 1, errNotYet })
}

// secCheckPage loads url (or checks the open page when url is "") and fails if a dialog opened, a payload ran,
// or the page shows no payload text.
func secCheckPage(t *testing.T, ctx context.Context, url, name string, dialogs *atomic.Int32) {
	t.Helper()
	if url != "" {
		if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitReady(`body`)); err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
	}
	time.Sleep(100 * time.Millisecond) // let an onerror of a broken image fire, were there one
	ran, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__xss !== undefined`))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if ran {
		t.Errorf("%s: a script from the data ran", name)
	}
	if n := dialogs.Load(); n > 0 {
		t.Errorf("%s: %d dialogs opened", name, n)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.body.innerText.includes('xss')`))
	if err != nil || !shown {
		t.Errorf("%s shows no payload text (%v): the check would prove nothing", name, err)
	}
}
