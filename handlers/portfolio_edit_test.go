package handlers

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

func propertyForm(name, street, city, state, zip, zone string) url.Values {
	return url.Values{"name": {name}, "street_address": {street}, "city": {city}, "state": {state}, "zipcode": {zip}, "time_zone": {zone}}
}

func TestPropertyCreateAndEdit(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()
	c := env.signedInClient(t, db.RoleAdmin)

	res := env.get(t, c, "/properties")
	if got := one(t, res.doc, "property-new").AttrOr("href", ""); got != "/properties/new" {
		t.Errorf("New property links to %q", got)
	}
	wantStatus(t, env.get(t, c, "/properties/new"), http.StatusOK)
	res = env.postForm(t, c, "/properties/new", propertyForm("Birch Lane 4", "4 Birch Lane", "Austin", "TX", "78701", "America/Chicago"))
	wantStatus(t, res, http.StatusSeeOther)
	loc := res.location()
	id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(loc, "/properties/"), "?flash=property-created"), 10, 64)
	if err != nil {
		t.Fatalf("after create Location %q", loc)
	}
	up, _, err := env.api.Properties.Get(ctx, id)
	if err != nil || up.Name != "Birch Lane 4" || up.TimeZone != "America/Chicago" || up.Zipcode.String() != "78701" {
		t.Fatalf("upstream after create: %+v (%v)", up, err)
	}
	if p, err := env.store.Property(ctx, id); err != nil || p.Name != "Birch Lane 4" || p.City != "Austin" {
		t.Fatalf("mirror after create: %+v (%v)", p, err)
	}
	if es := auditOf(t, env, "property.create"); len(es) != 1 || es[0].Outcome != "ok" || es[0].PropertyID == nil || *es[0].PropertyID != id {
		t.Errorf("audit after create: %+v", es)
	}
	res = env.get(t, c, loc)
	wantStatus(t, res, http.StatusOK)
	one(t, res.doc, "flash")
	one(t, res.doc, "property-manage")

	page := "/properties/" + strconv.FormatInt(id, 10)
	res = env.get(t, c, page+"/edit")
	if got := one(t, res.doc, "property-timezone-input").AttrOr("value", ""); got != "America/Chicago" {
		t.Errorf("edit form zone %q", got)
	}
	res = env.postForm(t, c, page+"/edit", propertyForm("Birch Lane 4B", "4 Birch Lane", "Austin", "TX", "78701-1234", "America/Denver"))
	wantStatus(t, res, http.StatusSeeOther)
	if p, _ := env.store.Property(ctx, id); p.Name != "Birch Lane 4B" || p.TimeZone != "America/Denver" || p.Zipcode != "78701-1234" {
		t.Errorf("mirror after edit: %+v", p)
	}
	if up, _, _ = env.api.Properties.Get(ctx, id); up.TimeZone != "America/Denver" {
		t.Errorf("upstream after edit: zone %q", up.TimeZone)
	}
	if es := auditOf(t, env, "property.update"); len(es) != 1 || !strings.Contains(es[0].Detail, "America/Chicago → America/Denver") {
		t.Errorf("audit after edit: %+v", es)
	}
}

