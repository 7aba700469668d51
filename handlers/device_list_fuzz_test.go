package handlers

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"github.com/keyless/dashboard/db"
)

// FuzzDeviceQuery: the device list's filter parser never fails on input (only a failing store may fail it), keeps
// every value within its bounds, yields a filter the store accepts, and is stable: re-reading its own canonical
// query string gives the same filter, with no message.
func FuzzDeviceQuery(f *testing.F) {
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	for _, seed := range []string{
		"", "type=lock&city=Chicago&battery_below=20", "q=%3Cscript%3E&offline=1&alerts=1&sort=battery&dir=desc",
		"battery_below=0&type=toaster&property=abc&sort=x&dir=y", "q=%ff%fe&city=%c3", "battery_below=+20",
		"page=-1&property=99999999999999999999", "city=%20Chicago%20&q=%20a%20",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // net/http answers 400 before any handler sees such a query
		}
		dq, err := parseDeviceQuery(ctx, store, q)
		if err != nil {
			t.Fatalf("parseDeviceQuery(%q): %v", raw, err)
		}
		fl := dq.filter
		if !utf8.ValidString(fl.Query) || len(fl.Query) > 3*maxQuery || !utf8.ValidString(fl.City) || len(fl.City) > 3*maxFilterText ||
			fl.BatteryBelow < 0 || fl.BatteryBelow > 100 || fl.PropertyID < 0 || fl.Page < 1 {
			t.Fatalf("%q: filter out of bounds: %+v", raw, fl)
		}
		if _, err := store.ListDevices(ctx, fl); err != nil {
			t.Fatalf("ListDevices of the filter of %q: %v", raw, err)
		}
		again, err := parseDeviceQuery(ctx, store, dq.values())
		if err != nil {
			t.Fatal(err)
		}
		a, b := dq.filter, again.filter
		a.Page, b.Page = 0, 0 // values() leaves paging out
		if a != b || len(again.errs) != 0 {
			t.Fatalf("not stable for %q:\n%+v\n%+v\n%q", raw, a, b, again.errs)
		}
	})
}
