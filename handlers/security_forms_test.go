package handlers

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
)

// TestHostileFormInput: every form's text fields, filled with markup, are either refused with a message in the
// form (422, the re-shown form holding the text inert) or stored and shown as text on the page they lead to.
func TestHostileFormInput(t *testing.T) {
	t.Parallel()
	env := newLCEnv(t)
	admin := env.signedInClient(t, db.RoleAdmin)
	hubs, err := env.store.HubsByProperty(t.Context(), lcProperty)
	if err != nil || len(hubs) == 0 {
		t.Fatalf("hubs: %v", err)
	}
	p, err := env.store.Property(t.Context(), lcProperty)
	if err != nil {
		t.Fatal(err)
	}
	in := time.Now().Add(3 * time.Hour).In(tz.Load(p.TimeZone))
	x := func(i int) string { return xssPayloads[i%len(xssPayloads)] }
	tests := []struct {
		name, path string
		form       url.Values
		hdr        http.Header
	}{
		{"property create", "/properties/new", url.Values{"name": {x(0)}, "street_address": {x(1)}, "city": {x(2)},
			"state": {"TX"}, "zipcode": {"78701"}, "time_zone": {"America/Chicago"}}, nil},
		{"property edit", "/properties/101/edit", url.Values{"name": {x(1)}, "street_address": {x(2)}, "city": {x(3)},
			"state": {"NY"}, "zipcode": {"10001"}, "time_zone": {p.TimeZone}}, nil},
		{"hub edit", "/hubs/" + hubs[0].ID + "/edit", url.Values{"home_name": {x(0)}, "street_address": {x(3)},
			"city": {x(1)}, "state": {"NY"}, "zipcode": {"10001"}, "time_zone": {p.TimeZone}}, nil},
		{"reservation", "/reservations", url.Values{"property_id": {"101"}, "guest_name": {x(0)}, "guest_email": {x(1)},
			"guest_phone": {x(2)}, "check_in": {in.Format("2006-01-02T15:04")},
			"check_out": {in.Add(24 * time.Hour).Format("2006-01-02T15:04")}, "buffer_before": {"0"}, "buffer_after": {"0"}}, nil},
		{"reservation, plain email", "/reservations", url.Values{"property_id": {"101"}, "guest_name": {x(3)},
			"guest_email": {"guest@example.com"}, "check_in": {in.Add(48 * time.Hour).Format("2006-01-02T15:04")},
			"check_out": {in.Add(72 * time.Hour).Format("2006-01-02T15:04")}, "buffer_before": {"0"}, "buffer_after": {"0"}}, nil},
		{"invitation", "/invitations", url.Values{"property_id": {"101"}, "email": {x(2) + "@example.com"}, "name": {x(0)},
			"from": {in.Format("2006-01-02")}}, nil},
		{"lock code", "/properties/101/lock-codes", codeFormValues(x(1), "639174"), nil},
		{"user", "/users", url.Values{"email": {x(0) + "@example.com"}, "name": {x(1)}, "password": {"a-long-password-1"},
			"role": {"staff"}}, nil},
		{"unlock code", "/hubs/" + hubs[0].ID + "/unlock-code", url.Values{"name": {x(0)}, "phone": {x(1)}}, htmx},
		{"login", "/login", url.Values{"email": {x(0)}, "password": {x(1)}, "next": {"javascript:alert(1)"}}, nil},
		{"activity search", "/activities?q=" + url.QueryEscape(x(0)), nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := admin
			if tt.name == "login" {
				c = env.client(t)
			}
			var res response
			if tt.form == nil {
				res = env.get(t, c, tt.path)
			} else {
				res = env.postForm(t, c, tt.path, tt.form, tt.hdr)
			}
			wantInert(t, tt.path, res.body)
			switch {
			case res.status == http.StatusUnprocessableEntity || (tt.name == "login" && res.status == http.StatusUnauthorized):
				if res.doc.Find(`[role=alert], [data-testid$=error], [data-testid$=errors]`).Length() == 0 {
					t.Errorf("%d without a message in the form\n%.1500s", res.status, res.body)
				}
			case res.status == http.StatusSeeOther:
				loc := res.location()
				if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") {
					t.Fatalf("redirect to %q", loc)
				}
				next := env.get(t, c, loc)
				wantStatus(t, next, http.StatusOK)
				if n := wantInert(t, loc, next.body); n == 0 && tt.name != "login" {
					t.Errorf("%s: stored, but %s does not show the text", tt.name, loc)
				}
			case res.status == http.StatusOK:
				// a fragment (htmx) or a page: inert, checked above
			default:
				t.Errorf("status %d\n%.1000s", res.status, res.body)
			}
		})
	}
	users, err := env.store.ListUsers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if strings.Contains(u.Name, "<") {
			page := env.get(t, admin, "/users")
			wantInert(t, "/users", page.body)
			if !strings.Contains(page.doc.Text(), u.Name) {
				t.Errorf("/users does not show the stored name %q as text", u.Name)
			}
		}
	}
}
