package auth

import (
	"fmt"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/db/pgtest"
)

// pgStores opens n stores on one fresh PostgreSQL database: n instances of one cluster.
func pgStores(t *testing.T, n int) []*db.Store {
	t.Helper()
	dsn := pgtest.DSN(t)
	stores := make([]*db.Store, n)
	for i := range stores {
		s, err := db.OpenPostgres(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	return stores
}

// attemptBackends are the throttles' two homes: memory (SQLite, or no store) and the PostgreSQL table, here seen
// through two stores so that every other call goes to the other "instance".
func attemptBackends(t *testing.T) map[string]func(i int) *LoginAttempts {
	mem := NewLoginAttempts(nil)
	pg := pgStores(t, 2)
	shared := []*LoginAttempts{NewLoginAttempts(pg[0]), NewLoginAttempts(pg[1])}
	return map[string]func(int) *LoginAttempts{
		"memory":              func(int) *LoginAttempts { return mem },
		"postgres two stores": func(i int) *LoginAttempts { return shared[i%2] },
	}
}

// blocked unwraps a Blocked answer, failing the test on an error.
func blocked(t *testing.T) func(bool, time.Duration, error) (bool, time.Duration) {
	return func(b bool, wait time.Duration, err error) (bool, time.Duration) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b, wait
	}
}

func fail(t *testing.T, a *LoginAttempts, email, ip string, now time.Time) {
	t.Helper()
	if err := a.Fail(t.Context(), email, ip, now); err != nil {
		t.Fatal(err)
	}
}

// TestAccountBlocked: an account's own address is limited first; the account-wide ceiling stops only addresses
// that have failed for it, so the owner's clean address still gets in. On PostgreSQL the failures are split over
// two instances and still add up.
func TestAccountBlocked(t *testing.T) {
	t.Parallel()
	for name, a := range attemptBackends(t) {
		t.Run(name, func(t *testing.T) {
			ctx, now := t.Context(), time.UnixMilli(1_700_000_000_000)
			const email = "owner@example.com"
			for i := range AccountBurst {
				if b, _ := blocked(t)(a(i).AccountBlocked(ctx, email, "192.0.2.1", now)); b {
					t.Fatal("blocked before the burst was spent")
				}
				fail(t, a(i), email, "192.0.2.1", now)
			}
			for i := range 2 { // both instances refuse
				if b, wait := blocked(t)(a(i).AccountBlocked(ctx, email, "192.0.2.1", now)); !b || wait <= 0 || wait > AccountEvery {
					t.Errorf("after %d failures: blocked %v, wait %v", AccountBurst, b, wait)
				}
			}
			for i := range AccountWideBurst { // a distributed guesser, one failure per address
				fail(t, a(i), email, fmt.Sprintf("198.51.100.%d", i), now)
			}
			if b, _ := blocked(t)(a(0).AccountBlocked(ctx, email, "198.51.100.1", now)); !b {
				t.Error("an address that failed for the account passes the account-wide ceiling")
			}
			if b, _ := blocked(t)(a(1).AccountBlocked(ctx, email, "203.0.113.9", now)); b {
				t.Error("a clean address is refused: a stranger could lock the owner out")
			}
			if b, _ := blocked(t)(a(0).AddressBlocked(ctx, "203.0.113.9", now)); b {
				t.Error("a clean address is blocked")
			}
		})
	}
}

// TestAddressBlocked: IPBurst failures from one address, split over the instances, block it on every instance
// until IPEvery has passed.
func TestAddressBlocked(t *testing.T) {
	t.Parallel()
	for name, a := range attemptBackends(t) {
		t.Run(name, func(t *testing.T) {
			ctx, now := t.Context(), time.UnixMilli(1_700_000_000_000)
			for i := range IPBurst {
				fail(t, a(i), fmt.Sprintf("user%d@example.com", i), "192.0.2.1", now)
			}
			for i := range 2 {
				if b, wait := blocked(t)(a(i).AddressBlocked(ctx, "192.0.2.1", now)); !b || wait > IPEvery {
					t.Errorf("after %d failures from one address: blocked %v, wait %v", IPBurst, b, wait)
				}
			}
			if b, _ := blocked(t)(a(1).AddressBlocked(ctx, "192.0.2.1", now.Add(IPEvery))); b {
				t.Error("no attempt back after IPEvery")
			}
		})
	}
}
