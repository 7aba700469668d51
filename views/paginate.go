package views

import (
	"net/url"
	"strconv"
)

// PageLinks is the pagination bar under a list. Every URL is precomputed with the list's filters preserved.
type PageLinks struct {
	Page, TotalPages int
	PrevURL, NextURL string         // empty on the first / last page
	Links            []PageLinkData // numbered links with gaps, e.g. 1 … 4 5 [6] 7 8 … 20
	Target           string         // CSS selector htmx swaps the results into; empty = plain links
}

// PageLinkData is one entry of the bar; Gap entries render as an ellipsis and have no URL.
type PageLinkData struct {
	Number  int
	URL     string
	Current bool
	Gap     bool
}

// pageWindow is how many page numbers are shown either side of the current one.
const pageWindow = 2

// Paginate builds the links for page (1-based) of totalPages on path, keeping every other query parameter of
// query. Page 1 drops the parameter, so the first page keeps its canonical URL. With one page or none the bar is
// empty (TotalPages ≤ 1) and Pagination renders nothing.
func Paginate(path string, query url.Values, page, totalPages int, target string) PageLinks {
	totalPages = max(totalPages, 0)
	page = min(max(page, 1), max(totalPages, 1))
	p := PageLinks{Page: page, TotalPages: totalPages, Target: target}
	if totalPages <= 1 {
		return p
	}
	link := func(n int) string {
		q := url.Values{}
		for k, vs := range query {
			q[k] = append([]string(nil), vs...)
		}
		if n <= 1 {
			q.Del("page")
		} else {
			q.Set("page", strconv.Itoa(n))
		}
		if enc := q.Encode(); enc != "" {
			return path + "?" + enc
		}
		return path
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < totalPages {
		p.NextURL = link(page + 1)
	}
	// First page, a window around the current one, last page, and a gap wherever two or more numbers are
	// skipped. Only the shown numbers are visited, so a huge page count costs nothing.
	shown := []int{1}
	for n := max(page-pageWindow, 2); n <= min(page+pageWindow, totalPages-1); n++ {
		shown = append(shown, n)
	}
	shown = append(shown, totalPages)
	for i, n := range shown {
		switch {
		case i == 0:
		case n == shown[i-1]+2: // an ellipsis would hide a single number: show it instead
			p.Links = append(p.Links, PageLinkData{Number: n - 1, URL: link(n - 1)})
		case n > shown[i-1]+2:
			p.Links = append(p.Links, PageLinkData{Gap: true})
		}
		p.Links = append(p.Links, PageLinkData{Number: n, URL: link(n), Current: n == page})
	}
	return p
}
