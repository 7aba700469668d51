package main

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	_ "github.com/mattn/go-sqlite3" // the reference query reads the app's database file
)

// lockBattery is one lock of the demo mirror as the reference query reads it.
type lockBattery struct {
	id, city string
	battery  int
}

// mirrorLocks reads every lock with a battery and a property, with its city, straight from the app's database:
// the reference the page must match, independent of the store's list query.
func mirrorLocks(t *testing.T, path string) []lockBattery {
	t.Helper()
	conn, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.QueryContext(t.Context(), `SELECT d.id, p.city, d.battery FROM devices d
		JOIN properties p ON p.id = d.property_id WHERE d.type = 'lock' AND d.battery IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []lockBattery
	for rows.Next() {
		var l lockBattery
		if err := rows.Scan(&l.id, &l.city, &l.battery); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// pickCity is the city with the most locks below 20 % (then the most locks), and a battery bound other than 20
// that some but not all of its locks are below.
func pickCity(t *testing.T, locks []lockBattery) (string, int) {
	t.Helper()
	low, all := map[string]int{}, map[string][]int{}
	for _, l := range locks {
		all[l.city] = append(all[l.city], l.battery)
		if l.battery < 20 {
			low[l.city]++
		}
	}
	best := ""
	for c := range all {
		if best == "" || low[c] > low[best] || low[c] == low[best] && (len(all[c]) > len(all[best]) ||
			len(all[c]) == len(all[best]) && c < best) {
			best = c
		}
	}
	if low[best] == 0 {
		t.Fatal("the demo has no lock below 20 %")
	}
	b := slices.Sorted(slices.Values(all[best]))
	n := b[len(b)/2] + 1 // the lower half and the median
	if n == 20 {
		n++
	}
	return best, min(n, 100)
}

func matching(locks []lockBattery, city string, below int) []string {
	var ids []string
	for _, l := range locks {
		if l.city == city && l.battery < below {
			ids = append(ids, l.id)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestBrowserDeviceListFilter: a member of staff opens the device list, filters it to locks below N % in a city,
// and sees exactly those locks; then one click on "Low battery locks" (which keeps the city) shows exactly the
// locks below 20 % there.
func TestBrowserDeviceListFilter(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "dashboard.db")
	a := startApp(t, map[string]string{"DATABASE_PATH": dbPath})
	a.waitSynced(t)
	locks := mirrorLocks(t, dbPath)
	city, below := pickCity(t, locks)
	ctx := browser(t)

	if err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/devices"),
		chromedp.WaitVisible(`[data-testid=login-form]`),
		chromedp.SendKeys(`[data-testid=login-email]`, "staff@example.com"),
		chromedp.SendKeys(`[data-testid=login-password]`, "demo-staff-password"),
		chromedp.Click(`[data-testid=login-submit]`),
		chromedp.WaitVisible(`[data-testid=device-row]`),
		chromedp.Click(`[data-testid=nav-devices]`), // the navigation leads here too
		chromedp.WaitVisible(`[data-testid=device-filters]`),
	); err != nil {
		t.Fatalf("sign in and open the device list: %v", err)
	}

	// Type and city are selects, the battery a number field; submitting swaps the results (htmx).
	if err := chromedp.Do(ctx,
		chromedp.SetValue(`#device-type`, "lock"),
		chromedp.SetValue(`#device-city`, city),
		chromedp.SendKeys(`#device-battery`, strconv.Itoa(below)),
		chromedp.Click(`[data-testid=filter-submit]`),
	); err != nil {
		t.Fatalf("apply the filter: %v", err)
	}
	want := matching(locks, city, below)
	waitDevices(t, ctx, want)
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	if q := u.Query(); q.Get("type") != "lock" || q.Get("city") != city || q.Get("battery_below") != strconv.Itoa(below) {
		t.Errorf("the URL %s does not carry the filter (push-url)", loc)
	}

	// One click: low-battery locks, in the city the form holds.
	if err := chromedp.Do(ctx,
		chromedp.Click(`[data-testid=quick-low-battery-locks]`),
		chromedp.WaitVisible(`[data-testid=quick-low-battery-locks][aria-current]`),
	); err != nil {
		t.Fatalf("quick filter: %v", err)
	}
	waitDevices(t, ctx, matching(locks, city, 20))
	label, _ := chromedp.Run(ctx, chromedp.Text(`[data-testid=quick-low-battery-locks]`))
	if !strings.Contains(label, city) {
		t.Errorf("quick filter label %q does not name %s", label, city)
	}
	types, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(
		'[data-testid=device-row] [data-testid=device-type]'), e => e.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range types {
		if typ != "Lock" {
			t.Errorf("a row of type %q", typ)
		}
	}
}

// waitDevices waits until the device list shows exactly the devices want (one page: the filters here match few).
func waitDevices(t *testing.T, ctx context.Context, want []string) {
	t.Helper()
	var last []string
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		rows, err := chromedp.Run(ctx, chromedp.Nodes(`[data-testid=device-row]`, chromedp.AtLeast(0)))
		if err == nil {
			last = last[:0]
			for _, r := range rows {
				last = append(last, r.AttributeValue("data-device-id"))
			}
			slices.Sort(last)
			if slices.Equal(last, want) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	t.Fatalf("at %s the list shows %v, want %v", loc, last, want)
}
