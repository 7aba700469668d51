package db

import (
	"strings"
	"testing"
	"time"
)

func TestGuestLinks(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	accessSnapshot(t, s)
	must(t, s.UpsertInvitation(ctx, invitationFixture(1, 1, "ana@example.com", "Ana", InvitationActive)))
	hash := strings.Repeat("ab", 32)
	l, err := s.CreateGuestLink(ctx, GuestLink{TokenHash: hash, InvitationID: 1, PropertyID: 1, GuestName: "Gus",
		StartsAt: t0, EndsAt: t0.Add(time.Hour), Instructions: "Gate <b>4</b>", AllowUnlock: true, LockCodeID: "lc-1", CreatedAt: t0})
	must(t, err)
	if l.ID == 0 || l.Uses != 0 || l.RevokedAt != nil || !l.AllowUnlock || l.Instructions != "Gate <b>4</b>" {
		t.Fatalf("created %+v", l)
	}

	tests := []struct {
		name string
		link GuestLink
		want error
	}{
		{"same token hash", GuestLink{TokenHash: hash, InvitationID: 1, PropertyID: 1, StartsAt: t0, EndsAt: t0.Add(time.Hour)}, ErrConflict},
		{"unknown invitation", GuestLink{TokenHash: strings.Repeat("cd", 32), InvitationID: 9, PropertyID: 1, StartsAt: t0, EndsAt: t0.Add(time.Hour)}, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateGuestLink(ctx, tt.link)
			wantErr(t, err, tt.want)
		})
	}
	for _, bad := range []GuestLink{
		{TokenHash: "short", InvitationID: 1, PropertyID: 1, StartsAt: t0, EndsAt: t0.Add(time.Hour)},
		{TokenHash: strings.Repeat("ef", 32), InvitationID: 1, PropertyID: 1, StartsAt: t0, EndsAt: t0},
	} {
		if _, err := s.CreateGuestLink(ctx, bad); err == nil {
			t.Errorf("created a link with hash %q and window %v–%v", bad.TokenHash, bad.StartsAt, bad.EndsAt)
		}
	}

	must(t, s.RecordGuestLinkUse(ctx, l.ID, false, t0.Add(time.Minute)))
	must(t, s.RecordGuestLinkUse(ctx, l.ID, true, t0.Add(2*time.Minute)))
	got, err := s.GuestLinkByTokenHash(ctx, hash)
	must(t, err)
	if got.Uses != 1 || got.Unlocks != 1 || got.LastUsedAt == nil || !got.LastUsedAt.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("after two uses: %+v", got)
	}
	_, err = s.GuestLinkByTokenHash(ctx, strings.Repeat("00", 32))
	wantErr(t, err, ErrNotFound)

	must(t, s.RevokeGuestLink(ctx, l.ID, nil, t0.Add(time.Hour)))
	must(t, s.RevokeGuestLink(ctx, l.ID, nil, t0.Add(2*time.Hour))) // the first revocation wins
	got, err = s.GuestLink(ctx, l.ID)
	must(t, err)
	if got.RevokedAt == nil || !got.RevokedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("revoked at %v", got.RevokedAt)
	}
	wantErr(t, s.RevokeGuestLink(ctx, 99, nil, t0), ErrNotFound)
	wantErr(t, s.RecordGuestLinkUse(ctx, 99, false, t0), ErrNotFound)
	links, err := s.GuestLinksByInvitation(ctx, 1)
	must(t, err)
	if len(links) != 1 {
		t.Errorf("links of the invitation: %d", len(links))
	}
}

func TestMoveOutRecordAndConfirm(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	accessSnapshot(t, s)
	must(t, s.UpsertInvitation(ctx, invitationFixture(1, 1, "ana@example.com", "Ana", InvitationActive)))
	must(t, s.UpsertInvitation(ctx, invitationFixture(2, 1, "ben@example.com", "Ben", InvitationActive)))
	l, err := s.CreateGuestLink(ctx, GuestLink{TokenHash: strings.Repeat("ab", 32), InvitationID: 1, PropertyID: 1,
		StartsAt: t0, EndsAt: t0.Add(time.Hour), LockCodeID: "lc-link"})
	must(t, err)

	m, err := s.RecordMoveOut(ctx, MoveOut{PropertyID: 1, Email: MoveOutAll, RequestedAt: t0, Items: []MoveOutItem{
		{Kind: MoveOutInvitation, RefID: 1, Label: "Ana", LockCodeID: "lc-ana"},
		{Kind: MoveOutInvitation, RefID: 2, Label: "Ben"}, // no code: nothing to wait for
		{Kind: MoveOutGuestLink, RefID: l.ID, Label: "Gus", LockCodeID: "lc-link"},
	}})
	must(t, err)
	if m.CompletedAt != nil || len(m.Items) != 3 || m.Items[1].ConfirmedAt == nil || m.Items[0].ConfirmedAt != nil {
		t.Fatalf("recorded %+v", m)
	}
	for _, id := range []int64{1, 2} {
		inv, err := s.Invitation(ctx, id)
		must(t, err)
		if inv.Status != InvitationRemoved {
			t.Errorf("invitation %d is %s", id, inv.Status)
		}
	}
	link, err := s.GuestLink(ctx, l.ID)
	must(t, err)
	if link.RevokedAt == nil {
		t.Error("the move-out left the guest link working")
	}

	must(t, s.ConfirmMoveOutCodes(ctx, m.ID, []string{"lc-ana"}, t0.Add(time.Minute)))
	m, err = s.MoveOut(ctx, m.ID)
	must(t, err)
	if m.CompletedAt != nil || m.Items[0].ConfirmedAt == nil {
		t.Fatalf("after one confirmation: %+v", m)
	}
	must(t, s.ConfirmMoveOutCodes(ctx, m.ID, []string{"lc-link", "lc-ana"}, t0.Add(2*time.Minute)))
	m, err = s.MoveOut(ctx, m.ID)
	must(t, err)
	if m.CompletedAt == nil || !m.CompletedAt.Equal(t0.Add(2*time.Minute)) || !m.Items[0].ConfirmedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("after every confirmation: %+v", m)
	}
	_, err = s.MoveOut(ctx, 99)
	wantErr(t, err, ErrNotFound)
	_, err = s.RecordMoveOut(ctx, MoveOut{PropertyID: 404, Email: "x@example.com", RequestedAt: t0})
	wantErr(t, err, ErrNotFound)
}
