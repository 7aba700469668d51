package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// TestInvitationLifecycle: invite (upstream first, then the mirror), see it on the property page and in the
// search across properties, change its dates (the resident's code follows).
func TestInvitationLifecycle(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	ctx := t.Context()
	staff := a.signedInClient(t, db.RoleStaff)
	from := time.Now().In(a.loc)
	id := a.createInvitation(t, staff, "rita@example.com", from, from.AddDate(0, 0, 7))

	ups, _, err := a.api.Invitations.List(ctx, smarthome.InvitationListOptions{PropertyID: a.prop.ID, Email: "rita@example.com"})
	if err != nil || len(ups) != 1 || ups[0].ID != id || ups[0].LockCodeID == "" {
		t.Fatalf("upstream invitations %+v (%v)", ups, err)
	}
	inv, err := a.store.Invitation(ctx, id)
	if err != nil || inv.LockCodeID != ups[0].LockCodeID || inv.FromDate != from.Format("2006-01-02") ||
		inv.CreatedBy == nil || *inv.CreatedBy != a.users[db.RoleStaff].ID {
		t.Fatalf("mirror %+v (%v)", inv, err)
	}

	prop := a.get(t, staff, "/properties/"+a.pid())
	wantStatus(t, prop, http.StatusOK)
	if rows := byTestID(prop.doc, "invitation-row"); rows.Length() != 1 || text(rows.Find(`[data-testid="invitation-link"]`)) != "rita@example.com" {
		t.Errorf("property page invitations: %q", text(rows))
	}
	one(t, prop.doc, "move-out-all")

	for _, q := range []string{"rita", "RITA@EXAMPLE", strings.ToLower(a.prop.Name)} {
		list := a.get(t, staff, "/invitations?q="+url.QueryEscape(q))
		wantStatus(t, list, http.StatusOK)
		if got := byTestID(list.doc, "invitation-row").Length(); got != 1 {
			t.Errorf("search %q: %d rows", q, got)
		}
	}
	frag := a.get(t, staff, "/invitations?q=nobody-here", htmx)
	if byTestID(frag.doc, "invitation-results").Length() != 1 || byTestID(frag.doc, "brand").Length() != 0 || byTestID(frag.doc, "invitation-row").Length() != 0 {
		t.Error("the htmx search does not answer with the results region alone")
	}

	path := "/invitations/" + strconv.FormatInt(id, 10)
	page := a.get(t, staff, path)
	wantStatus(t, page, http.StatusOK)
	one(t, page.doc, "revoke-invitation")
	newTo := from.AddDate(0, 0, 3).Format("2006-01-02")
	res := a.postForm(t, staff, path, url.Values{"name": {"Rita Renamed"}, "from": {inv.FromDate}, "to": {newTo}})
	wantStatus(t, res, http.StatusSeeOther)
	lc, _, err := a.api.LockCodes.Get(ctx, inv.LockCodeID)
	if err != nil || lc.ToDate != newTo+" 23-59" || lc.Name != "Rita Renamed" {
		t.Errorf("resident code after edit: %+v (%v)", lc, err)
	}
	if inv, _ = a.store.Invitation(ctx, id); inv.ToDate != newTo || inv.Name != "Rita Renamed" {
		t.Errorf("mirror after edit: %+v", inv)
	}
	for _, action := range []string{"invitation.create", "invitation.update"} {
		if !a.audited(t, action, db.OutcomeOK, strconv.FormatInt(id, 10)) {
			t.Errorf("no audit record %s", action)
		}
	}
}

// TestInvitationFormRejects: bad input gets a clear message, a 422, and no invitation upstream or here.
func TestInvitationFormRejects(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	ctx := t.Context()
	staff := a.signedInClient(t, db.RoleStaff)
	now := time.Now()
	valid := func() url.Values { return a.invitationForm("sam@example.com", "Sam", now, now.AddDate(0, 0, 5)) }
	with := func(k, v string) url.Values { f := valid(); f.Set(k, v); return f }
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"from after to", with("to", now.AddDate(0, 0, -3).In(a.loc).Format("2006-01-02")), "To must not be before From"},
		{"unknown property", with("property_id", "424242"), "is unknown"},
		{"no property", with("property_id", ""), "is unknown"},
		{"html in name", with("name", `<img src=x onerror=alert(1)>`), "cannot contain < or >"},
		{"oversized name", with("name", strings.Repeat("x", 101)), "at most 100 characters"},
		{"bad email", with("email", "sam@"), "email address like"},
		{"missing email", with("email", ""), "Email is required"},
		{"bad date", with("from", "13/45/2027"), "From must be a date"},
		{"over already", a.invitationForm("sam@example.com", "Sam", now.AddDate(0, 0, -9), now.AddDate(0, 0, -2)), "in the past"},
		{"too far ahead", a.invitationForm("sam@example.com", "Sam", now.AddDate(3, 0, 0), time.Time{}), "within two years"},
		{"too long", a.invitationForm("sam@example.com", "Sam", now, now.AddDate(6, 0, 0)), "at most five years"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := a.postForm(t, staff, "/invitations", tt.form)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if msg := text(res.doc.Find(`[data-testid="form-error"]`)); !strings.Contains(msg, tt.want) {
				t.Errorf("errors %q, want one saying %q", msg, tt.want)
			}
			if strings.Contains(res.body, "<img src=x") {
				t.Error("the echoed form carries live markup")
			}
		})
	}
	ups, _, err := a.api.Invitations.List(ctx, smarthome.InvitationListOptions{PropertyID: a.prop.ID})
	if err != nil || len(ups) != 0 {
		t.Errorf("refused forms invited %d residents (%v)", len(ups), err)
	}
	if invs, _ := a.store.InvitationsByProperty(ctx, a.prop.ID); len(invs) != 0 {
		t.Errorf("refused forms left %d invitations in the mirror", len(invs))
	}

	// The upstream's own refusal (a second active invitation for the same email) is shown with what to do.
	id := a.createInvitation(t, staff, "sam@example.com", now, now.AddDate(0, 0, 5))
	res := a.postForm(t, staff, "/invitations", valid())
	wantStatus(t, res, http.StatusUnprocessableEntity)
	if msg := text(one(t, res.doc, "form-error")); !strings.Contains(msg, "already exists") || !strings.Contains(msg, "Nothing was changed") {
		t.Errorf("upstream refusal shown as %q", msg)
	}
	edit := a.postForm(t, staff, "/invitations/"+strconv.FormatInt(id, 10), url.Values{"name": {"Sam"},
		"from": {now.In(a.loc).Format("2006-01-02")}, "to": {""}})
	wantStatus(t, edit, http.StatusUnprocessableEntity)
	if msg := text(one(t, edit.doc, "form-error")); !strings.Contains(msg, "cannot be emptied") {
		t.Errorf("emptying To: %q", msg)
	}
}
