package handlers

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// FuzzActivityQuery: the activity log's filter parser never panics, never fails on input (only a failing store
// may fail it), yields a filter within its bounds that the store accepts, and is stable: re-reading its own
// canonical query string gives the same filter.
func FuzzActivityQuery(f *testing.F) {
	ctx := context.Background()
	store, err := db.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	for _, seed := range []string{
		"", "property=1&hub=h1&device=d1", "q=front+door&who=Auto&message_type=Lock",
		"from=2026-03-08T02:30&to=2026-03-08T03:30&property=1", "before=1700000000000.12",
		"q=%22&who=%27+OR+1%3D1+--", "q=a*+OR+b&device_type=lock%00", "property=-1&before=.&from=2026-13-45T99:99",
		"q=NEAR(a+b)&q=second", "property=99999999999999999999", "q=%ff%fe",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return // net/http answers 400 before any handler sees such a query
		}
		aq, err := parseActivityQuery(ctx, store, q)
		if err != nil {
			t.Fatalf("parseActivityQuery(%q): %v", raw, err)
		}
		checkActivityFilter(t, raw, aq)
		fl := aq.filter
		fl.Limit = 5
		if _, err := store.ListActivities(ctx, fl); err != nil {
			t.Fatalf("ListActivities of the filter of %q: %v", raw, err)
		}
		again, err := parseActivityQuery(ctx, store, aq.values())
		if err != nil {
			t.Fatal(err)
		}
		a, b := aq.filter, again.filter
		a.Before, b.Before = nil, nil // values() leaves paging out
		if a != b {
			t.Fatalf("not stable for %q:\n%+v\n%+v", raw, a, b)
		}
	})
}

// checkActivityFilter checks a parsed filter's bounds.
func checkActivityFilter(t *testing.T, raw string, aq activityQuery) {
	t.Helper()
	f := aq.filter
	for name, v := range map[string]struct {
		s   string
		max int
	}{"hub": {f.HubID, maxFilterID}, "device": {f.DeviceID, maxFilterID}, "device_type": {f.DeviceType, maxFilterText},
		"message_type": {f.MessageType, maxFilterText}, "who": {f.Who, maxFilterText}, "q": {f.Text, maxQuery}} {
		// clip replaces invalid bytes by U+FFFD (3 bytes), so a clipped value may grow a little; it stays bounded.
		if !utf8.ValidString(v.s) || len(v.s) > 3*v.max {
			t.Fatalf("%q: %s %q out of bounds", raw, name, v.s)
		}
	}
	if f.PropertyID < -1 {
		t.Fatalf("%q: property id %d", raw, f.PropertyID)
	}
	for _, tm := range []time.Time{f.From, f.To} {
		if !tm.IsZero() && tm.Location() != time.UTC {
			t.Fatalf("%q: time %v not in UTC", raw, tm)
		}
	}
	if f.Before != nil && f.Before.ID <= 0 {
		t.Fatalf("%q: cursor %+v", raw, f.Before)
	}
}

// FuzzLockCodeForm: the lock-code form (untrusted POST body) never panics; a form it accepts has a clean name
// (no markup, no control characters, bounded) and a PIN of 4 to 8 digits, and its validity window is ordered.
func FuzzLockCodeForm(f *testing.F) {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	sc := lcScope{property: db.Property{ID: 1, TimeZone: loc.String()}, loc: loc,
		locks: []db.Device{{ID: "lock-1", Type: "lock", Name: "Front"}, {ID: "lock-2", Type: "lock", Name: "Back"}}}
	for _, seed := range []struct{ body, pin string }{
		{"name=Cleaner&scope=all&validity=always", "482913"},
		{"name=Guest&scope=some&device=lock-1&validity=period&starts_at=2026-03-08T01:30&ends_at=2026-03-08T03:30", "4829"},
		{"name=Weekly&scope=all&validity=weekly&day_1=on&from_1=09:00&to_1=17:00", "90210"},
		{"name=Daily&scope=all&validity=daily&daily_day=0&daily_day=6&daily_from=22:00&daily_to=06:00", "55123"},
		{"name=%3Cscript%3E&scope=some&device=nope", "1234"},
		{"name=a%00b&validity=period&starts_at=x&ends_at=9999-99-99T99:99", "00000000"},
	} {
		f.Add(seed.body, seed.pin, false)
		f.Add(seed.body, seed.pin, true)
	}
	f.Fuzz(func(t *testing.T, body, pin string, editing bool) {
		r, err := http.NewRequest(http.MethodPost, "/properties/1/lock-codes", strings.NewReader(body))
		if err != nil {
			t.Skip()
		}
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r.ParseForm() != nil {
			return // the handler answers 400
		}
		form := lcReadCodeForm(r)
		in, problems := form.validate(sc, editing, pin, now)
		_ = form.view(sc, "/properties/1/lock-codes", editing, problems) // the re-shown form must not panic either
		if len(problems) > 0 {
			for k, p := range problems {
				if k == "" || p == "" {
					t.Fatalf("an empty problem %q: %q", k, p)
				}
			}
			return
		}
		if lcTextProblem("Name", in.name, smarthome.MaxCodeNameLength, true) != "" {
			t.Fatalf("accepted name %q", in.name)
		}
		if p := in.pin.Reveal(); (p != "" || !editing) && lcPINProblem(p) != "" {
			t.Fatalf("accepted PIN %q", p)
		}
		if !editing && !in.all && len(in.devices) == 0 {
			t.Fatalf("accepted a code for no lock: %q", body)
		}
		if s, e := in.validity.Start, in.validity.End; !s.IsZero() && !e.IsZero() && !s.Before(e) {
			t.Fatalf("accepted window %v..%v from %q", s, e, body)
		}
	})
}
