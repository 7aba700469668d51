package db

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/keyless/dashboard/db/pgtest"
)

// TestThrottleBucket: on both dialects a bucket takes burst spends, then refills one every `every`; an empty bucket
// does not go further into debt; pruning removes only idle, full buckets.
func TestThrottleBucket(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx, now := t.Context(), time.UnixMilli(1_700_000_000_000).UTC()
		if _, err := s.ThrottleTAT(ctx, "x", "k"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("no bucket yet: %v, want ErrNotFound", err)
		}
		for range 5 { // burst 3: the 4th and 5th find it empty
			must(t, s.SpendThrottle(ctx, "x", "k", time.Second, 3, now))
		}
		tat, err := s.ThrottleTAT(ctx, "x", "k")
		must(t, err)
		if want := now.Add(3 * time.Second); !tat.Equal(want) {
			t.Errorf("tat after 3 spends (and 2 refused) = %v, want %v", tat, want)
		}
		later := now.Add(10 * time.Second) // full again: tat restarts from now
		must(t, s.SpendThrottle(ctx, "x", "k", time.Second, 3, later))
		tat, err = s.ThrottleTAT(ctx, "x", "k")
		must(t, err)
		if want := later.Add(time.Second); !tat.Equal(want) {
			t.Errorf("tat after a spend on a full bucket = %v, want %v", tat, want)
		}
		must(t, s.SpendThrottle(ctx, "x", "other", time.Hour, 3, later)) // tat an hour ahead: not full at later+1m
		n, err := s.DeleteStaleThrottles(ctx, later.Add(time.Minute))
		must(t, err)
		if n != 1 {
			t.Errorf("pruned %d buckets, want 1 (the idle, full one)", n)
		}
	})
}

// TestThrottleSharedPostgres: two stores (two instances) spending on one key at the same moment each count: 40
// concurrent spends on a bucket of 30 leave it exactly empty, whichever store made them.
func TestThrottleSharedPostgres(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	a, errA := OpenPostgres(t.Context(), dsn)
	a = closedAtEnd(t, a, errA)
	b, errB := OpenPostgres(t.Context(), dsn)
	b = closedAtEnd(t, b, errB)
	now := time.UnixMilli(1_700_000_000_000).UTC()
	var wg sync.WaitGroup
	for i := range 40 {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			if err := s.SpendThrottle(t.Context(), "x", "k", time.Second, 30, now); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	tat, err := a.ThrottleTAT(t.Context(), "x", "k")
	must(t, err)
	if want := now.Add(30 * time.Second); !tat.Equal(want) {
		t.Errorf("tat after 40 concurrent spends on 30 = %v, want %v (lost updates or overdraft)", tat, want)
	}
}
