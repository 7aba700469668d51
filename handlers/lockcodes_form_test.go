package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// upstreamCodeCount is how many live codes the simulator has for a property.
func (e *lcEnv) upstreamCodeCount(t *testing.T, propertyID int64) int {
	t.Helper()
	codes, _, err := e.api.LockCodes.List(t.Context(), smarthome.LockCodeListOptions{PropertyID: propertyID, PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(codes)
}

// future is a datetime-local value d from now in New York.
func future(d time.Duration) string { return time.Now().Add(d).In(newYork).Format(lcLocalLayout) }

// TestLockCodeFormRejects: every kind of bad input answers the form again with a clear message next to the field,
// never echoes the PIN, and changes nothing: no code upstream, none in the mirror, no audit entry.
func TestLockCodeFormRejects(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	otherLock := env.locks(t, lcProperty+1)[0]
	before := env.upstreamCodeCount(t, lcProperty)
	const pin = "482913"
	with := func(edit func(url.Values)) url.Values {
		f := codeFormValues("Guest", pin)
		edit(f)
		return f
	}
	periodForm := func(from, to string) url.Values {
		return with(func(f url.Values) {
			f.Set("validity", smarthome.ValiditySpecificPeriod)
			f.Set("starts_at", from)
			f.Set("ends_at", to)
		})
	}
	tests := []struct {
		name   string
		path   string
		form   url.Values
		status int
		field  string // data-field of the expected error; "" when the answer is an error page
	}{
		{"PIN with letters", "", with(func(f url.Values) { f.Set("pin", "12ab") }), 422, "pin"},
		{"PIN too short", "", with(func(f url.Values) { f.Set("pin", "123") }), 422, "pin"},
		{"PIN too long", "", with(func(f url.Values) { f.Set("pin", "1234567890") }), 422, "pin"},
		{"PIN too easy", "", with(func(f url.Values) { f.Set("pin", "1111") }), 422, "pin"},
		{"no name", "", with(func(f url.Values) { f.Set("name", " ") }), 422, "name"},
		{"HTML in the name", "", with(func(f url.Values) { f.Set("name", "<b>Guest</b>") }), 422, "name"},
		{"script in the name", "", with(func(f url.Values) { f.Set("name", `"><script>alert(1)</script>`) }), 422, "name"},
		{"oversized name", "", with(func(f url.Values) { f.Set("name", strings.Repeat("n", 65)) }), 422, "name"},
		{"line break in the name", "", with(func(f url.Values) { f.Set("name", "Ann\r\nBob") }), 422, "name"},
		{"from after to", "", periodForm(future(48*time.Hour), future(24*time.Hour)), 422, "ends_at"},
		{"end in the past", "", periodForm("2020-01-01T10:00", "2020-01-02T10:00"), 422, "ends_at"},
		{"period over 5 years", "", periodForm(future(time.Hour), future(6*366*24*time.Hour)), 422, "ends_at"},
		{"no start", "", periodForm("", future(time.Hour)), 422, "starts_at"},
		{"start skipped by daylight saving", "", periodForm(nextSkippedHour(t), future(400*24*time.Hour)), 422, "starts_at"},
		{"garbage date", "", periodForm("tomorrow", future(time.Hour)), 422, "starts_at"},
		{"unknown lock", "", with(func(f url.Values) { f.Set("scope", "some"); f.Set("device", "no-such-lock") }), 422, "device"},
		{"another property's lock", "", with(func(f url.Values) { f.Set("scope", "some"); f.Set("device", otherLock.ID) }), 422, "device"},
		{"no lock chosen", "", with(func(f url.Values) { f.Set("scope", "some") }), 422, "device"},
		{"unknown scope", "", with(func(f url.Values) { f.Set("scope", "everything") }), 422, "device"},
		{"unknown validity", "", with(func(f url.Values) { f.Set("validity", "Sometimes") }), 422, "validity"},
		{"weekly without a day", "", with(func(f url.Values) { f.Set("validity", smarthome.ValidityDayOfWeek) }), 422, "weekly"},
		{"weekly window backwards", "", with(func(f url.Values) {
			f.Set("validity", smarthome.ValidityDayOfWeek)
			f.Set("day_1", "1")
			f.Set("from_1", "17:00")
			f.Set("to_1", "09:00")
		}), 422, "weekly"},
		{"daily bad time", "", with(func(f url.Values) {
			f.Set("validity", smarthome.ValidityDailyRepeating)
			f.Set("daily_day", "2")
			f.Set("daily_from", "25:00")
			f.Set("daily_to", "26:00")
		}), 422, "daily"},
		{"daily without a day", "", with(func(f url.Values) {
			f.Set("validity", smarthome.ValidityDailyRepeating)
			f.Set("daily_from", "09:00")
			f.Set("daily_to", "10:00")
		}), 422, "daily"},
		{"oversized form", "", with(func(f url.Values) { f.Set("name", strings.Repeat("x", 40<<10)) }), 413, ""},
		{"unknown property", "/properties/99999/lock-codes", codeFormValues("Guest", pin), 404, ""},
		{"malformed property id", "/properties/abc/lock-codes", codeFormValues("Guest", pin), 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tt.path
			if path == "" {
				path = "/properties/101/lock-codes"
			}
			for _, hdr := range []http.Header{{}, htmx} {
				res := env.postForm(t, c, path, tt.form, hdr)
				wantStatus(t, res, tt.status)
				if strings.Contains(res.body, pin) {
					t.Errorf("the answer echoes the PIN")
				}
				if tt.field == "" {
					continue
				}
				msg := res.doc.Find(`[data-testid=field-error][data-field="` + tt.field + `"]`)
				if msg.Length() != 1 || len(text(msg)) < 10 {
					t.Errorf("no clear message next to %s:\n%.1500s", tt.field, res.body)
				}
				if byTestID(res.doc, "lock-code-form-problem").Length() != 1 {
					t.Error("no summary above the form")
				}
			}
		})
	}
	if got := env.upstreamCodeCount(t, lcProperty); got != before {
		t.Errorf("upstream codes %d → %d: a rejected form reached the upstream", before, got)
	}
	if codes, _ := env.store.LockCodesByProperty(t.Context(), lcProperty, time.Time{}); len(codes) != 0 {
		t.Errorf("the mirror has %d codes after rejected forms", len(codes))
	}
	if n := len(env.auditFor(t, "lock_code.create")); n != 0 {
		t.Errorf("%d audit entries for rejected forms", n)
	}
	// Markup in a rejected name is shown back as text, never as markup.
	res := env.postForm(t, c, "/properties/101/lock-codes", with(func(f url.Values) { f.Set("name", "<i>x</i>") }))
	if res.doc.Find("#lc-name").AttrOr("value", "") != "<i>x</i>" || res.doc.Find("main i").Length() != 0 {
		t.Error("the rejected name is not shown back as plain text")
	}
}

// nextSkippedHour is 02:30 on the next day New York skips it (spring forward), as a datetime-local value.
func nextSkippedHour(t *testing.T) string {
	t.Helper()
	day := time.Now().In(newYork)
	for range 400 {
		day = day.AddDate(0, 0, 1)
		d := time.Date(day.Year(), day.Month(), day.Day(), 2, 30, 0, 0, newYork)
		if d.Hour() != 2 {
			return d.Format("2006-01-02") + "T02:30"
		}
	}
	t.Fatal("no spring-forward day within 400 days")
	return ""
}

// TestLockCodeEditRejects: the edit form rejects bad input the same way and leaves the code as it was.
func TestLockCodeEditRejects(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	c := env.signedInClient(t, db.RoleStaff)
	id := env.create(t, c, lcProperty, codeFormValues("Original", "482913"))
	env.waitCode(t, id, "set", allStatus(db.LockCodeSet))
	edits := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"HTML name", url.Values{"name": {"<img src=x onerror=alert(1)>"}, "validity": {"Never Expires"}}, "name"},
		{"bad new PIN", url.Values{"name": {"Original"}, "pin": {"12x4"}, "validity": {"Never Expires"}}, "pin"},
		{"from after to", url.Values{"name": {"Original"}, "validity": {"Specific Period"},
			"starts_at": {future(48 * time.Hour)}, "ends_at": {future(time.Hour)}}, "ends_at"},
	}
	for _, tt := range edits {
		t.Run(tt.name, func(t *testing.T) {
			res := env.postForm(t, c, "/lock-codes/"+id, tt.form)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if res.doc.Find(`[data-testid=field-error][data-field="`+tt.field+`"]`).Length() != 1 {
				t.Errorf("no message next to %s", tt.field)
			}
		})
	}
	if up := env.upstreamCode(t, id); up.Name != "Original" || up.Code.Reveal() != "482913" {
		t.Errorf("the upstream code changed: %q", up.Name)
	}
	if n := len(env.auditFor(t, "lock_code.update")); n != 0 {
		t.Errorf("%d update audit entries for rejected edits", n)
	}
	if res := env.postForm(t, c, "/lock-codes/no-such-code", url.Values{"name": {"x"}}); res.status != http.StatusNotFound {
		t.Errorf("unknown code: %d", res.status)
	}
}
