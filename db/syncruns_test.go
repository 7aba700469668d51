package db

import (
	"testing"
	"time"
)

func TestSyncRuns(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	_, err := s.LastSync(ctx)
	wantErr(t, err, ErrNotFound)
	_, err = s.LastGoodSync(ctx)
	wantErr(t, err, ErrNotFound)

	good := SyncRun{StartedAt: t0, FinishedAt: t0.Add(2 * time.Second), OK: true, Properties: 3, Hubs: 4, Devices: 9}
	must(t, s.RecordSync(ctx, good))
	bad := SyncRun{StartedAt: t0.Add(time.Minute), FinishedAt: t0.Add(time.Minute + time.Second),
		Error: "smarthome: GET api/properties: 503"}
	must(t, s.RecordSync(ctx, bad))

	last, err := s.LastSync(ctx)
	must(t, err)
	bad.ID = last.ID
	if last != bad {
		t.Errorf("LastSync = %+v, want %+v", last, bad)
	}
	lastGood, err := s.LastGoodSync(ctx)
	must(t, err)
	good.ID = lastGood.ID
	if lastGood != good || lastGood.ID >= last.ID {
		t.Errorf("LastGoodSync = %+v, want %+v", lastGood, good)
	}
}

// TestRecordSyncTrimsHistory fills the history past its bound with failures and checks the trim
// keeps the newest runs and the last good one.
func TestRecordSyncTrimsHistory(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	must(t, s.RecordSync(ctx, SyncRun{StartedAt: t0, FinishedAt: t0, OK: true, Properties: 1}))
	must(t, s.inTx(ctx, func(tx *dbTx) error {
		for i := range syncRunsKept + 50 {
			at := ms(t0.Add(time.Duration(i+1) * time.Minute))
			if _, err := tx.ExecContext(ctx, `INSERT INTO sync_runs (started_at, finished_at, ok, error)
				VALUES (?, ?, 0, 'down')`, at, at); err != nil {
				return err
			}
		}
		return nil
	}))
	must(t, s.RecordSync(ctx, SyncRun{StartedAt: t0.Add(time.Hour * 48), FinishedAt: t0.Add(time.Hour * 48), Error: "down"}))
	var n int
	must(t, s.r.GetContext(ctx, &n, `SELECT count(*) FROM sync_runs`))
	if n != syncRunsKept+1 {
		t.Errorf("kept %d runs, want %d", n, syncRunsKept+1)
	}
	good, err := s.LastGoodSync(ctx)
	if err != nil || good.Properties != 1 {
		t.Fatalf("LastGoodSync = %+v, %v", good, err)
	}
	last, err := s.LastSync(ctx)
	if err != nil || !last.StartedAt.Equal(t0.Add(48*time.Hour)) {
		t.Fatalf("LastSync = %+v, %v", last, err)
	}
}
