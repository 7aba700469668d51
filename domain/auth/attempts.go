package auth

import (
	"context"
	"errors"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/throttle"
)

// Login throttles. Only failures count, and no limit keyed on the account alone can refuse its rightful owner: a
// stranger who knows an email address must not be able to lock that person out by typing wrong passwords.
//   - An address gets 20 failures (any accounts), then one more every 15 s.
//   - An account from one address gets 5 failures, then one more every minute.
//   - An account from all addresses together gets 50 failures, then one more every 10 s; past that ceiling only
//     addresses that have never failed for the account may still try (a distributed guesser gets one guess per
//     fresh address, and the owner, signing in from their usual clean address, is let through).
//
// Exported so the HTTP tests drive the limits by name.
const (
	IPBurst          = 20
	IPEvery          = 15 * time.Second
	AccountBurst     = 5
	AccountEvery     = time.Minute
	AccountWideBurst = 50
	AccountWideEvery = 10 * time.Second
)

// LoginAttempts throttles password guessing per address, per account and address, and per account. On PostgreSQL
// the buckets are rows of the shared throttles table, so failures sent to different instances add up.
type LoginAttempts struct {
	byIP      *throttle.Limiter
	byPair    *throttle.Limiter // account and address
	byAccount *throttle.Limiter
}

// NewLoginAttempts returns the throttles with the limits above, kept in store's database when it is PostgreSQL and
// in memory otherwise (nil store: in memory).
func NewLoginAttempts(store *db.Store) *LoginAttempts {
	return &LoginAttempts{byIP: throttle.Shared(store, "login.ip", IPEvery, IPBurst),
		byPair:    throttle.Shared(store, "login.pair", AccountEvery, AccountBurst),
		byAccount: throttle.Shared(store, "login.account", AccountWideEvery, AccountWideBurst)}
}

func pairKey(email, ip string) string { return email + "\x00" + ip }

// AddressBlocked reports whether ip may not try any account now, and for how long.
func (a *LoginAttempts) AddressBlocked(ctx context.Context, ip string, now time.Time) (bool, time.Duration, error) {
	return a.byIP.Blocked(ctx, ip, now)
}

// AccountBlocked reports whether email may not try from ip now, and for how long: its own address's limit for the
// account, or the account-wide ceiling for an address that has failed for it before.
func (a *LoginAttempts) AccountBlocked(ctx context.Context, email, ip string, now time.Time) (bool, time.Duration, error) {
	pair := pairKey(email, ip)
	if blocked, wait, err := a.byPair.Blocked(ctx, pair, now); blocked || err != nil {
		return blocked, wait, err
	}
	blocked, wait, err := a.byAccount.Blocked(ctx, email, now)
	if !blocked || err != nil {
		return false, 0, err
	}
	seen, err := a.byPair.Seen(ctx, pair)
	if !seen || err != nil {
		return false, 0, err
	}
	return true, wait, nil
}

// Fail counts one failed sign-in for email from ip against all three limits.
func (a *LoginAttempts) Fail(ctx context.Context, email, ip string, now time.Time) error {
	return errors.Join(a.byIP.Fail(ctx, ip, now), a.byPair.Fail(ctx, pairKey(email, ip), now),
		a.byAccount.Fail(ctx, email, now))
}
