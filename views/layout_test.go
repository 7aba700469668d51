package views

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/a-h/templ"
)

func TestLayoutNavByRole(t *testing.T) {
	t.Parallel()
	body := templ.Raw("<p>body</p>") // a constant from the test, not outside data
	tests := []struct {
		name      string
		meta      PageMeta
		wantLinks []string // data-testids of nav links, in order
		current   string
	}{
		{name: "signed out", meta: PageMeta{Title: "x"}},
		{name: "staff", meta: signedIn(NavProperties, false),
			wantLinks: []string{"nav-home", "nav-properties", "nav-hubs", "nav-devices", "nav-alerts"}, current: "nav-properties"},
		{name: "admin", meta: signedIn(NavUsers, true),
			wantLinks: []string{"nav-home", "nav-properties", "nav-hubs", "nav-devices", "nav-alerts", "nav-users"}, current: "nav-users"},
		{name: "home", meta: signedIn(NavHome, true),
			wantLinks: []string{"nav-home", "nav-properties", "nav-hubs", "nav-devices", "nav-alerts", "nav-users"}, current: "nav-home"},
	}
	hrefs := map[string]string{"nav-home": "/", "nav-properties": "/properties", "nav-hubs": "/hubs", "nav-devices": "/devices", "nav-alerts": "/alerts", "nav-users": "/users"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := render(t, Layout(tt.meta, body))
			links := doc.Find("nav.site-nav a.nav-link")
			var got []string
			links.Each(func(_ int, s *goquery.Selection) { got = append(got, s.AttrOr("data-testid", "")) })
			if strings.Join(got, ",") != strings.Join(tt.wantLinks, ",") {
				t.Fatalf("nav links = %v, want %v", got, tt.wantLinks)
			}
			for _, id := range tt.wantLinks {
				a := one(t, doc, id)
				if h := attr(t, a, "href"); h != hrefs[id] {
					t.Errorf("%s href = %q, want %q", id, h, hrefs[id])
				}
				cur, isCur := a.Attr("aria-current")
				if want := id == tt.current; isCur != want || (isCur && cur != "page") {
					t.Errorf("%s aria-current = %q (present %v), want present %v", id, cur, isCur, want)
				}
			}
			if tt.meta.User == nil {
				for _, id := range []string{"user-badge", "logout", "nav-toggle"} {
					if n := byTestID(doc, id).Length(); n != 0 {
						t.Errorf("signed out page has %d %s", n, id)
					}
				}
				one(t, doc, "theme-toggle")
				return
			}
			assertText(t, doc, "user-name", "Dana Reyes")
			assertText(t, doc, "user-role", "Leasing staff")
			if h := attr(t, one(t, doc, "user-badge"), "href"); h != "/account" {
				t.Errorf("user badge href = %q, want /account", h)
			}
			logout := one(t, doc, "logout")
			form := logout.Closest("form")
			if m, a := form.AttrOr("method", ""), form.AttrOr("action", ""); m != "post" || a != "/logout" {
				t.Errorf("logout form = %s %s, want post /logout", m, a)
			}
			if typ := attr(t, logout, "type"); typ != "submit" {
				t.Errorf("logout button type = %q", typ)
			}
		})
	}
}

