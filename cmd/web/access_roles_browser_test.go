package main

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAccessRoleLimits: installers and auditors get 403 on the access pages and see no link to them;
// admins have both.
func TestBrowserAccessRoleLimits(t *testing.T) {
	a := startApp(t, nil)
	tests := []struct {
		email, password string
		allowed         bool
	}{
		{"installer@example.com", "demo-installer-password", false},
		{"auditor@example.com", "demo-auditor-password", false},
		{"admin@example.com", "demo-admin-password", true},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			ctx := browser(t)
			signIn(t, ctx, a, tt.email, tt.password)
			links, _ := chromedp.Run(ctx, chromedp.Nodes(`[data-testid=nav-invitations]`, chromedp.AtLeast(0)))
			if (len(links) == 1) != tt.allowed {
				t.Errorf("Invitations link shown = %v", len(links) == 1)
			}
			for _, path := range []string{"/invitations", "/invitations/new"} {
				if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+path), chromedp.WaitVisible(`main`)); err != nil {
					t.Fatal(err)
				}
				status, _ := chromedp.Run(ctx, chromedp.Nodes(`[data-testid=error-status]`, chromedp.AtLeast(0)))
				if forbidden := len(status) == 1; forbidden == tt.allowed {
					t.Errorf("%s: error page shown = %v", path, forbidden)
				}
				if !tt.allowed {
					if code, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=error-status]`)); code != "403" {
						t.Errorf("%s: status %q, want 403", path, code)
					}
				}
			}
		})
	}
}
