package main

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/keyless/dashboard/smarthome/simulator"
)

// lcBrowserApp is a dashboard whose upstream is a simulator the test holds, so it can act at a lock's keypad.
type lcBrowserApp struct {
	*testApp
	sim *simulator.Simulator
}

// The first property of the simulator's portfolio: New York, its hub always online.
const lcBrowserProperty = "101"

// lcPeople are the logins the lock-code browser tests use, one per role (the admin is ADMIN_EMAIL).
var lcPeople = map[string]string{"admin": "admin@example.com", "staff": "staff@lc.example", "installer": "installer@lc.example", "auditor": "auditor@lc.example"}

const lcPassword = "lock-code-browser-password"

// startLockCodeApp starts a simulator (hardware answers after commandDelay) and the dashboard on it, then creates
// one login per role through the admin's users form.
func startLockCodeApp(t *testing.T, commandDelay time.Duration) *lcBrowserApp {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sim, err := simulator.Start(ctx, simulator.Options{CommandDelay: commandDelay, Properties: 3, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); sim.Close() })
	agent := simulator.DefaultAgents()[0]
	a := startApp(t, map[string]string{"SMARTHOME_API_URL": sim.URL, "SMARTHOME_USERNAME": agent.Username,
		"SMARTHOME_PASSWORD": agent.Password, "ADMIN_EMAIL": lcPeople["admin"], "ADMIN_PASSWORD": lcPassword})
	c := a.client(t)
	a.login(t, c, lcPeople["admin"], lcPassword)
	for _, role := range []string{"staff", "installer", "auditor"} {
		resp, err := c.PostForm(a.URL+"/users", url.Values{"email": {lcPeople[role]}, "name": {"Test " + role},
			"role": {role}, "password": {lcPassword}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("create %s: status %d", role, resp.StatusCode)
		}
	}
	waitFor(t, 30*time.Second, "the first mirror sync", func() (bool, error) {
		resp, err := c.Get(a.URL + "/properties/" + lcBrowserProperty)
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, errNotYet
	})
	return &lcBrowserApp{testApp: a, sim: sim}
}

// signIn opens the login page in the browser and signs in as role.
func (a *lcBrowserApp) signIn(t *testing.T, ctx context.Context, role string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(`[data-testid=login-form]`),
		chromedp.SendKeys(`[data-testid=login-email]`, lcPeople[role]),
		chromedp.SendKeys(`[data-testid=login-password]`, lcPassword),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitNotPresent(`[data-testid=login-form]`),
	); err != nil {
		t.Fatalf("sign in as %s: %v", role, err)
	}
}

// firstLock is the id of the first lock of the test property, read from its lock-codes form.
func (a *lcBrowserApp) firstLock(t *testing.T, ctx context.Context) string {
	t.Helper()
	id, err := chromedp.Run(ctx, chromedp.AttributeValue(`[data-testid=lock-code-lock-choice]`, "value"))
	if err != nil || id.Value == "" {
		t.Fatalf("no lock on the form: %v", err)
	}
	return id.Value
}

