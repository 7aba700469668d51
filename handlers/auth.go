package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"golang.org/x/crypto/bcrypt"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/throttle"
	"github.com/keyless/dashboard/views"
)

// Login throttles. Only failures count, and no limit keyed on the account alone can refuse its rightful owner: a
// stranger who knows an email address must not be able to lock that person out by typing wrong passwords.
//   - An address gets 20 failures (any accounts), then one more every 15 s.
//   - An account from one address gets 5 failures, then one more every minute.
//   - An account from all addresses together gets 50 failures, then one more every 10 s; past that ceiling only
//     addresses that have never failed for the account may still try (a distributed guesser gets one guess per
//     fresh address, and the owner, signing in from their usual clean address, is let through).
const (
	ipBurst          = 20
	ipEvery          = 15 * time.Second
	accountBurst     = 5
	accountEvery     = time.Minute
	accountWideBurst = 50
	accountWideEvery = 10 * time.Second
)

func handleLoginForm(sess *Sessions) http.Handler {
	return withErrors(sess.logger, func(w http.ResponseWriter, r *http.Request) error {
		if p, err := sess.load(r); err == nil && p != nil {
			http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
			return nil
		}
		w.Header().Set("Cache-Control", "no-store")
		return render(w, r, http.StatusOK, views.LoginPage(views.LoginData{Next: safeNext(r.URL.Query().Get("next"))}))
	})
}

// loginAttempts throttles password guessing per address, per account and address, and per account.
type loginAttempts struct {
	byIP      *throttle.Limiter
	byPair    *throttle.Limiter // account and address
	byAccount *throttle.Limiter
}

func newLoginAttempts() *loginAttempts {
	return &loginAttempts{byIP: throttle.New(ipEvery, ipBurst), byPair: throttle.New(accountEvery, accountBurst),
		byAccount: throttle.New(accountWideEvery, accountWideBurst)}
}

func pairKey(email, ip string) string { return email + "\x00" + ip }

// accountBlocked reports whether email may not try from ip now, and for how long: its own address's limit for the
// account, or the account-wide ceiling for an address that has failed for it before.
func (a *loginAttempts) accountBlocked(email, ip string, now time.Time) (bool, time.Duration) {
	pair := pairKey(email, ip)
	if blocked, wait := a.byPair.Blocked(pair, now); blocked {
		return true, wait
	}
	if blocked, wait := a.byAccount.Blocked(email, now); blocked && a.byPair.Seen(pair) {
		return true, wait
	}
	return false, 0
}

func (a *loginAttempts) fail(email, ip string, now time.Time) {
	a.byIP.Fail(ip, now)
	a.byPair.Fail(pairKey(email, ip), now)
	a.byAccount.Fail(email, now)
}

func handleLogin(sess *Sessions, attempts *loginAttempts, hasher *PasswordHasher) http.Handler {
	return withErrors(sess.logger, func(w http.ResponseWriter, r *http.Request) error {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			return badRequest("The form could not be read.", err)
		}
		email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
		password := r.PostForm.Get("password")
		data := views.LoginData{Email: email, Next: safeNext(r.PostForm.Get("next"))}
		fail := func(status int, msg string) error {
			w.Header().Set("Cache-Control", "no-store")
			data.Error = msg
			return render(w, r, status, views.LoginPage(data))
		}
		now := sess.now()
		ip := clientIP(r)
		if blocked, wait := attempts.byIP.Blocked(ip, now); blocked {
			return fail(http.StatusTooManyRequests, tooMany(wait))
		}
		if blocked, wait := attempts.accountBlocked(email, ip, now); blocked {
			audit(r, sess.store, sess.logger, auditRecord{action: "login", targetType: "user", targetID: email, outcome: "denied", detail: "throttled"})
			return fail(http.StatusTooManyRequests, tooMany(wait))
		}
		if email == "" || password == "" || len(email) > 254 || len(password) > 1024 {
			return fail(http.StatusUnprocessableEntity, "Enter your email address and password.")
		}
		u, err := sess.store.UserByEmail(r.Context(), email)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		ok := hasher.Compare(u.PasswordHash, password) // runs for unknown emails too, so timing tells nothing
		if err != nil || !ok || u.Disabled {
			attempts.fail(email, ip, now)
			audit(r, sess.store, sess.logger, auditRecord{action: "login", targetType: "user", targetID: email, outcome: "denied"})
			return fail(http.StatusUnauthorized, "That email and password do not match an active account.")
		}
		if old, err := sess.load(r); err == nil && old != nil { // signing in again ends the session this browser had
			if err := sess.store.RevokeSession(r.Context(), old.sessionID, now); err != nil {
				return err
			}
		}
		if err := sess.start(w, r, u); err != nil {
			return err
		}
		audit(r.WithContext(withUser(r.Context(), &principal{user: u})), sess.store, sess.logger,
			auditRecord{action: "login", targetType: "user", targetID: u.Email, outcome: "ok"})
		http.Redirect(w, r, data.Next, http.StatusSeeOther)
		return nil
	})
}

func tooMany(wait time.Duration) string {
	secs := int(wait.Round(time.Second) / time.Second)
	return fmt.Sprintf("Too many failed sign-ins. Wait %d seconds, then try again.", max(secs, 1))
}

func handleLogout(sess *Sessions) http.Handler {
	return withErrors(sess.logger, func(w http.ResponseWriter, r *http.Request) error {
		p := currentUser(r.Context())
		if err := sess.end(w, r); err != nil {
			return err
		}
		if p != nil {
			audit(r, sess.store, sess.logger, auditRecord{action: "logout", targetType: "user", targetID: p.user.Email, outcome: "ok"})
		}
		redirect(w, r, "/login")
		return nil
	})
}

// safeNext keeps post-login redirects on this site: a path, never "//host" or a scheme.
func safeNext(next string) string {
	// Browsers drop tabs and newlines from URLs, so "/\t/evil.com" would become "//evil.com": refuse every control character.
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsFunc(next, unicode.IsControl) {
		return "/"
	}
	return next
}

// PasswordHasher hashes with bcrypt. Cost is configurable so tests can run at bcrypt.MinCost.
type PasswordHasher struct {
	Cost  int
	dummy []byte
}

// NewPasswordHasher returns a hasher at cost (bcrypt.DefaultCost when 0).
func NewPasswordHasher(cost int) *PasswordHasher {
	if cost == 0 {
		cost = 12
	}
	dummy, _ := bcrypt.GenerateFromPassword([]byte("timing-equaliser"), cost)
	return &PasswordHasher{Cost: cost, dummy: dummy}
}

// Password rules: 10 to 72 bytes (bcrypt reads no further than 72).
const (
	minPassword = 10
	maxPassword = 72
)

// passwordProblem says, for people, what is wrong with pw; "" when nothing is.
func passwordProblem(pw string) string {
	switch {
	case len(pw) < minPassword:
		return fmt.Sprintf("Use at least %d characters.", minPassword)
	case len(pw) > maxPassword:
		return fmt.Sprintf("Use at most %d bytes (bcrypt ignores the rest).", maxPassword)
	}
	return ""
}

// Hash returns the bcrypt hash of pw.
func (h *PasswordHasher) Hash(pw string) (string, error) {
	if p := passwordProblem(pw); p != "" {
		return "", errors.New("handlers: password rejected: " + p)
	}
	b, err := bcrypt.GenerateFromPassword([]byte(pw), h.Cost)
	return string(b), err
}

// Compare reports whether pw matches hash; with an empty hash it still spends the time of one comparison.
func (h *PasswordHasher) Compare(hash, pw string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(h.dummy, []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}
