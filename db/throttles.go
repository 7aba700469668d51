package db

import (
	"context"
	"fmt"
	"time"
)

// The throttles table holds token buckets as GCRA "theoretical arrival times" (tat): spending one attempt moves a
// bucket's tat to max(tat, now) + every, unless that would put it more than burst*every past now (the bucket is
// empty). A bucket has an attempt left while tat <= now + (burst-1)*every. One integer per bucket, updated by one
// upsert that does the whole computation in the database, so two instances spending on one key at the same moment
// both count: neither reads a value the other is about to overwrite.

// spendThrottleSQL inserts a bucket with one attempt spent, or spends one from the stored bucket. excluded.used_at
// is now and excluded.tat - excluded.used_at is every; the last parameter is burst*every. CASE rather than
// greatest/max, which the two dialects spell differently.
const spendThrottleSQL = `INSERT INTO throttles (name, key, tat, used_at)
VALUES (?, ?, CAST(? AS BIGINT), CAST(? AS BIGINT))
ON CONFLICT (name, key) DO UPDATE SET
	tat = CASE
		WHEN (CASE WHEN throttles.tat > excluded.used_at THEN throttles.tat ELSE excluded.used_at END)
			+ (excluded.tat - excluded.used_at) - excluded.used_at <= CAST(? AS BIGINT)
		THEN (CASE WHEN throttles.tat > excluded.used_at THEN throttles.tat ELSE excluded.used_at END)
			+ (excluded.tat - excluded.used_at)
		ELSE throttles.tat END,
	used_at = excluded.used_at`

// SpendThrottle spends one attempt of key in the bucket name (every per attempt, burst attempts when full) at now;
// an empty bucket stays as it is.
func (s *Store) SpendThrottle(ctx context.Context, name, key string, every time.Duration, burst int, now time.Time) error {
	step := every.Milliseconds()
	if step <= 0 || burst <= 0 {
		return fmt.Errorf("db: throttle %s: every %s and burst %d must be positive", name, every, burst)
	}
	if _, err := s.w.ExecContext(ctx, spendThrottleSQL, name, key, ms(now)+step, ms(now), int64(burst)*step); err != nil {
		return fmt.Errorf("db: spend throttle %s: %w", name, err)
	}
	return nil
}

// ThrottleTAT returns the theoretical arrival time of key's bucket in name; ErrNotFound when key has no bucket
// (it never spent, or its bucket was pruned).
func (s *Store) ThrottleTAT(ctx context.Context, name, key string) (time.Time, error) {
	var tat int64
	err := s.r.GetContext(ctx, &tat, `SELECT tat FROM throttles WHERE name = ? AND key = ?`, name, key)
	if err != nil {
		if err = notFound(err); err != ErrNotFound {
			err = fmt.Errorf("db: throttle %s: %w", name, err)
		}
		return time.Time{}, err
	}
	return fromMS(tat), nil
}

// DeleteStaleThrottles removes the buckets last used before before and full again by then (they hold nothing a
// fresh bucket would not), and returns how many.
func (s *Store) DeleteStaleThrottles(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM throttles WHERE used_at < ? AND tat < ?`, ms(before), ms(before))
	if err != nil {
		return 0, fmt.Errorf("db: prune throttles: %w", err)
	}
	return res.RowsAffected()
}
