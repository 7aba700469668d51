package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/keyless/dashboard/db"
)

// TestDeviceListHostileInput: every malformed, unknown, oversized or hostile value is answered 200 with the list
// and, where a value cannot be used, a message naming it; nothing is echoed unescaped.
func TestDeviceListHostileInput(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name, query string
		message     string // a substring of the one message expected; "" for none
	}{
		{"unknown type", "type=toaster", "There is no device type “toaster”"},
		{"type with NUL", "type=lock%00", "There is no device type"},
		{"type in another case", "type=LOCK", "There is no device type “LOCK”"},
		{"battery zero", "battery_below=0", "from 1 to 100"},
		{"battery 101", "battery_below=101", "from 1 to 100"},
		{"battery negative", "battery_below=-5", "from 1 to 100"},
		{"battery fraction", "battery_below=19.5", "from 1 to 100"},
		{"battery words", "battery_below=twenty", "“twenty”"},
		{"battery huge", "battery_below=99999999999999999999999", "from 1 to 100"},
		{"battery blank", "battery_below=", ""},
		{"property text", "property=abc", "There is no property “abc”"},
		{"property unknown", "property=999999", "There is no property “999999”"},
		{"property negative", "property=-1", "There is no property"},
		{"property overflow", "property=99999999999999999999", "There is no property"},
		{"sort unknown", "sort=" + url.QueryEscape("name; DROP TABLE devices"), "cannot be sorted by"},
		{"dir sideways", "dir=sideways", "neither ascending nor descending"},
		{"sql in q", "q=" + url.QueryEscape("' OR 1=1 --"), ""},
		{"like wildcards in q", "q=" + url.QueryEscape(`%_\`), ""},
		{"oversized q", "q=" + long, ""},
		{"oversized city", "city=" + long, ""},
		{"invalid utf-8", "q=%ff%fe&city=%c3", ""},
		{"page junk", "page=-3&page=abc", ""},
		{"page huge", "page=99999999999999", ""},
		{"offline any value", "offline=yes&alerts=on", ""},
		{"repeated keys", "type=lock&type=toaster&city=Chicago&city=Austin", ""},
		{"everything at once", "q=door&type=lock&property=101&city=Chicago&battery_below=20&offline=1&alerts=1&sort=battery&dir=desc&page=2", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := env.get(t, c, "/devices?"+tt.query)
			wantStatus(t, res, http.StatusOK)
			one(t, res.doc, "device-results")
			msgs := byTestID(res.doc, "device-filter-errors").Find("[data-testid=notice]")
			switch {
			case tt.message == "" && msgs.Length() > 0:
				t.Fatalf("unexpected message %q", text(msgs))
			case tt.message != "" && (msgs.Length() != 1 || !strings.Contains(text(msgs), tt.message)):
				t.Fatalf("messages %q, want one with %q", text(msgs), tt.message)
			}
			if v, _ := byTestID(res.doc, "filter-q").Attr("value"); len(v) > 3*maxQuery {
				t.Errorf("q kept %d bytes", len(v))
			}
		})
	}
}

// TestDeviceListEscapes: HTML and script in the search and the city come back as text, never as markup.
func TestDeviceListEscapes(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	payload := `"><script>alert(1)</script><img src=x onerror=alert(2)>`
	res := env.get(t, c, "/devices?q="+url.QueryEscape(payload)+"&city="+url.QueryEscape(payload)+"&type="+url.QueryEscape(payload))
	wantStatus(t, res, http.StatusOK)
	if strings.Contains(res.body, "<script>alert(1)") || strings.Contains(res.body, "<img src=x") {
		t.Fatal("the payload is in the page unescaped")
	}
	if n := res.doc.Find("script:not([src])").Length(); n != 0 {
		t.Fatalf("%d inline scripts", n)
	}
	if got := byTestID(res.doc, "filter-q").AttrOr("value", ""); got != payload {
		t.Errorf("search box holds %q, want the payload as text", got)
	}
	if got := res.doc.Find(`[data-testid=filter-city] option[selected]`).AttrOr("value", ""); got != payload {
		t.Errorf("city kept as %q", got)
	}
	if msg := text(byTestID(res.doc, "device-filter-errors")); !strings.Contains(msg, payload) {
		t.Errorf("the type message %q does not show the value as text", msg)
	}
}

// TestDeviceListPage covers the page around the list: roles, navigation, the htmx fragment, canonical links,
// the quick filters keeping the city, and the property chip.
func TestDeviceListPage(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withProperties(30))
	wantSignedOut(t, env.get(t, env.client(t), "/devices"))
	for _, role := range roles {
		t.Run(string(role), func(t *testing.T) {
			c := env.signedInClient(t, role)
			res := env.get(t, c, "/devices")
			wantStatus(t, res, http.StatusOK)
			nav := one(t, res.doc, "nav-devices")
			if nav.AttrOr("href", "") != "/devices" || nav.AttrOr("aria-current", "") != "page" {
				t.Errorf("nav link %q current %q", nav.AttrOr("href", ""), nav.AttrOr("aria-current", ""))
			}
		})
	}
	c := env.signedInClient(t, db.RoleStaff)
	t.Run("htmx fragment", func(t *testing.T) {
		res := env.get(t, c, "/devices?type=lock&city=Chicago", htmx)
		wantStatus(t, res, http.StatusOK)
		one(t, res.doc, "device-results")
		// The quick filters travel with the results, so they keep the city the form just chose.
		if got := one(t, res.doc, "quick-offline").AttrOr("href", ""); got != "/devices?city=Chicago&offline=1" {
			t.Errorf("quick filter in the fragment: %q", got)
		}
		if byTestID(res.doc, "device-filters").Length() != 0 || byTestID(res.doc, "nav-devices").Length() != 0 {
			t.Error("the fragment carries the page around the results")
		}
		if !strings.Contains(strings.Join(res.header.Values("Vary"), ","), "HX-Request") {
			t.Errorf("Vary %q lacks HX-Request", res.header.Values("Vary"))
		}
	})
	t.Run("canonical page links", func(t *testing.T) {
		res := env.get(t, c, "/devices?q=&type=&junk=1&battery_below=100&offline=&sort=name&dir=asc")
		wantStatus(t, res, http.StatusOK)
		next := one(t, res.doc, "page-next").AttrOr("href", "")
		if next != "/devices?battery_below=100&page=2" {
			t.Errorf("next page %q", next)
		}
		res = env.get(t, c, "/devices?city=chicago")
		if got := res.doc.Find(`[data-testid=filter-city] option[selected]`).AttrOr("value", ""); got != "Chicago" {
			t.Errorf("the form keeps the city as %q, want the mirror's spelling", got)
		}
	})
	t.Run("quick filters keep the city", func(t *testing.T) {
		res := env.get(t, c, "/devices?city=Chicago")
		wantStatus(t, res, http.StatusOK)
		q := one(t, res.doc, "quick-low-battery-locks")
		if got := q.AttrOr("href", ""); got != "/devices?battery_below=20&city=Chicago&type=lock" {
			t.Errorf("low battery locks link %q", got)
		}
		if !strings.Contains(text(q), "in Chicago") {
			t.Errorf("label %q", text(q))
		}
		res = env.get(t, c, q.AttrOr("href", ""))
		if one(t, res.doc, "quick-low-battery-locks").AttrOr("aria-current", "") != "true" {
			t.Error("the quick filter shown is not marked current")
		}
		if got := res.doc.Find(`[data-testid=filter-type] option[selected]`).AttrOr("value", ""); got != "lock" {
			t.Errorf("type %q", got)
		}
	})
	t.Run("property chip", func(t *testing.T) {
		p, err := env.store.Property(t.Context(), 101)
		if err != nil {
			t.Fatal(err)
		}
		res := env.get(t, c, "/devices?property=101&type=lock")
		wantStatus(t, res, http.StatusOK)
		if chip := text(one(t, res.doc, "filter-property")); !strings.Contains(chip, p.Name) {
			t.Errorf("chip %q lacks %q", chip, p.Name)
		}
		if got := one(t, res.doc, "filter-property-clear").AttrOr("href", ""); got != "/devices?type=lock" {
			t.Errorf("clear link %q", got)
		}
		props := byTestID(res.doc, "device-property")
		if props.Length() == 0 {
			t.Fatal("no locks at property 101")
		}
		props.Each(func(_ int, s *goquery.Selection) {
			if s.AttrOr("href", "") != "/properties/101" {
				t.Errorf("a row of another property: %q", s.AttrOr("href", ""))
			}
		})
	})
}
