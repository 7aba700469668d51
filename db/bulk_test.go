package db

import (
	"slices"
	"testing"
	"time"
)

// TestBulkActions, on both dialects: an action and its items round-trip in order; the same token finds the first
// action and stores nothing; outcomes, a restart for a retry (refused while running) and the interruption of a
// silent action move the states as documented; live codes are found by name ignoring case, deleted ones are not.
func TestBulkActions(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		must(t, s.ApplySync(ctx, genSnapshot(2, 1, 3, t0)))
		u, err := s.CreateUser(ctx, User{Email: "bulk@example.com", Name: "Bo Bulk", Role: RoleStaff, PasswordHash: "x"})
		must(t, err)
		a := BulkAction{Kind: BulkCode, Token: "tok-1", Label: "Cleaner", RequestedBy: &u.ID, RequestedAt: t0, Items: []BulkItem{
			{Group: 0, PropertyID: 1000, DeviceID: "dev-0000000", Label: "Front", Request: `{"name":"Cleaner"}`},
			{Group: 1, PropertyID: 1001, DeviceID: "dev-0000003", Label: "Back"},
		}}
		b, created, err := s.CreateBulkAction(ctx, a)
		must(t, err)
		if !created || b.ID == 0 || len(b.Items) != 2 || b.Items[1].Label != "Back" || b.Items[0].Request != `{"name":"Cleaner"}` ||
			b.Items[0].State != BulkQueued || b.FinishedAt != nil || !b.HeartbeatAt.Equal(t0) || *b.RequestedBy != u.ID {
			t.Fatalf("created %v: %+v", created, b)
		}
		again, created, err := s.CreateBulkAction(ctx, BulkAction{Kind: BulkCode, Token: "tok-1", Items: a.Items[:1]})
		must(t, err)
		if created || again.ID != b.ID || len(again.Items) != 2 {
			t.Fatalf("second create with the same token: created %v, %+v", created, again)
		}

		must(t, s.SetBulkItems(ctx, b.ID, []int{0}, BulkSent, "code-1", "", t0.Add(time.Second)))
		must(t, s.SetBulkItems(ctx, b.ID, []int{1}, BulkFailed, "", "hub offline", t0.Add(2*time.Second)))
		got, err := s.BulkAction(ctx, b.ID)
		must(t, err)
		if got.Items[0].LockCodeID != "code-1" || got.Items[1].State != BulkFailed || got.Items[1].Error != "hub offline" ||
			!got.HeartbeatAt.Equal(t0.Add(2*time.Second)) {
			t.Fatalf("after outcomes: %+v", got)
		}
		must(t, s.TouchBulkAction(ctx, b.ID, t0.Add(2500*time.Millisecond)))
		if got, _ = s.BulkAction(ctx, b.ID); !got.HeartbeatAt.Equal(t0.Add(2500 * time.Millisecond)) {
			t.Errorf("touch: heartbeat %v", got.HeartbeatAt)
		}
		if ok, err := s.RestartBulkAction(ctx, b.ID, []int{1}, t0); err != nil || ok {
			t.Fatalf("restart of a running action: %v, %v", ok, err)
		}
		must(t, s.FinishBulkAction(ctx, b.ID, t0.Add(3*time.Second)))
		must(t, s.TouchBulkAction(ctx, b.ID, t0.Add(time.Hour))) // finished: no effect
		if got, _ = s.BulkAction(ctx, b.ID); !got.HeartbeatAt.Equal(t0.Add(3 * time.Second)) {
			t.Errorf("touch of a finished action moved its heartbeat to %v", got.HeartbeatAt)
		}
		if ok, err := s.RestartBulkAction(ctx, b.ID, []int{1}, t0.Add(4*time.Second)); err != nil || !ok {
			t.Fatalf("restart of a finished action: %v, %v", ok, err)
		}
		got, _ = s.BulkAction(ctx, b.ID)
		if got.FinishedAt != nil || got.Items[1].State != BulkQueued || got.Items[1].Error != "" || got.Items[0].State != BulkSent {
			t.Fatalf("after restart: %+v", got)
		}
		if ok, _ := s.InterruptBulkAction(ctx, b.ID, t0.Add(4*time.Second), t0.Add(time.Hour)); ok {
			t.Error("an action that wrote at the cut-off was interrupted")
		}
		ok, err := s.InterruptBulkAction(ctx, b.ID, t0.Add(5*time.Second), t0.Add(time.Hour))
		must(t, err)
		got, _ = s.BulkAction(ctx, b.ID)
		if !ok || got.FinishedAt == nil || got.Items[1].State != BulkInterrupted || got.Items[0].State != BulkSent {
			t.Fatalf("after interrupt (%v): %+v", ok, got)
		}
		recent, err := s.RecentBulkActions(ctx, 5)
		if err != nil || len(recent) != 1 || recent[0].ID != b.ID || recent[0].Items != nil {
			t.Errorf("recent: %+v, %v", recent, err)
		}
		must(t, s.SetBulkMoveOut(ctx, b.ID, 1, 77, t0))
		if got, _ = s.BulkAction(ctx, b.ID); got.Items[1].RefID != 77 || got.Items[1].State != BulkSent {
			t.Errorf("move-out link: %+v", got.Items[1])
		}
		if _, err := s.BulkAction(ctx, b.ID+100); err == nil {
			t.Error("an unknown action was found")
		}

		jane := testCode("c-jane", 1000, t0, "dev-0000000")
		jane.Name = "Jane Roe"
		jane2 := testCode("c-jane2", 1001, t0, "dev-0000003")
		jane2.Name = "JANE ROE"
		gone := testCode("c-gone", 1000, t0, "dev-0000001")
		gone.Name = "Jane Roe"
		other := testCode("c-other", 1000, t0, "dev-0000002")
		for _, c := range []LockCode{jane, jane2, gone, other} {
			must(t, s.UpsertLockCode(ctx, c))
		}
		must(t, s.MarkLockCodeDeleted(ctx, "c-gone", t0, false))
		codes, err := s.LiveLockCodesNamed(ctx, "  jane roe ")
		must(t, err)
		var ids []string
		for _, c := range codes {
			ids = append(ids, c.ID)
			if len(c.Devices) != 1 {
				t.Errorf("%s has %d locks, want 1", c.ID, len(c.Devices))
			}
		}
		if !slices.Equal(ids, []string{"c-jane", "c-jane2"}) {
			t.Errorf("codes named Jane Roe: %v", ids)
		}
	})
}
