package db

import (
	"slices"
	"testing"
	"time"
)

func invitationFixture(id, property int64, email, name, status string) Invitation {
	return Invitation{ID: id, PropertyID: property, Email: email, Name: name, FromDate: "2027-03-01",
		ToDate: "2027-03-31", Status: status, LockCodeID: "lc-" + email, CreatedAt: t0, UpdatedAt: t0, SyncedAt: t0}
}

func TestInvitationsMirrorAndSearch(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	accessSnapshot(t, s)
	must(t, s.ReplacePropertyInvitations(ctx, 1, []Invitation{
		invitationFixture(1, 1, "ana@example.com", "Ana Ruiz", InvitationActive),
		invitationFixture(2, 1, "ben@example.com", "Ben 100%_off", InvitationRemoved),
	}, t0))
	_, err := s.MergeInvitations(ctx, []Invitation{invitationFixture(3, 2, "cy@example.com", "Cy", InvitationActive)},
		"invitations:all", t0)
	must(t, err)
	skipped, err := s.MergeInvitations(ctx, []Invitation{invitationFixture(4, 404, "x@example.com", "X", InvitationActive)},
		"invitations:all", t0)
	must(t, err)
	if skipped != 1 {
		t.Errorf("an invitation of an unknown property was not skipped (%d)", skipped)
	}

	tests := []struct {
		name   string
		filter InvitationFilter
		want   []int64
	}{
		{"all, active first then newest", InvitationFilter{}, []int64{3, 1, 2}},
		{"by email substring", InvitationFilter{Query: "ANA@"}, []int64{1}},
		{"by property name", InvitationFilter{Query: "oak"}, []int64{3}},
		{"LIKE metacharacters are literal", InvitationFilter{Query: "100%_"}, []int64{2}},
		{"a lone % matches nothing special", InvitationFilter{Query: "%"}, []int64{2}},
		{"by status", InvitationFilter{Status: InvitationRemoved}, []int64{2}},
		{"by property", InvitationFilter{PropertyID: 1}, []int64{1, 2}},
		{"paged", InvitationFilter{PerPage: 2, Page: 2}, []int64{2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.SearchInvitations(ctx, tt.filter)
			must(t, err)
			var got []int64
			for _, it := range page.Items {
				got = append(got, it.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}

	page, err := s.SearchInvitations(ctx, InvitationFilter{Query: "cy"})
	must(t, err)
	if page.Total != 1 || page.Items[0].PropertyName != "Oak Lane" || page.Items[0].TimeZone != "America/Chicago" {
		t.Errorf("row carries %+v", page.Items)
	}

	active, err := s.ActiveInvitations(ctx, 1, "ANA@example.com")
	must(t, err)
	if len(active) != 1 || active[0].ID != 1 {
		t.Errorf("active of ana = %+v", active)
	}
	active, err = s.ActiveInvitations(ctx, 1, MoveOutAll)
	must(t, err)
	if len(active) != 1 {
		t.Errorf("active of everyone = %+v (the removed one must not count)", active)
	}

	// A refresh without lock_code_id keeps the one the mirror knows.
	again := invitationFixture(1, 1, "ana@example.com", "Ana R.", InvitationActive)
	again.LockCodeID = ""
	must(t, s.UpsertInvitation(ctx, again))
	inv, err := s.Invitation(ctx, 1)
	must(t, err)
	if inv.Name != "Ana R." || inv.LockCodeID != "lc-ana@example.com" {
		t.Errorf("after upsert: %+v", inv)
	}
	_, err = s.Invitation(ctx, 99)
	wantErr(t, err, ErrNotFound)
}

func TestReplacePropertyInvitationsRemovesVanished(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	accessSnapshot(t, s)
	must(t, s.ReplacePropertyInvitations(ctx, 1, []Invitation{
		invitationFixture(1, 1, "ana@example.com", "Ana", InvitationActive),
		invitationFixture(2, 1, "ben@example.com", "Ben", InvitationActive),
	}, t0))
	must(t, s.ReplacePropertyInvitations(ctx, 1, []Invitation{invitationFixture(2, 1, "ben@example.com", "Ben", InvitationActive)},
		t0.Add(time.Minute)))
	list, err := s.InvitationsByProperty(ctx, 1)
	must(t, err)
	if len(list) != 1 || list[0].ID != 2 {
		t.Errorf("after replace: %+v", list)
	}
}
