package auth

import (
	"time"

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

// LoginAttempts throttles password guessing per address, per account and address, and per account.
type LoginAttempts struct {
	byIP      *throttle.Limiter
	byPair    *throttle.Limiter // account and address
	byAccount *throttle.Limiter
}

// NewLoginAttempts returns the throttles with the limits above and no failures yet.
func NewLoginAttempts() *LoginAttempts {
	return &LoginAttempts{byIP: throttle.New(IPEvery, IPBurst), byPair: throttle.New(AccountEvery, AccountBurst),
		byAccount: throttle.New(AccountWideEvery, AccountWideBurst)}
}

func pairKey(email, ip string) string { return email + "\x00" + ip }

// AddressBlocked reports whether ip may not try any account now, and for how long.
func (a *LoginAttempts) AddressBlocked(ip string, now time.Time) (bool, time.Duration) {
	return a.byIP.Blocked(ip, now)
}

// AccountBlocked reports whether email may not try from ip now, and for how long: its own address's limit for the
// account, or the account-wide ceiling for an address that has failed for it before.
func (a *LoginAttempts) AccountBlocked(email, ip string, now time.Time) (bool, time.Duration) {
	pair := pairKey(email, ip)
	if blocked, wait := a.byPair.Blocked(pair, now); blocked {
		return true, wait
	}
	if blocked, wait := a.byAccount.Blocked(email, now); blocked && a.byPair.Seen(pair) {
		return true, wait
	}
	return false, 0
}

// Fail counts one failed sign-in for email from ip against all three limits.
func (a *LoginAttempts) Fail(email, ip string, now time.Time) {
	a.byIP.Fail(ip, now)
	a.byPair.Fail(pairKey(email, ip), now)
	a.byAccount.Fail(email, now)
}