// TestPortfolioFormsReject: bad input answers 422 with a message naming the field, and nothing changes upstream or here.
func TestPortfolioFormsReject(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withProperties(3))
	ctx := t.Context()
	c := env.signedInClient(t, db.RoleAdmin)
	ids := mirrorIDs(t, env)
	good := func(field, v string) url.Values {
		f := propertyForm("Oak Court", "1 Oak Court", "Austin", "TX", "78701", "America/Chicago")
		f.Set(field, v)
		return f
	}
	hubForm := func(field, v string) url.Values {
		f := url.Values{"home_name": {"Unit 1"}, "time_zone": {"America/Chicago"}}
		f.Set(field, v)
		return f
	}
	tests := []struct {
		name, path string
		form       url.Values
		status     int
		want       string
	}{
		{"missing name", "/properties/new", good("name", " "), 422, "Name is required"},
		{"script in name", "/properties/new", good("name", "<script>alert(1)</script>"), 422, "HTML and scripts are not allowed"},
		{"markup in city", "/properties/new", good("city", `Austin"><b>`), 422, "City must not contain"},
		{"oversized street", "/properties/new", good("street_address", strings.Repeat("9", 201)), 422, "at most 200 characters"},
		{"bad zipcode", "/properties/new", good("zipcode", "787;01"), 422, "ZIP code may hold only"},
		{"unknown zone", "/properties/new", good("time_zone", "America/Nowhere"), 422, "IANA time zone"},
		{"abbreviated zone", "/properties/new", good("time_zone", "CST"), 422, "IANA time zone"},
		{"server zone", "/properties/new", good("time_zone", "Local"), 422, "IANA time zone"},
		{"edit with bad zone", "/properties/" + ids.property + "/edit", good("time_zone", "Europe/Atlantis"), 422, "IANA time zone"},
		{"edit unknown property", "/properties/999999/edit", good("name", "x"), 404, "does not exist"},
		{"edit non-numeric property", "/properties/abc/edit", good("name", "x"), 404, "does not exist"},
		{"hub without name", "/hubs/" + ids.hub + "/edit", hubForm("home_name", ""), 422, "Home name is required"},
		{"hub with bad zone", "/hubs/" + ids.hub + "/edit", hubForm("time_zone", "Moon/Base"), 422, "IANA time zone"},
		{"hub with markup", "/hubs/" + ids.hub + "/edit", hubForm("state", "<i>TX</i>"), 422, "State must not contain"},
		{"unknown hub", "/hubs/no-such-hub/edit", hubForm("city", "x"), 404, "does not exist"},
		{"assign to unknown property", "/devices/" + ids.device + "/assign", url.Values{"property_id": {"999999"}}, 422, "does not exist"},
		{"assign to nothing", "/devices/" + ids.device + "/assign", url.Values{"property_id": {"x"}}, 422, "Choose a property"},
		{"assign unknown device", "/devices/no-such-device/assign", url.Values{"property_id": {ids.property}}, 404, "does not exist"},
		{"delete without confirmation", "/properties/" + ids.property + "/delete", url.Values{}, 422, "confirmation page"},
	}
	before := readUpstream(t, env.api)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := env.postForm(t, c, tt.path, tt.form)
			wantStatus(t, res, tt.status)
			if !strings.Contains(res.body, tt.want) {
				t.Errorf("the answer does not say %q:\n%.1500s", tt.want, res.body)
			}
		})
	}
	after := readUpstream(t, env.api)
	if len(after.properties) != len(before.properties) {
		t.Errorf("rejected forms changed the upstream: %d properties, were %d", len(after.properties), len(before.properties))
	}
	for i, p := range after.properties {
		if p.Name != before.properties[i].Name || p.TimeZone != before.properties[i].TimeZone {
			t.Errorf("rejected forms changed property %d", p.ID)
		}
	}
	h, _ := env.store.Hub(ctx, ids.hub)
	if h.HomeName == "Unit 1" {
		t.Error("a rejected hub form was mirrored")
	}
	for _, a := range []string{"property.create", "property.update", "hub.update", "device.assign", "property.delete"} {
		if es := auditOf(t, env, a); len(es) != 0 {
			t.Errorf("rejected forms audited %s: %+v", a, es)
		}
	}
}

