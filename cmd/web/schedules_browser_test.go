package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// editorSignIn signs the browser in through the login form and waits for the page behind it.
func editorSignIn(t *testing.T, ctx context.Context, base, email, password, waitFor string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(`[data-testid=login-form]`),
		chromedp.SendKeys(`[data-testid=login-email]`, email),
		chromedp.SendKeys(`[data-testid=login-password]`, password),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(waitFor),
	); err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
}

func editorSignOut(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(`[data-testid=logout]`), chromedp.WaitVisible(`[data-testid=login-form]`)); err != nil {
		t.Fatalf("sign out: %v", err)
	}
}

// countNodes is how many elements match sel now.
func countNodes(t *testing.T, ctx context.Context, sel string) int {
	t.Helper()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(sel, chromedp.AtLeast(0)))
	if err != nil {
		t.Fatalf("count %s: %v", sel, err)
	}
	return len(nodes)
}

// blockSel is the selector of one field of block row i of the schedule editor.
func blockSel(i, field string) string {
	return `[data-testid=block-row][data-index="` + i + `"] ` + field
}

// TestBrowserSchedules: leasing staff create a thermostat schedule in the editor (adding a block row without any
// inline script, and being told about a bad setpoint), activate it, and see it active on the device page; a hub
// installer sees none of the buttons and gets 403 from the editor.
func TestBrowserSchedules(t *testing.T) {
	a := startApp(t, nil)
	a.waitSynced(t)
	ctx := browser(t)

	editorSignIn(t, ctx, a.URL, "staff@example.com", "demo-staff-password", `[data-testid=counts]`)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/properties"),
		chromedp.WaitVisible(`[data-testid=property-row]`),
	); err != nil {
		t.Fatal(err)
	}
	if countNodes(t, ctx, `[data-testid=property-new]`) != 0 {
		t.Error("leasing staff see the New property button")
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid=property-row] [data-testid=property-link]`),
		chromedp.WaitVisible(`[data-testid=property-details]`),
		chromedp.Click(`[data-testid=device-group][data-type=thermostat] [data-testid=device-link]`),
		chromedp.WaitVisible(`[data-testid=schedules]`),
		// The card re-reads the upstream after the page loads; wait for that answer.
		chromedp.WaitVisible(`[data-testid=schedules]:not([data-refreshing])`),
	); err != nil {
		t.Fatalf("open a thermostat: %v", err)
	}
	device, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if countNodes(t, ctx, `[data-testid=device-assign]`) != 0 {
		t.Error("leasing staff see the assign-to-property form")
	}

	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid=schedule-new]`),
		chromedp.WaitVisible(`[data-testid=schedule-editor]`),
		chromedp.SendKeys(`[data-testid=schedule-name]`, "Winter weekdays"),
		chromedp.Click(`[data-testid=block-add]`),
		chromedp.WaitVisible(blockSel("1", `[data-testid=block-from]`)),
	); err != nil {
		t.Fatalf("editor: %v", err)
	}
	if got, _ := chromedp.Run(ctx, chromedp.Value(`[data-testid=schedule-name]`)); got != "Winter weekdays" {
		t.Errorf("adding a block lost the name: %q", got)
	}
	steps := []chromedp.Action[chromedp.Void]{}
	for _, day := range []string{"1", "2", "3", "4", "5"} {
		steps = append(steps, chromedp.Click(blockSel("0", `[data-day="`+day+`"]`)))
	}
	steps = append(steps,
		chromedp.SetValue(blockSel("0", `[data-testid=block-from]`), "07:00"),
		chromedp.SetValue(blockSel("0", `[data-testid=block-to]`), "22:00"),
		chromedp.SendKeys(blockSel("0", `[data-testid=block-heat]`), "95"), // out of range: refused first
		chromedp.Click(blockSel("1", `[data-day="0"]`)),
		chromedp.Click(blockSel("1", `[data-day="6"]`)),
		chromedp.SetValue(blockSel("1", `[data-testid=block-from]`), "08:00"),
		chromedp.SetValue(blockSel("1", `[data-testid=block-to]`), "23:00"),
		chromedp.SetValue(blockSel("1", `[data-testid=block-mode]`), "auto"),
		chromedp.SendKeys(blockSel("1", `[data-testid=block-heat]`), "66"),
		chromedp.SendKeys(blockSel("1", `[data-testid=block-cool]`), "75"),
		chromedp.Click(`[data-testid=schedule-save]`),
		chromedp.WaitVisible(`[data-testid=schedule-form-errors]`),
	)
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("fill the editor: %v", err)
	}
	msg, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=schedule-form-errors]`))
	if !strings.Contains(msg, "Block 1") || !strings.Contains(msg, "50 to 90") {
		t.Errorf("setpoint error %q", msg)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(blockSel("0", `[data-testid=block-heat]`), "68"),
		chromedp.Click(`[data-testid=schedule-save]`),
		chromedp.WaitVisible(`[data-testid=schedule-row]`),
	); err != nil {
		t.Fatalf("save: %v", err)
	}
	flash, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=flash]`))
	if !strings.Contains(flash, "schedule was created") {
		t.Errorf("flash %q", flash)
	}

	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid=schedule-activate]`),
		chromedp.WaitVisible(`[data-testid=schedule-active-name]`),
	); err != nil {
		t.Fatalf("activate: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(device), chromedp.WaitVisible(`[data-testid=schedule-active-badge]`)); err != nil {
		t.Fatalf("reload: %v", err)
	}
	active, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=schedule-active-name]`))
	if active != "Winter weekdays" {
		t.Errorf("device page shows %q as the active schedule", active)
	}
	if next, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=schedule-next]`)); !strings.Contains(next, "°F") {
		t.Errorf("next change %q", next)
	}
	editorSignOut(t, ctx)

	editorSignIn(t, ctx, a.URL, "installer@example.com", "demo-installer-password", `[data-testid=counts]`)
	if err := chromedp.Do(ctx, chromedp.Navigate(device), chromedp.WaitVisible(`[data-testid=schedule-active-name]`)); err != nil {
		t.Fatal(err)
	}
	for _, sel := range []string{"schedule-new", "schedule-activate", "schedule-edit", "schedule-delete", "device-assign"} {
		if countNodes(t, ctx, `[data-testid=`+sel+`]`) != 0 {
			t.Errorf("a hub installer sees %s", sel)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(device+"/schedules/new"), chromedp.WaitVisible(`[data-testid=error-page]`)); err != nil {
		t.Fatal(err)
	}
	if status, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=error-status]`)); status != "403" {
		t.Errorf("installer on the editor: status %q, want 403", status)
	}
}

