package main

import (
	"net/url"
	"strings"
	"testing"
)

// TestDeviceListRows: the device list rows walk every page of the mirror and then start again, ask for one
// city's low-battery locks, and sit in the portfolio table under the same target as the property list.
func TestDeviceListRows(t *testing.T) {
	t.Parallel()
	rows := deviceListRows(51) // three pages
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	var pages []string
	for i := range int64(4) {
		pages = append(pages, rows[0].url(i))
	}
	if got := strings.Join(pages, " "); got != "/devices?page=1 /devices?page=2 /devices?page=3 /devices?page=1" {
		t.Errorf("paging walks %s", got)
	}
	u, err := url.Parse(rows[1].url(7))
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); u.Path != "/devices" || q.Get("type") != "lock" || q.Get("city") != benchCity || q.Get("battery_below") != "20" {
		t.Errorf("filtered row asks for %s", u)
	}
	if got := deviceListRows(0)[0].url(5); got != "/devices?page=1" {
		t.Errorf("an empty mirror pages to %s", got)
	}
	r := report{PortfolioProperties: 5000}
	for _, row := range rows {
		r.Pages = append(r.Pages, pageLoad{Name: row.name, PerSec: 900, P95ms: 12.5})
	}
	md := r.markdown()
	for _, want := range []string{"| GET /devices?page=N (device list, every page in turn) | 900 |",
		"| GET /devices?battery_below=20&city=Chicago&type=lock (device list, low-battery locks in Chicago) | 900 |",
		"Target: property list, property detail and device list p95 < 25 ms"} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}
