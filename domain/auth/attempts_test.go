package auth

import (
	"fmt"
	"testing"
	"time"
)

// TestAccountBlocked: an account's own address is limited first; the account-wide ceiling stops only addresses
// that have failed for it, so the owner's clean address still gets in.
func TestAccountBlocked(t *testing.T) {
	t.Parallel()
	a := NewLoginAttempts()
	now := time.Now()
	const email = "owner@example.com"
	for range AccountBurst {
		if blocked, _ := a.AccountBlocked(email, "192.0.2.1", now); blocked {
			t.Fatal("blocked before the burst was spent")
		}
		a.Fail(email, "192.0.2.1", now)
	}
	if blocked, wait := a.AccountBlocked(email, "192.0.2.1", now); !blocked || wait <= 0 || wait > AccountEvery {
		t.Errorf("after %d failures: blocked %v, wait %v", AccountBurst, blocked, wait)
	}
	for i := range AccountWideBurst { // a distributed guesser, one failure per address
		a.Fail(email, fmt.Sprintf("198.51.100.%d", i), now)
	}
	if blocked, _ := a.AccountBlocked(email, "198.51.100.1", now); !blocked {
		t.Error("an address that failed for the account passes the account-wide ceiling")
	}
	if blocked, _ := a.AccountBlocked(email, "203.0.113.9", now); blocked {
		t.Error("a clean address is refused: a stranger could lock the owner out")
	}
	if blocked, _ := a.AddressBlocked("203.0.113.9", now); blocked {
		t.Error("a clean address is blocked")
	}
}

func TestAddressBlocked(t *testing.T) {
	t.Parallel()
	a := NewLoginAttempts()
	now := time.Now()
	for i := range IPBurst {
		a.Fail(fmt.Sprintf("user%d@example.com", i), "192.0.2.1", now)
	}
	if blocked, wait := a.AddressBlocked("192.0.2.1", now); !blocked || wait > IPEvery {
		t.Errorf("after %d failures from one address: blocked %v, wait %v", IPBurst, blocked, wait)
	}
	if blocked, _ := a.AddressBlocked("192.0.2.1", now.Add(IPEvery)); blocked {
		t.Error("no attempt back after IPEvery")
	}
}