// TestBrowserLockCodeGoesLive: staff issue a code for a period in the property's zone; the list shows it setting,
// then set with its slot and confirmation time, without a reload; the issuer can reveal the PIN.
func TestBrowserLockCodeGoesLive(t *testing.T) {
	a := startLockCodeApp(t, 1500*time.Millisecond)
	ctx := browser(t)
	a.signIn(t, ctx, "staff")
	start := time.Now().Add(time.Hour).In(mustLoad(t, "America/New_York"))
	if err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/properties/"+lcBrowserProperty+"/lock-codes"),
		chromedp.WaitVisible(`[data-testid=lock-code-list]`),
		chromedp.Click(`[data-testid=lock-code-new]`),
		chromedp.WaitVisible(`[data-testid=lock-code-form]`),
		chromedp.SendKeys(`#lc-name`, "Browser Guest"),
		chromedp.SendKeys(`#lc-pin`, "730914"),
		chromedp.SetValue(`#lc-validity`, "Specific Period"),
		chromedp.Evaluate[chromedp.Void](`htmx.trigger('#lc-validity', 'change')`),
		chromedp.WaitVisible(`[data-testid=validity-period]`),
		chromedp.SetValue(`#lc-starts`, start.Format("2006-01-02T15:04")),
		chromedp.SetValue(`#lc-ends`, start.Add(48*time.Hour).Format("2006-01-02T15:04")),
		chromedp.Click(`[data-testid=lock-code-submit]`),
		chromedp.WaitVisible(`[data-testid=flash]`),
		chromedp.WaitVisible(`[data-testid=lock-code-row]`),
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`),
	); err != nil {
		t.Fatalf("issue a code: %v", err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/lock-codes?done=created") {
		t.Errorf("after saving the browser is at %s", loc)
	}
	state := `[data-testid=lock-code-row] [data-testid=lock-code-state]`
	if err := chromedp.Do(ctx, chromedp.WaitVisible(state+`[data-status=setting]`)); err != nil {
		t.Fatalf("the new code is not shown setting: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(state+`[data-status=set]`)); err != nil {
		t.Fatalf("the code never turned set on the open page: %v", err)
	}
	same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__sameDocument === true`))
	if err != nil || !same {
		t.Error("the page was reloaded to show the new state")
	}
	slot, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=lock-code-row] [data-testid=lock-code-slot]`))
	if !strings.HasPrefix(strings.TrimSpace(slot), "slot ") {
		t.Errorf("slot %q", slot)
	}
	validity, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=lock-code-validity]`))
	if !strings.Contains(validity, start.Format("Jan 2, 2006 3:04 PM")) {
		t.Errorf("validity %q is not in the property's zone (want %s)", validity, start.Format("Jan 2, 2006 3:04 PM"))
	}
	body, _ := chromedp.Run(ctx, chromedp.OuterHTML(`main`))
	if strings.Contains(body, "730914") {
		t.Error("the list shows the PIN before Reveal")
	}
	if err := chromedp.Do(ctx, chromedp.Click(`[data-testid=lock-code-reveal]`),
		chromedp.WaitVisible(`[data-testid=lock-code-pin-value]`)); err != nil {
		t.Fatalf("reveal: %v", err)
	}
	if pin, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=lock-code-pin-value]`)); strings.TrimSpace(pin) != "730914" {
		t.Errorf("revealed %q", pin)
	}
}

func mustLoad(t *testing.T, zone string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestBrowserLockCodeDrift: a PIN programmed at the lock's keypad, outside the dashboard, shows on the code-drift
// page as a code nobody issued, by slot and never by PIN; its remedy removes it from the lock.
func TestBrowserLockCodeDrift(t *testing.T) {
	a := startLockCodeApp(t, 300*time.Millisecond)
	ctx := browser(t)
	a.signIn(t, ctx, "staff")
	if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+"/properties/"+lcBrowserProperty+"/lock-codes/new"),
		chromedp.WaitVisible(`[data-testid=lock-code-form]`)); err != nil {
		t.Fatal(err)
	}
	lock := a.firstLock(t, ctx)
	const keypadPIN = "55038217"
	slot, err := a.sim.AddLockCodeAtKeypad(lock, keypadPIN, 0)
	if err != nil {
		t.Fatal(err)
	}
	item := `[data-testid=drift-lock][data-device-id="` + lock + `"] [data-testid=drift-item][data-kind=unknown][data-slot="` + strconv.Itoa(slot) + `"]`
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid=nav-drift]`),
		chromedp.WaitVisible(`[data-testid=drift-search]`),
		chromedp.Navigate(a.URL+"/drift?property="+lcBrowserProperty),
		chromedp.WaitVisible(`[data-testid=drift-report]`),
		chromedp.WaitVisible(item),
	); err != nil {
		t.Fatalf("the keypad code does not show as drift: %v", err)
	}
	body, _ := chromedp.Run(ctx, chromedp.OuterHTML(`main`))
	if strings.Contains(body, keypadPIN) {
		t.Fatal("the drift page shows the keypad PIN")
	}
	buttons, _ := chromedp.Run(ctx, chromedp.Nodes(item+` [data-testid=drift-remedy]`, chromedp.AtLeast(0)))
	if len(buttons) == 0 {
		manual, _ := chromedp.Run(ctx, chromedp.Text(item+` [data-testid=drift-manual]`))
		t.Skipf("this upstream cannot clear a slot remotely (needs DELETE /api/devices/{id}/codes/{slot}, smarthome/CONTRACT.md); the page says: %s", manual)
	}
	if err := chromedp.Do(ctx, chromedp.Click(item+` [data-testid=drift-remedy]`),
		chromedp.WaitVisible(`[data-testid=drift-message]`)); err != nil {
		t.Fatalf("remedy: %v", err)
	}
	waitFor(t, 15*time.Second, "the keypad code to leave the lock and the drift page", func() (bool, error) {
		if err := chromedp.Do(ctx, chromedp.Click(`[data-testid=drift-recheck]`), chromedp.WaitVisible(`[data-testid=drift-report]`)); err != nil {
			return false, err
		}
		left, err := chromedp.Run(ctx, chromedp.Nodes(item, chromedp.AtLeast(0)))
		return err == nil && len(left) == 0, errNotYet
	})
}

// TestBrowserLockCodeRoles: staff and admins see the code pages and the Code drift link; installers and auditors
// get neither link nor page (403).
func TestBrowserLockCodeRoles(t *testing.T) {
	a := startLockCodeApp(t, 300*time.Millisecond)
	for _, tt := range []struct {
		role    string
		allowed bool
	}{{"staff", true}, {"admin", true}, {"installer", false}, {"auditor", false}} {
		t.Run(tt.role, func(t *testing.T) {
			ctx := browser(t)
			a.signIn(t, ctx, tt.role)
			links, _ := chromedp.Run(ctx, chromedp.Nodes(`[data-testid=nav-drift]`, chromedp.AtLeast(0)))
			if got := len(links) == 1; got != tt.allowed {
				t.Errorf("Code drift link shown = %v", got)
			}
			for _, path := range []string{"/properties/" + lcBrowserProperty + "/lock-codes", "/drift", "/properties/" + lcBrowserProperty + "/drift"} {
				if tt.allowed {
					if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+path), chromedp.WaitVisible(`[data-testid=page-title]`)); err != nil {
						t.Errorf("%s: %v", path, err)
					}
					continue
				}
				if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+path), chromedp.WaitVisible(`[data-testid=error-page]`)); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if status, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=error-status]`)); !strings.Contains(status, "403") {
					t.Errorf("%s: status %q, want 403", path, status)
				}
			}
		})
	}
}
