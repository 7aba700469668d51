package views

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// linkString writes a bar compactly: "1 … 4 [5] 6 … 10".
func linkString(p PageLinks) string {
	var parts []string
	for _, l := range p.Links {
		switch {
		case l.Gap:
			parts = append(parts, "…")
		case l.Current:
			parts = append(parts, "["+strconv.Itoa(l.Number)+"]")
		default:
			parts = append(parts, strconv.Itoa(l.Number))
		}
	}
	return strings.Join(parts, " ")
}

func TestPaginate(t *testing.T) {
	t.Parallel()
	query := url.Values{"q": {"maple & co"}, "hub_offline": {"1"}, "page": {"4"}}
	tests := []struct {
		name        string
		page, total int
		wantBar     string
		wantPage    int
		wantPrev    string
		wantNext    string
	}{
		{name: "no results", page: 1, total: 0, wantBar: "", wantPage: 1},
		{name: "one page", page: 1, total: 1, wantBar: "", wantPage: 1},
		{name: "first of two", page: 1, total: 2, wantBar: "[1] 2", wantPage: 1,
			wantNext: "/properties?hub_offline=1&page=2&q=maple+%26+co"},
		{name: "last of two", page: 2, total: 2, wantBar: "1 [2]", wantPage: 2,
			wantPrev: "/properties?hub_offline=1&q=maple+%26+co"},
		{name: "middle of many", page: 6, total: 20, wantBar: "1 … 4 5 [6] 7 8 … 20", wantPage: 6,
			wantPrev: "/properties?hub_offline=1&page=5&q=maple+%26+co", wantNext: "/properties?hub_offline=1&page=7&q=maple+%26+co"},
		{name: "single skipped number is shown", page: 4, total: 10, wantBar: "1 2 3 [4] 5 6 … 10", wantPage: 4,
			wantPrev: "/properties?hub_offline=1&page=3&q=maple+%26+co", wantNext: "/properties?hub_offline=1&page=5&q=maple+%26+co"},
		{name: "page past the end", page: 99, total: 5, wantBar: "1 2 3 4 [5]", wantPage: 5,
			wantPrev: "/properties?hub_offline=1&page=4&q=maple+%26+co"},
		{name: "page below one", page: -3, total: 3, wantBar: "[1] 2 3", wantPage: 1,
			wantNext: "/properties?hub_offline=1&page=2&q=maple+%26+co"},
		{name: "huge count", page: 500000, total: 1000000, wantBar: "1 … 499998 499999 [500000] 500001 500002 … 1000000",
			wantPage: 500000, wantPrev: "/properties?hub_offline=1&page=499999&q=maple+%26+co",
			wantNext: "/properties?hub_offline=1&page=500001&q=maple+%26+co"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Paginate("/properties", query, tt.page, tt.total, "#property-results")
			if bar := linkString(got); bar != tt.wantBar {
				t.Errorf("bar = %q, want %q", bar, tt.wantBar)
			}
			if got.Page != tt.wantPage || got.PrevURL != tt.wantPrev || got.NextURL != tt.wantNext {
				t.Errorf("page=%d prev=%q next=%q, want %d %q %q", got.Page, got.PrevURL, got.NextURL, tt.wantPage, tt.wantPrev, tt.wantNext)
			}
			for _, l := range got.Links {
				if l.Gap {
					continue
				}
				u, err := url.Parse(l.URL)
				if err != nil {
					t.Fatalf("link %d: %v", l.Number, err)
				}
				if q := u.Query(); q.Get("q") != "maple & co" || q.Get("hub_offline") != "1" {
					t.Errorf("link %d lost the filters: %q", l.Number, l.URL)
				}
				if want := strconv.Itoa(l.Number); l.Number > 1 && u.Query().Get("page") != want || l.Number == 1 && u.Query().Has("page") {
					t.Errorf("link %d has page=%q", l.Number, u.Query().Get("page"))
				}
			}
		})
	}
	t.Run("query is not modified", func(t *testing.T) {
		t.Parallel()
		q := url.Values{"page": {"2"}, "q": {"x"}}
		Paginate("/hubs", q, 3, 9, "")
		if q.Get("page") != "2" || len(q) != 2 {
			t.Errorf("query changed: %v", q)
		}
	})
}

func TestPaginationComponent(t *testing.T) {
	t.Parallel()
	q := url.Values{"q": {"oak"}}
	tests := []struct {
		name     string
		links    PageLinks
		wantHTMX bool
	}{
		{"htmx", Paginate("/hubs", q, 2, 3, "#hub-results"), true},
		{"plain", Paginate("/hubs", q, 2, 3, ""), false},
		{"bad target falls back to plain", Paginate("/hubs", q, 2, 3, "body > main"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := render(t, Pagination(tt.links))
			one(t, doc, "pagination")
			if h := attr(t, one(t, doc, "page-prev"), "href"); h != "/hubs?q=oak" {
				t.Errorf("prev href = %q", h)
			}
			if h := attr(t, one(t, doc, "page-next"), "href"); h != "/hubs?page=3&q=oak" {
				t.Errorf("next href = %q", h)
			}
			if cur := one(t, doc, "page-current"); text(cur) != "2" || cur.AttrOr("aria-current", "") != "page" {
				t.Errorf("current = %q", text(cur))
			}
			links := byTestID(doc, "page-link")
			if links.Length() != 2 {
				t.Fatalf("%d numbered links, want 2", links.Length())
			}
			links.Each(func(_ int, a *goquery.Selection) {
				href := attr(t, a, "href")
				_, hasGet := a.Attr("hx-get")
				if hasGet != tt.wantHTMX {
					t.Errorf("hx-get present = %v, want %v", hasGet, tt.wantHTMX)
				}
				if !tt.wantHTMX {
					return
				}
				if a.AttrOr("hx-get", "") != href || a.AttrOr("hx-target", "") != "#hub-results" ||
					a.AttrOr("hx-select", "") != "#hub-results" || a.AttrOr("hx-swap", "") != "outerHTML" ||
					a.AttrOr("hx-push-url", "") != "true" {
					t.Errorf("htmx attributes of %q are wrong", href)
				}
			})
		})
	}
	t.Run("single page renders nothing", func(t *testing.T) {
		t.Parallel()
		doc := render(t, Pagination(Paginate("/hubs", q, 1, 1, "#hub-results")))
		if byTestID(doc, "pagination").Length() != 0 {
			t.Error("pagination shown for a single page")
		}
	})
}