// TestBrowserPortfolioEdits: an admin creates a property (after a bad time zone is refused), edits it, and deletes
// it from the confirmation page; an auditor sees no edit buttons and gets 403 from the form.
func TestBrowserPortfolioEdits(t *testing.T) {
	a := startApp(t, nil)
	a.waitSynced(t)
	ctx := browser(t)

	editorSignIn(t, ctx, a.URL, "admin@example.com", "demo-admin-password", `[data-testid=counts]`)
	fill := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(a.URL + "/properties"),
		chromedp.Click(`[data-testid=property-new]`),
		chromedp.WaitVisible(`[data-testid=property-form]`),
		chromedp.SendKeys(`[data-testid=property-name]`, "Juniper Flats 7"),
		chromedp.SendKeys(`[data-testid=property-street]`, "7 Juniper Way"),
		chromedp.SendKeys(`[data-testid=property-city]`, "Boulder"),
		chromedp.SendKeys(`[data-testid=property-state]`, "CO"),
		chromedp.SendKeys(`[data-testid=property-zipcode]`, "80302"),
		chromedp.SendKeys(`[data-testid=property-timezone-input]`, "Mountain Time"),
		chromedp.Click(`[data-testid=property-save]`),
		chromedp.WaitVisible(`[data-testid=property-form-errors]`),
	}
	if err := chromedp.Do(ctx, fill...); err != nil {
		t.Fatalf("new property: %v", err)
	}
	if msg, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=property-form-errors]`)); !strings.Contains(msg, "IANA time zone") {
		t.Errorf("time zone error %q", msg)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(`[data-testid=property-timezone-input]`, "America/Denver"),
		chromedp.Click(`[data-testid=property-save]`),
		chromedp.WaitVisible(`[data-testid=property-details]`),
	); err != nil {
		t.Fatalf("save property: %v", err)
	}
	if tz, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=property-timezone]`)); tz != "America/Denver" {
		t.Errorf("new property's zone %q", tz)
	}

	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid=property-edit]`),
		chromedp.WaitVisible(`[data-testid=property-form]`),
		chromedp.SetValue(`[data-testid=property-name]`, "Juniper Flats 7B"),
		chromedp.Click(`[data-testid=property-save]`),
		chromedp.WaitVisible(`[data-testid=property-details]`),
	); err != nil {
		t.Fatalf("edit property: %v", err)
	}
	if title, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=page-title]`)); title != "Juniper Flats 7B" {
		t.Errorf("title after edit %q", title)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid=property-delete]`),
		chromedp.WaitVisible(`[data-testid=property-delete-confirm]`),
		chromedp.WaitVisible(`[data-testid=delete-codes-none]`),
		chromedp.Click(`[data-testid=property-delete-submit]`),
		chromedp.WaitVisible(`[data-testid=property-filters]`),
	); err != nil {
		t.Fatalf("delete property: %v", err)
	}
	if flash, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=flash]`)); !strings.Contains(flash, "was deleted") {
		t.Errorf("flash after delete %q", flash)
	}
	editorSignOut(t, ctx)

	editorSignIn(t, ctx, a.URL, "auditor@example.com", "demo-auditor-password", `[data-testid=counts]`)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/properties"),
		chromedp.WaitVisible(`[data-testid=property-row]`),
	); err != nil {
		t.Fatal(err)
	}
	if countNodes(t, ctx, `[data-testid=property-new]`) != 0 {
		t.Error("an auditor sees New property")
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid=property-row] [data-testid=property-link]`),
		chromedp.WaitVisible(`[data-testid=property-details]`),
	); err != nil {
		t.Fatal(err)
	}
	if countNodes(t, ctx, `[data-testid=property-manage]`) != 0 {
		t.Error("an auditor sees the property's edit buttons")
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+"/properties/new"), chromedp.WaitVisible(`[data-testid=error-page]`)); err != nil {
		t.Fatal(err)
	}
	if status, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=error-status]`)); status != "403" {
		t.Errorf("auditor on the property form: status %q, want 403", status)
	}
}
