package db

import (
	"errors"
	"testing"
	"time"
)

// TestLockCodeTerms (both dialects): a code read from the upstream is a standard, unlimited code; a code issued
// with terms keeps them across later upstream reads; out-of-range terms are refused.
func TestLockCodeTerms(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		must(t, s.ApplySync(ctx, genSnapshot(1, 1, 2, t0)))
		must(t, s.UpsertLockCode(ctx, testCode("plain", 1000, t0, "dev-0000000")))
		plain, err := s.LockCode(ctx, "plain")
		must(t, err)
		if plain.Kind != CodeKindStandard || plain.MaxUses != 0 || plain.Uses != 0 || plain.Company != "" || plain.AdoptedFrom != "" {
			t.Errorf("a code read from the upstream: %+v", plain)
		}

		v := testCode("vendor", 1000, t0, "dev-0000000")
		v.SetTerms, v.Kind, v.Company, v.MaxUses, v.AdoptedFrom = true, CodeKindVendor, "Acme", 3, "dev-0000000#4"
		must(t, s.UpsertLockCode(ctx, v))
		must(t, s.UpsertLockCode(ctx, testCode("vendor", 1000, t0.Add(time.Minute), "dev-0000000"))) // a later sync read
		got, err := s.LockCode(ctx, "vendor")
		must(t, err)
		if got.Kind != CodeKindVendor || got.Company != "Acme" || got.MaxUses != 3 || got.AdoptedFrom != "dev-0000000#4" {
			t.Errorf("terms after a sync read: %+v", got)
		}
		for _, bad := range []LockCode{{Kind: "admin"}, {MaxUses: MaxCodeUses + 1}, {MaxUses: -1}} {
			c := testCode("bad", 1000, t0, "dev-0000000")
			c.SetTerms, c.Kind, c.MaxUses = true, bad.Kind, bad.MaxUses
			if err := s.UpsertLockCode(ctx, c); err == nil {
				t.Errorf("terms %+v accepted", bad)
			}
		}
		if _, err := s.LockCode(ctx, "bad"); !errors.Is(err, ErrNotFound) {
			t.Errorf("a refused code was stored: %v", err)
		}
	})
}

// TestCountLockCodeUse (both dialects): each activity counts once, however often it is told.
func TestCountLockCodeUse(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := t.Context()
		must(t, s.ApplySync(ctx, genSnapshot(1, 1, 1, t0)))
		c := testCode("limited", 1000, t0, "dev-0000000")
		c.SetTerms, c.MaxUses = true, 2
		must(t, s.UpsertLockCode(ctx, c))
		must(t, s.UpsertLockCode(ctx, testCode("unlimited", 1000, t0, "dev-0000000")))
		limited := func(device, name string) []string {
			ids, err := s.LimitedCodesOn(ctx, device, name)
			must(t, err)
			return ids
		}
		if got := limited("dev-0000000", "Code limited"); len(got) != 1 || got[0] != "limited" {
			t.Errorf("limited codes on the lock: %v", got)
		}
		if got := limited("dev-0000000", "Code unlimited"); len(got) != 0 {
			t.Errorf("an unlimited code is listed: %v", got)
		}
		if got := limited("dev-0000000", "code limited"); len(got) != 0 {
			t.Errorf("names match whatever their case: %v", got)
		}
		steps := []struct {
			activity int64
			counted  bool
			uses     int
		}{{10, true, 1}, {10, false, 1}, {11, true, 2}, {10, false, 2}, {11, false, 2}}
		for i, st := range steps {
			u, err := s.CountLockCodeUse(ctx, "limited", st.activity, t0)
			must(t, err)
			if u.Counted != st.counted || u.Uses != st.uses || u.MaxUses != 2 || u.Deleted {
				t.Errorf("step %d (activity %d): %+v, want counted %v, uses %d", i, st.activity, u, st.counted, st.uses)
			}
		}
		must(t, s.MarkLockCodeDeleted(ctx, "limited", t0, false))
		if got := limited("dev-0000000", "Code limited"); len(got) != 0 {
			t.Errorf("a deleted code is listed: %v", got)
		}
		if u, err := s.CountLockCodeUse(ctx, "limited", 12, t0); err != nil || !u.Deleted {
			t.Errorf("after deletion: %+v, %v", u, err)
		}
		if _, err := s.CountLockCodeUse(ctx, "nope", 1, t0); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown code: %v", err)
		}
	})
}
