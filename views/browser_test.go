package views

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/chromedp/chromedp"
	"github.com/keyless/dashboard/static"
)

// browser starts a fresh headless Chromium (Debian's, at $CHROMIUM or /usr/bin/chromium) with its own profile.
// With REQUIRE_BROWSER set (make test) a missing browser fails instead of skipping.
func browser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test")
	}
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("REQUIRE_BROWSER") != "" {
			t.Fatalf("browser tests need Chromium at %s: %v", path, err)
		}
		t.Skipf("no Chromium at %s (make test installs it)", path)
	}
	actx, acancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900))
	ctx, cancel := chromedp.NewContext(actx)
	ctx, tcancel := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		tcancel()
		cancel()
		acancel()
	})
	return ctx
}

// waitJS polls a JavaScript predicate until it holds (or fails the test after a few seconds).
func waitJS(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(10*time.Second),
		chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("%s (%s): %v", what, expr, err)
	}
}

// testSite serves the real layout, static files and a few endpoints the behaviours in app.js talk to.
func testSite(t *testing.T) (srv *httptest.Server, refreshes, violations *atomic.Int32) {
	t.Helper()
	refreshes, violations = new(atomic.Int32), new(atomic.Int32)
	meta := signedIn(NavProperties, false)
	meta.Flash = []FlashData{{Kind: "ok", Message: "Saved."}}
	list := PropertyListData{Total: 1, Rows: []PropertyRowData{{ID: "1", Name: "Maple Court"}}}
	mux := http.NewServeMux()
	mux.Handle("/static/", static.Handler())
	mux.HandleFunc("GET /properties", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "HX-Request")
		if r.Header.Get("HX-Request") == "true" { // the filter form asks for the results region only
			q := r.URL.Query().Get("q")
			_ = PropertyResults(PropertyListData{Filter: PropertyFilterData{Q: q}, Total: 1,
				Rows: []PropertyRowData{{ID: "2", Name: "Result for " + q}}}).Render(r.Context(), w)
			return
		}
		_ = PropertiesPage(meta, list).Render(r.Context(), w)
	})
	live := meta
	live.EventsURL = "/events"
	mux.Handle("GET /live", templ.Handler(Layout(live, templ.Raw( // a test constant, not outside data
		`<div data-refresh-on-reconnect hx-get="/refreshed" hx-trigger="refresh" hx-swap="outerHTML">waiting</div>`))))
	mux.HandleFunc("GET /refreshed", func(w http.ResponseWriter, r *http.Request) {
		refreshes.Add(1)
		_, _ = w.Write([]byte(`<div data-testid="refreshed">fresh</div>`))
	})
	mux.HandleFunc("GET /events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte(": open\n\n"))
		http.NewResponseController(w).Flush()
		<-r.Context().Done()
	})
	expired := meta
	expired.EventsURL = "/events-expired"
	mux.Handle("GET /expired", templ.Handler(Layout(expired, templ.Raw("<p>stale page</p>"))))
	mux.HandleFunc("GET /events-expired", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
	})
	mux.Handle("GET /login", templ.Handler(LoginPage(LoginData{Next: "/"})))
	mux.HandleFunc("POST /csp-report", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
		violations.Add(1)
		t.Errorf("CSP violation: %s", body)
	})
	// The production policy forbids inline scripts, inline styles and eval; the pages must work under it.
	csp := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "+
			"img-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; report-uri /csp-report")
		mux.ServeHTTP(w, r)
	})
	srv = httptest.NewServer(csp)
	t.Cleanup(func() {
		srv.CloseClientConnections() // ends the open event stream, or Close would wait for it
		srv.Close()
	})
	return srv, refreshes, violations
}

func TestBrowserBehaviour(t *testing.T) {
	ctx := browser(t)
	srv, refreshes, violations := testSite(t)
	t.Cleanup(func() {
		if n := violations.Load(); n > 0 {
			t.Errorf("%d CSP violations", n)
		}
	})
	const toggle = `[data-testid="theme-toggle"]`

	t.Run("theme toggle is remembered", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/properties"), chromedp.WaitVisible(chromedp.CSS(toggle))); err != nil {
			t.Fatal(err)
		}
		before, err := chromedp.Run(ctx, chromedp.Evaluate[string](`matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"`))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"dark": "light", "light": "dark"}[before]
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(toggle))); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, "theme applied", `document.documentElement.dataset.theme === "`+want+`"`)
		if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(toggle))); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, "theme kept after reload", `document.documentElement.dataset.theme === "`+want+`" && localStorage.getItem("theme") === "`+want+`"`)
		label, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(toggle)))
		if err != nil || !strings.Contains(strings.ToLower(label), before) {
			t.Errorf("toggle label = %q (%v), want it to offer the %s theme", label, err, before)
		}
	})
	t.Run("flash can be dismissed", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/properties"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
			chromedp.Click(chromedp.CSS(`[data-testid="flash"] [data-dismiss]`)),
			chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="flash"]`))); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("filter form swaps the results and pushes the URL", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/properties"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="filter-q"]`)),
			chromedp.SendKeys(chromedp.CSS(`[data-testid="filter-q"]`), "oak")); err != nil {
			t.Fatal(err)
		}
		waitJS(t, ctx, "results swapped", `document.querySelector('[data-testid="property-link"]').textContent === "Result for oak"`)
		waitJS(t, ctx, "URL pushed", `new URLSearchParams(location.search).get("q") === "oak"`)
		waitJS(t, ctx, "form kept", `document.querySelectorAll('[data-testid="property-filters"]').length === 1 && document.querySelectorAll('#property-results').length === 1`)
	})
	t.Run("phone menu opens and closes", func(t *testing.T) {
		const menu, nav = `[data-testid="nav-toggle"]`, `[data-testid="nav-hubs"]`
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 800), chromedp.Navigate(srv.URL+"/properties"),
			chromedp.WaitVisible(chromedp.CSS(menu)), chromedp.WaitNotVisible(chromedp.CSS(nav)),
			chromedp.Click(chromedp.CSS(menu)), chromedp.WaitVisible(chromedp.CSS(nav))); err != nil {
			t.Fatal(err)
		}
		if exp, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(menu), "aria-expanded")); err != nil || exp.Value != "true" {
			t.Errorf("aria-expanded = %+v (%v)", exp, err)
		}
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(menu)), chromedp.WaitNotVisible(chromedp.CSS(nav)),
			chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(nav)),
			chromedp.WaitNotVisible(chromedp.CSS(menu))); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("stream open refreshes marked widgets", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/live"),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="refreshed"]`))); err != nil {
			t.Fatal(err)
		}
		if refreshes.Load() < 1 {
			t.Error("no refresh request")
		}
	})
	t.Run("expired session goes to sign-in", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/expired")); err != nil {
			t.Fatal(err)
		}
		want := srv.URL + "/login?next=%2Fexpired"
		var got string
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			// Poll does not survive the navigation this waits for: read the location until it changes.
			if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
				if got = loc; got == want {
					return
				}
			}
		}
		t.Fatalf("location = %q, want %q", got, want)
	})
}
