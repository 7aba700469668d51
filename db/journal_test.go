package db

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

// journalEntry is an append of delivery n, received at t0+offset.
func journalEntry(n int, offset time.Duration) JournalEntry {
	a := newActivity(n, offset)
	return JournalEntry{DedupeKey: a.DedupeKey, ReceivedAt: t0.Add(offset), Body: fmt.Appendf(nil, `{"n":%d}`, n), Verified: true}
}

// lockItem is delivery n's activity under its journal id, moving the device to mode ("locked", "unlocked").
func lockItem(n int, id int64, offset time.Duration, mode string) IngestItem {
	a := newActivity(n, offset)
	a.ID, a.ReceivedAt = id, t0.Add(offset)
	return IngestItem{Activity: a, Body: fmt.Appendf(nil, `{"n":%d}`, n), Live: &LiveChange{HubID: a.HubID, DeviceID: a.DeviceID,
		At: a.At, State: map[string]json.RawMessage{"mode": json.RawMessage(`{"type":"` + mode + `"}`)}}}
}

func countRows(t *testing.T, s *Store, q string) int {
	t.Helper()
	var n int
	must(t, s.r.GetContext(t.Context(), &n, q))
	return n
}

// TestJournalAppendThenProject: appends answer with the ids their activities get; a duplicate while waiting gets
// the first id and is stored once; the lag counts the waiting rows; Project writes the activities (with bodies)
// under those ids, applies the live changes in id order, drops the journal's bytes, and a later duplicate still
// finds the original; projecting the same rows again is ErrConflict and applies nothing.
func TestJournalAppendThenProject(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	must(t, s.ApplySync(t.Context(), genSnapshot(1, 1, 2, t0)))
	ctx := t.Context()
	first, err := s.Append(ctx, journalEntry(1, 0))
	must(t, err)
	second, err := s.Append(ctx, journalEntry(2, time.Second))
	must(t, err)
	dup, err := s.Append(ctx, journalEntry(1, 2*time.Second))
	must(t, err)
	if first.Duplicate || second.Duplicate || !dup.Duplicate || dup.ID != first.ID || second.ID <= first.ID {
		t.Fatalf("appends %+v %+v %+v: want two new ids in order and the duplicate on the first", first, second, dup)
	}
	lag, err := s.JournalLag(ctx)
	must(t, err)
	if lag.Waiting != 2 || !lag.Oldest.Equal(t0) || lag.Age(t0.Add(time.Minute)) != time.Minute {
		t.Errorf("lag %+v, want 2 waiting since t0", lag)
	}
	if n := countRows(t, s, `SELECT count(*) FROM activities`); n != 0 {
		t.Errorf("%d activities before the projection, want 0", n)
	}
	rows, err := s.WaitingJournal(ctx, 10)
	must(t, err)
	if len(rows) != 2 || rows[0].ID != first.ID || rows[1].ID != second.ID || string(rows[0].Body) != `{"n":1}` || !rows[0].Verified {
		t.Fatalf("waiting rows %+v", rows)
	}
	items := []IngestItem{lockItem(1, first.ID, 0, "locked"), lockItem(2, second.ID, time.Second, "unlocked")}
	res, err := s.Project(ctx, items)
	must(t, err)
	if len(res) != 2 || res[0].ID != first.ID || res[1].Device == nil || res[1].Device.Before.State != `{"mode":{"type":"locked"}}` {
		t.Fatalf("project results %+v: want the second change to start from the first's state", res)
	}
	dev, err := s.Device(ctx, "dev-0000000")
	must(t, err)
	if dev.State != `{"mode":{"type":"unlocked"}}` {
		t.Errorf("device state %s, want the later delivery's", dev.State)
	}
	for _, id := range []int64{first.ID, second.ID} {
		if _, err := s.ActivityByID(ctx, id); err != nil {
			t.Errorf("activity %d: %v", id, err)
		}
	}
	if n := countRows(t, s, `SELECT count(*) FROM activity_bodies`); n != 2 {
		t.Errorf("%d bodies, want 2", n)
	}
	if n := countRows(t, s, `SELECT count(*) FROM webhook_journal WHERE body IS NOT NULL OR projected = 0`); n != 0 {
		t.Errorf("%d journal rows still waiting or holding bytes", n)
	}
	if lag, _ := s.JournalLag(ctx); lag.Waiting != 0 || lag.Age(time.Now()) != 0 {
		t.Errorf("lag after projection %+v", lag)
	}
	later, err := s.Append(ctx, journalEntry(2, time.Hour))
	must(t, err)
	if !later.Duplicate || later.ID != second.ID {
		t.Errorf("duplicate after projection %+v, want the original %d", later, second.ID)
	}
	if _, err := s.Project(ctx, items); !errorsIsConflict(err) {
		t.Errorf("projecting again: %v, want ErrConflict", err)
	}
	if n := countRows(t, s, `SELECT count(*) FROM activities`); n != 2 {
		t.Errorf("%d activities after a second projection, want 2", n)
	}
}

// TestJournalSharesIDs: an activity written through (Ingest) while a delivery waits takes a journal id too, so the
// waiting one is projected under its own id without a collision, and the search index holds both once.
func TestJournalSharesIDs(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	waiting, err := s.Append(ctx, journalEntry(1, 0))
	must(t, err)
	direct := ingest(t, s, IngestItem{Activity: newActivity(2, time.Second)})
	if direct.ID == waiting.ID {
		t.Fatalf("write-through took the waiting row's id %d", direct.ID)
	}
	dupDirect := ingest(t, s, IngestItem{Activity: newActivity(1, time.Second)})
	if !dupDirect.Duplicate || dupDirect.ID != waiting.ID {
		t.Errorf("write-through of a waiting delivery %+v, want a duplicate of %d", dupDirect, waiting.ID)
	}
	it := lockItem(1, waiting.ID, 0, "locked")
	it.Live = nil
	_, err = s.Project(ctx, []IngestItem{it})
	must(t, err)
	if n := countRows(t, s, `SELECT count(*) FROM activities`); n != 2 {
		t.Errorf("%d activities, want 2", n)
	}
	if s.dialect == dialectSQLite && s.FullTextSearch() {
		if n := countRows(t, s, `SELECT count(*) FROM activities_fts`); n != 2 {
			t.Errorf("%d search rows, want 2", n)
		}
	}
}

// TestJournalMigratedKeysDedupe: activities from before the journal (0013 copies their keys) still dedupe an
// append, which answers with their id.
func TestJournalMigratedKeysDedupe(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	old := ingest(t, s, IngestItem{Activity: newActivity(1, 0)})
	e := journalEntry(1, 0)
	e.DedupeKey = DedupeKey(t0, sha256.Sum256([]byte("body-1")))
	res, err := s.Append(t.Context(), e)
	must(t, err)
	if !res.Duplicate || res.ID != old.ID {
		t.Errorf("append of a stored event %+v, want a duplicate of %d", res, old.ID)
	}
}

func errorsIsConflict(err error) bool { return errors.Is(err, ErrConflict) }
