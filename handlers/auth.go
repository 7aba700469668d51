package handlers

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/views"
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

func handleLogin(sess *Sessions, attempts *auth.LoginAttempts, hasher *auth.PasswordHasher) http.Handler {
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
		if blocked, wait, err := attempts.AddressBlocked(r.Context(), ip, now); err != nil {
			return err
		} else if blocked {
			return fail(http.StatusTooManyRequests, tooMany(wait))
		}
		if blocked, wait, err := attempts.AccountBlocked(r.Context(), email, ip, now); err != nil {
			return err
		} else if blocked {
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
			if err := attempts.Fail(r.Context(), email, ip, now); err != nil {
				return err // a failure the throttle could not count must not be answered as an ordinary one
			}
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
