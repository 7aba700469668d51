package db

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// releasedBy is inbox_activities.applied_by when a verified delivery, not a person, released a held activity.
const releasedBy = "verified delivery"

// releaseHeld handles a verified delivery that duplicates an activity an admin logged from the webhook inbox and
// whose change is still held: the sender's clock was off, say, so its signature expired, and its retry now verifies.
// Without this the retry would be a plain duplicate and its change would never reach the mirror. Only the very same
// bytes release a hold (a forged body that borrowed a webhook-id stays held); the activity becomes verified, and the
// returned requests (Released, no longer Duplicate) have their live change applied by the caller. Batches with no
// verified duplicate, nearly all of them, cost nothing here.
func releaseHeld(ctx context.Context, tx *dbTx, batch []*ingestReq, now time.Time) ([]*ingestReq, error) {
	byID := map[int64]*ingestReq{}
	var ids []int64
	for _, req := range batch {
		if req.res.Duplicate && req.item.Activity.Verified && byID[req.res.ID] == nil {
			byID[req.res.ID] = req
			ids = append(ids, req.res.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	arg, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	var held []struct {
		ID   int64  `db:"activity_id"`
		Body []byte `db:"body"`
	}
	if err := tx.SelectContext(ctx, &held, `SELECT ia.activity_id, b.body FROM inbox_activities ia
		JOIN activity_bodies b ON b.activity_id = ia.activity_id
		WHERE ia.applied_at IS NULL AND ia.activity_id IN (`+jsonValues(tx.DriverName(), true)+`)`, string(arg)); err != nil {
		return nil, err
	}
	var out []*ingestReq
	for _, h := range held {
		req := byID[h.ID]
		if !bytes.Equal(h.Body, req.item.Body) {
			continue
		}
		if err := markApplied(ctx, tx, h.ID, releasedBy, now); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE activities SET verified = 1 WHERE id = ?`, h.ID); err != nil {
			return nil, fmt.Errorf("activity %d: %w", h.ID, err)
		}
		req.res.Duplicate, req.res.Released = false, true
		out = append(out, req)
	}
	return out, nil
}

// markApplied ends the hold on an activity; ErrConflict when it was not held (applied already, or never logged
// from the inbox).
func markApplied(ctx context.Context, tx *dbTx, activityID int64, by string, at time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE inbox_activities SET applied_by = ?, applied_at = ?
		WHERE activity_id = ? AND applied_at IS NULL`, by, ms(at), activityID)
	if err != nil {
		return fmt.Errorf("release activity %d: %w", activityID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("activity %d is not held: %w", activityID, ErrConflict)
	}
	return nil
}
