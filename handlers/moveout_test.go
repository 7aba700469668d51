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

// TestMoveOutOneResident: the confirm step lists what goes, confirming removes the invitation upstream and the
// guest link's code, and the progress view follows the locks until each removal is confirmed.
func TestMoveOutOneResident(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	ctx := t.Context()
	staff := a.signedInClient(t, db.RoleStaff)
	now := time.Now()
	leaving := a.createInvitation(t, staff, "leaving@example.com", now, now.AddDate(0, 0, 30))
	staying := a.createInvitation(t, staff, "staying@example.com", now, time.Time{})
	link := a.createLink(t, staff, leaving, "Visitor", now.Add(time.Hour), now.Add(2*time.Hour), false)

	confirm := a.get(t, staff, "/properties/"+a.pid()+"/move-out?email="+url.QueryEscape("LEAVING@example.com"))
	wantStatus(t, confirm, http.StatusOK)
	if rows := byTestID(confirm.doc, "invitation-row"); rows.Length() != 1 || !strings.Contains(text(rows), "leaving@example.com") {
		t.Fatalf("confirm lists %q", text(rows))
	}
	if got := byTestID(confirm.doc, "move-out-link").Length(); got != 1 {
		t.Errorf("confirm lists %d guest links, want 1", got)
	}
	// Posting without the confirmation only shows the confirm step again.
	res := a.postForm(t, staff, "/properties/"+a.pid()+"/move-out", url.Values{"email": {"leaving@example.com"}})
	wantStatus(t, res, http.StatusOK)
	one(t, res.doc, "move-out-confirm")
	if inv, _ := a.store.Invitation(ctx, leaving); inv.Status != db.InvitationActive {
		t.Fatal("the move-out ran without its confirmation")
	}

	res = a.postForm(t, staff, "/properties/"+a.pid()+"/move-out", url.Values{"email": {"leaving@example.com"}, "confirm": {"yes"}})
	moveOutID := idFrom(t, res, "/move-outs/")
	ups, _, err := a.api.Invitations.List(ctx, smarthome.InvitationListOptions{PropertyID: a.prop.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range ups {
		if want := map[bool]string{true: "removed", false: "active"}[inv.ID == leaving]; inv.Status != want {
			t.Errorf("upstream invitation %d (%s) is %s, want %s", inv.ID, inv.Email, inv.Status, want)
		}
	}
	if inv, _ := a.store.Invitation(ctx, staying); inv.Status != db.InvitationActive {
		t.Error("the other resident was moved out too")
	}

	progressURL := "/move-outs/" + strconv.FormatInt(moveOutID, 10)
	page := a.get(t, staff, progressURL)
	wantStatus(t, page, http.StatusOK)
	if got := byTestID(page.doc, "move-out-item").Length(); got != 2 {
		t.Errorf("progress lists %d removals, want the invitation and the link", got)
	}
	waitUntil(t, "every removal confirmed by the locks", func() bool {
		frag := a.get(t, staff, progressURL+"/progress", htmx)
		return one(t, frag.doc, "move-out-progress").AttrOr("data-complete", "") == "true"
	})
	done := a.get(t, staff, progressURL+"/progress", htmx)
	if sec := one(t, done.doc, "move-out-progress"); sec.AttrOr("hx-trigger", "") != "" {
		t.Error("a complete move-out keeps polling")
	}
	if guestDo(t, "GET", a.srv.URL+link).status != http.StatusNotFound {
		t.Error("the moved-out resident's guest link still works")
	}
	if !a.audited(t, "move_out", db.OutcomeOK, a.pid()) {
		t.Error("the move-out was not audited")
	}
}

// TestMoveOutEveryone: "all" removes every active invitation of the property.
func TestMoveOutEveryone(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	ctx := t.Context()
	admin := a.signedInClient(t, db.RoleAdmin)
	now := time.Now()
	for _, e := range []string{"one@example.com", "two@example.com"} {
		a.createInvitation(t, admin, e, now, now.AddDate(0, 0, 3))
	}
	confirm := a.get(t, admin, "/properties/"+a.pid()+"/move-out?all=1")
	if got := byTestID(confirm.doc, "invitation-row").Length(); got != 2 {
		t.Fatalf("confirm lists %d invitations", got)
	}
	res := a.postForm(t, admin, "/properties/"+a.pid()+"/move-out", url.Values{"all": {"1"}, "confirm": {"yes"}})
	id := idFrom(t, res, "/move-outs/")
	invs, err := a.store.InvitationsByProperty(ctx, a.prop.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range invs {
		if inv.Status != db.InvitationRemoved {
			t.Errorf("invitation %s still %s", inv.Email, inv.Status)
		}
	}
	m, err := a.store.MoveOut(ctx, id)
	if err != nil || m.Email != db.MoveOutAll || len(m.Items) != 2 {
		t.Errorf("move-out %+v (%v)", m, err)
	}
}

// TestMoveOutRejects: a bad email, or nobody to move out, changes nothing and says why.
func TestMoveOutRejects(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	staff := a.signedInClient(t, db.RoleStaff)
	a.createInvitation(t, staff, "keep@example.com", time.Now(), time.Time{})
	tests := []struct {
		name   string
		form   url.Values
		testid string
		want   string
	}{
		{"bad email", url.Values{"email": {"<script>"}, "confirm": {"yes"}}, "form-error", "email address"},
		{"no email", url.Values{"confirm": {"yes"}}, "form-error", "is required"},
		{"nobody with that email", url.Values{"email": {"ghost@example.com"}, "confirm": {"yes"}}, "move-out-nothing", "nothing to remove"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := a.postForm(t, staff, "/properties/"+a.pid()+"/move-out", tt.form)
			wantStatus(t, res, http.StatusUnprocessableEntity)
			if msg := text(one(t, res.doc, tt.testid)); !strings.Contains(msg, tt.want) {
				t.Errorf("message %q, want %q", msg, tt.want)
			}
		})
	}
	if invs, _ := a.store.ActiveInvitations(t.Context(), a.prop.ID, db.MoveOutAll); len(invs) != 1 {
		t.Errorf("%d active invitations left, want 1", len(invs))
	}
	wantStatus(t, a.get(t, staff, "/properties/999999/move-out?all=1"), http.StatusNotFound)
}