func TestLayoutChrome(t *testing.T) {
	t.Parallel()
	meta := signedIn(NavHome, false)
	meta.Flash = []FlashData{{Kind: "ok", Message: "Saved."}, {Kind: "error", Message: "Could not reach the hub."}, {Kind: "weird", Message: "?"}}
	meta.Notices = []NoticeData{{Kind: "warn", Message: "Webhook secret is not set."}}
	doc := render(t, Layout(meta, templ.Raw("<p data-testid=body>hello</p>")))

	t.Run("head", func(t *testing.T) {
		if got := doc.Find("title").Text(); got != "Test · Smart Home" {
			t.Errorf("title = %q", got)
		}
		if lang := doc.Find("html").AttrOr("lang", ""); lang != "en" {
			t.Errorf("lang = %q", lang)
		}
		if doc.Find(`meta[name="viewport"]`).Length() != 1 {
			t.Error("no viewport meta")
		}
		cfg := attr(t, doc.Find(`meta[name="htmx-config"]`), "content")
		var parsed map[string]any
		if err := json.Unmarshal([]byte(cfg), &parsed); err != nil {
			t.Fatalf("htmx-config is not JSON: %v", err)
		}
		for k, want := range map[string]any{"allowEval": false, "includeIndicatorStyles": false, "historyCacheSize": float64(0)} {
			if parsed[k] != want {
				t.Errorf("htmx-config %s = %v, want %v", k, parsed[k], want)
			}
		}
		rh, _ := parsed["responseHandling"].([]any)
		if len(rh) != 3 {
			t.Fatalf("responseHandling = %v", parsed["responseHandling"])
		}
		if e, _ := rh[2].(map[string]any); e["code"] != "[45].." || e["swap"] != true || e["error"] != true {
			t.Errorf("error responses are not swapped: %v", e)
		}
		versioned := regexp.MustCompile(`^/static/[a-z./]+\?v=[0-9a-f]{12}$`)
		var srcs []string
		doc.Find("script").Each(func(_ int, s *goquery.Selection) {
			src := s.AttrOr("src", "")
			srcs = append(srcs, src)
			if !versioned.MatchString(src) {
				t.Errorf("script src %q is not a versioned static URL", src)
			}
			if _, ok := s.Attr("defer"); !ok {
				t.Errorf("script %q is not deferred", src)
			}
			if strings.TrimSpace(s.Text()) != "" {
				t.Errorf("inline script in %q", src)
			}
		})
		if len(srcs) != 3 || !strings.Contains(srcs[0], "htmx.min.js") || !strings.Contains(srcs[1], "sse.min.js") || !strings.Contains(srcs[2], "app.js") {
			t.Errorf("scripts = %v, want htmx, sse, app in that order", srcs)
		}
		if css := doc.Find(`link[rel="stylesheet"]`).AttrOr("href", ""); !versioned.MatchString(css) {
			t.Errorf("stylesheet href = %q", css)
		}
		if n := doc.Find("[style]").Length(); n != 0 {
			t.Errorf("%d elements with inline style (the CSP forbids them)", n)
		}
	})
	t.Run("flash", func(t *testing.T) {
		region := doc.Find("#flash")
		if region.AttrOr("role", "") != "status" || region.AttrOr("aria-live", "") != "polite" {
			t.Errorf("flash region attributes: role=%q aria-live=%q", region.AttrOr("role", ""), region.AttrOr("aria-live", ""))
		}
		flashes := region.Find(`[data-testid="flash"]`)
		if flashes.Length() != 3 {
			t.Fatalf("%d flashes, want 3", flashes.Length())
		}
		wantClass := []string{"flash-ok", "flash-error", "flash-info"}
		wantText := []string{"Saved.", "Could not reach the hub.", "?"}
		flashes.Each(func(i int, s *goquery.Selection) {
			if !s.HasClass(wantClass[i]) {
				t.Errorf("flash %d class = %q, want %s", i, s.AttrOr("class", ""), wantClass[i])
			}
			if got := text(s.Find("span")); got != wantText[i] {
				t.Errorf("flash %d text = %q", i, got)
			}
			if s.Find("button[data-dismiss]").Length() != 1 {
				t.Errorf("flash %d has no dismiss button", i)
			}
		})
	})
	t.Run("notices", func(t *testing.T) {
		n := doc.Find(`#notices [data-testid="notice"]`)
		if n.Length() != 1 || !n.HasClass("notice-warn") || text(n) != "Webhook secret is not set." {
			t.Errorf("notices = %d %q %q", n.Length(), n.AttrOr("class", ""), text(n))
		}
	})
	t.Run("main and toggles", func(t *testing.T) {
		if doc.Find("main#main [data-testid=body]").Length() != 1 {
			t.Error("body not inside main#main")
		}
		if byTestID(doc, "live").Length() != 0 {
			t.Error("live wrapper without an EventsURL")
		}
		toggle := one(t, doc, "theme-toggle")
		if _, ok := toggle.Attr("data-theme-toggle"); !ok || toggle.AttrOr("type", "") != "button" {
			t.Error("theme toggle is not a data-theme-toggle button")
		}
		nav := one(t, doc, "nav-toggle")
		if attr(t, nav, "aria-controls") != "site-nav" || doc.Find("#site-nav").Length() != 1 {
			t.Error("nav toggle does not control #site-nav")
		}
	})
}

func TestLayoutLive(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		eventsURL string
		wantLive  bool
	}{
		{"none", "", false},
		{"local", "/events?property=12", true},
		{"other origin", "//evil.example/events", false},
		{"absolute", "https://evil.example/events", false},
		{"javascript", "javascript:alert(1)", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			meta := signedIn(NavHome, false)
			meta.EventsURL = tt.eventsURL
			doc := render(t, Layout(meta, templ.Raw("<p data-testid=body>x</p>")))
			live := byTestID(doc, "live")
			if got := live.Length() == 1; got != tt.wantLive {
				t.Fatalf("live wrapper present = %v, want %v", got, tt.wantLive)
			}
			if doc.Find("main#main [data-testid=body]").Length() != 1 {
				t.Error("body not inside main#main")
			}
			if !tt.wantLive {
				if doc.Find("[sse-connect]").Length() != 0 {
					t.Error("sse-connect without a live wrapper")
				}
				return
			}
			if live.AttrOr("id", "") != "live" || live.AttrOr("hx-ext", "") != "sse" || live.AttrOr("sse-connect", "") != tt.eventsURL {
				t.Errorf("live wrapper: id=%q hx-ext=%q sse-connect=%q", live.AttrOr("id", ""), live.AttrOr("hx-ext", ""), live.AttrOr("sse-connect", ""))
			}
			if live.Find("main#main").Length() != 1 {
				t.Error("main is not inside the live wrapper")
			}
		})
	}
}