// TestPropertyDelete: the confirmation lists the upstream's codes and invitations (never a PIN), refuses a stale
// confirmation, and a confirmed delete removes the property upstream and here, leaving its hubs unassigned.
func TestPropertyDelete(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withProperties(3))
	ctx := t.Context()
	c := env.signedInClient(t, db.RoleAdmin)
	dev := deviceOfType(t, env, "thermostat", 0)
	pid := *dev.PropertyID
	page := "/properties/" + strconv.FormatInt(pid, 10)

	req := smarthome.LockCodeRequest{Name: "Jane Guest", Code: "48291374", PropertyID: pid}
	req.SetSpecificPeriod(time.Now().Add(time.Hour), time.Now().Add(48*time.Hour), time.UTC)
	if _, _, err := env.api.LockCodes.Create(ctx, req); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.api.Invitations.Create(ctx, smarthome.InvitationRequest{Email: "res@example.com", Name: "Rita Resident",
		PropertyID: pid, From: time.Now()}); err != nil {
		t.Fatal(err)
	}
	upstreamSchedule(t, env, dev, "Winter")
	wantStatus(t, env.get(t, c, "/devices/"+dev.ID+"/schedules", htmx), http.StatusOK) // mirror the schedule
	codes, _, err := env.api.LockCodes.List(ctx, smarthome.LockCodeListOptions{PropertyID: pid})
	if err != nil {
		t.Fatal(err)
	}

	res := env.get(t, c, page+"/delete")
	wantStatus(t, res, http.StatusOK)
	if got := byTestID(res.doc, "delete-code").Length(); got != len(codes) || got < 2 {
		t.Errorf("%d codes listed, want %d (the guest's and the resident's)", got, len(codes))
	}
	if got := text(one(t, res.doc, "delete-invitation")); !strings.Contains(got, "Rita Resident") {
		t.Errorf("invitation %q", got)
	}
	if strings.Contains(res.body, "48291374") {
		t.Error("the confirmation shows a PIN")
	}
	if got := text(one(t, res.doc, "delete-also")); !strings.Contains(got, "1 schedule") {
		t.Errorf("also: %q", got)
	}

	stale := url.Values{"confirm": {"yes"}, "codes_seen": {"1"}, "invitations_seen": {"1"}}
	res = env.postForm(t, c, page+"/delete", stale)
	wantStatus(t, res, http.StatusConflict)
	one(t, res.doc, "property-delete-error")
	if _, _, err := env.api.Properties.Get(ctx, pid); err != nil {
		t.Fatalf("a stale confirmation deleted the property: %v", err)
	}

	hubs, _ := env.store.HubsByProperty(ctx, pid)
	res = env.postForm(t, c, page+"/delete", url.Values{"confirm": {"yes"}, "codes_seen": {strconv.Itoa(len(codes))}, "invitations_seen": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	if _, _, err := env.api.Properties.Get(ctx, pid); !errors.Is(err, smarthome.ErrNotFound) {
		t.Errorf("upstream still has the property: %v", err)
	}
	if _, err := env.store.Property(ctx, pid); !errors.Is(err, db.ErrNotFound) {
		t.Errorf("mirror still has the property: %v", err)
	}
	if h, err := env.store.Hub(ctx, hubs[0].ID); err != nil || h.PropertyID != nil {
		t.Errorf("hub after delete: %+v (%v), want kept and unassigned", h, err)
	}
	if left, _ := env.store.SchedulesByProperty(ctx, pid); len(left) != 0 {
		t.Errorf("schedules of the deleted property stay mirrored: %+v", left)
	}
	es := auditOf(t, env, "property.delete")
	if len(es) != 1 || es[0].Outcome != "ok" || !strings.Contains(es[0].Detail, "1 invitations") || strings.Contains(es[0].Detail, "48291374") {
		t.Errorf("audit after delete: %+v", es)
	}
	wantStatus(t, env.get(t, c, page+"/delete"), http.StatusNotFound)
}

func TestHubEditAndDeviceAssign(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withProperties(3))
	ctx := t.Context()
	c := env.signedInClient(t, db.RoleAdmin)
	ids := mirrorIDs(t, env)

	res := env.get(t, c, "/hubs/"+ids.hub+"/edit")
	wantStatus(t, res, http.StatusOK)
	if got := one(t, res.doc, "hub-street").AttrOr("value", ""); got == "" {
		t.Error("the hub form has no street address from the upstream")
	}
	res = env.postForm(t, c, "/hubs/"+ids.hub+"/edit", url.Values{"home_name": {"Unit 4B"}, "time_zone": {"America/Denver"},
		"city": {"Boulder"}, "street_address": {""}})
	wantStatus(t, res, http.StatusSeeOther)
	h, _ := env.store.Hub(ctx, ids.hub)
	if h.HomeName != "Unit 4B" || h.TimeZone != "America/Denver" || !strings.Contains(h.Address, "Boulder") {
		t.Errorf("mirror after hub edit: %q %q %q", h.HomeName, h.TimeZone, h.Address)
	}
	up, _, _ := env.api.Hubs.Get(ctx, ids.hub)
	if up.HomeName != "Unit 4B" || up.Settings.TimeZone != "America/Denver" || up.StreetAddress == "" {
		t.Errorf("upstream after hub edit: %q %q street %q (an empty field must keep its value)", up.HomeName, up.Settings.TimeZone, up.StreetAddress)
	}

	// Assign a device of the first property to another one.
	props, _ := env.store.ListProperties(ctx, db.PropertyFilter{})
	var other int64
	for _, p := range props.Items {
		if strconv.FormatInt(p.ID, 10) != ids.property {
			other = p.ID
		}
	}
	res = env.postForm(t, c, "/devices/"+ids.device+"/assign", url.Values{"property_id": {strconv.FormatInt(other, 10)}}, htmx)
	wantStatus(t, res, http.StatusNoContent)
	if got := res.header.Get("HX-Redirect"); got != "/devices/"+ids.device+"?flash=device-assigned" {
		t.Errorf("HX-Redirect %q", got)
	}
	if d, _ := env.store.Device(ctx, ids.device); d.PropertyID == nil || *d.PropertyID != other {
		t.Errorf("mirror after assign: %v", d.PropertyID)
	}
	if d, _, _ := env.api.Devices.Get(ctx, ids.device); d.PropertyID == nil || *d.PropertyID != other {
		t.Errorf("upstream after assign: %v", d.PropertyID)
	}
	if es := auditOf(t, env, "device.assign"); len(es) != 1 || es[0].Outcome != "ok" {
		t.Errorf("assign audit: %+v", es)
	}
	res = env.postForm(t, c, "/devices/"+ids.device+"/assign", url.Values{"property_id": {strconv.FormatInt(other, 10)}}, htmx)
	wantStatus(t, res, http.StatusOK)
	one(t, res.doc, "device-assign-ok")
	res = env.postForm(t, c, "/devices/"+ids.device+"/assign", url.Values{"property_id": {"0"}}, htmx)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	one(t, res.doc, "device-assign-error")
}

func editMustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
