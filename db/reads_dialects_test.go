package db

import (
	"errors"
	"testing"
	"time"
)

// TestMenuAndInboxReads: the reads the handlers use that no other store test reaches answer on both dialects:
// the webhook target lookup, the activity log's menus, the recent feed, the portfolio editor's choices, and an
// inbox entry listed, marked failed, re-processed and confirmed.
func TestMenuAndInboxReads(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		snap := genSnapshot(3, 1, 2, t0)
		must(t, s.ApplySync(ctx, snap))
		seedActivities(t, s, 12)
		dev := snap.Devices[0]
		target, err := s.ResolveTarget(ctx, dev.HubID, dev.ID)
		must(t, err)
		if !target.HubKnown || !target.DeviceKnown || target.PropertyID == nil || target.PropertyName == "" {
			t.Errorf("ResolveTarget(%s, %s) = %+v, want both known with their property", dev.HubID, dev.ID, target)
		}
		if unknown, err := s.ResolveTarget(ctx, "no-hub", "no-device"); err != nil || unknown.HubKnown || unknown.DeviceKnown {
			t.Errorf("ResolveTarget of unknown ids = %+v, %v", unknown, err)
		}
		choices, more, err := s.ActivityPropertyChoices(ctx, 2)
		must(t, err)
		if len(choices) != 2 || !more {
			t.Errorf("ActivityPropertyChoices(2) = %v, %v; want 2 and more", choices, more)
		}
		types, err := s.ActivityDeviceTypes(ctx)
		must(t, err)
		if len(types) == 0 {
			t.Error("ActivityDeviceTypes is empty")
		}
		recent, err := s.RecentActivities(ctx, ActivityFilter{HubID: "hub-000000"}, 3)
		must(t, err)
		if len(recent) != 3 {
			t.Errorf("RecentActivities = %d rows, want 3", len(recent))
		}
		props, err := s.PropertyChoices(ctx)
		must(t, err)
		if len(props) != 3 {
			t.Errorf("PropertyChoices = %d, want 3", len(props))
		}
		page, err := s.ListInbox(ctx, InboxFilter{})
		must(t, err)
		failed, err := s.InboxFailedCount(ctx)
		must(t, err)
		if len(page.Items) != 0 || failed != 0 {
			t.Errorf("inbox: %d entries, %d failed; want none", len(page.Items), failed)
		}
		if _, err := s.InboxEntryByID(ctx, 1); !errors.Is(err, ErrNotFound) {
			t.Errorf("InboxEntryByID of no entry: err = %v, want ErrNotFound", err)
		}

		// One entry through its life: listed with a preview of its body, a failed attempt, re-processed and held,
		// then confirmed by an admin, which applies its change to the mirror.
		body := []byte(`{"hub":"offline"}`)
		id, err := s.AddInbox(ctx, InboxEntry{Reason: ReasonExpiredSignature, Body: body, BodySize: int64(len(body))})
		must(t, err)
		must(t, s.MarkInboxFailed(ctx, id, "still expired"))
		page, err = s.ListInbox(ctx, InboxFilter{Status: InboxFailed})
		must(t, err)
		if len(page.Items) != 1 || string(page.Items[0].Body) != string(body) || page.Items[0].Attempts != 1 || page.Failed != 1 {
			t.Fatalf("ListInbox = %+v, want the entry with its body and one attempt", page)
		}
		act := newActivity(99, time.Hour)
		act.MessageType, act.Kind, act.DeviceID = "offline", "hub.offline", ""
		off := &LiveChange{HubID: dev.HubID, At: act.At, HubOnline: ptr(false)}
		_, err = s.ReprocessInbox(ctx, Reprocess{InboxID: id, Activity: act, Body: body, Live: off, By: "admin@example.com", At: t0})
		must(t, err)
		res, err := s.ConfirmInbox(ctx, id, off, "admin@example.com", t0)
		must(t, err)
		h, err := s.Hub(ctx, dev.HubID)
		must(t, err)
		if res.Hub == nil || h.Online {
			t.Errorf("confirmed: %+v, hub online %v; want the hub offline", res, h.Online)
		}
	})
}
