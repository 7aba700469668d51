package handlers

import (
	"net/http"

	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/views"
)

func handleAccount(sess *Sessions) http.Handler {
	return withErrors(sess.logger, func(w http.ResponseWriter, r *http.Request) error {
		return render(w, r, http.StatusOK, views.AccountPage(pageMeta(r, "Your account", "account"), views.AccountData{}))
	})
}

// handleChangePassword checks the current password, stores the new one, revokes every session of the person
// (the store does it in the same transaction) and signs this browser in again with a fresh session.
func handleChangePassword(sess *Sessions, hasher *auth.PasswordHasher) http.Handler {
	return withErrors(sess.logger, func(w http.ResponseWriter, r *http.Request) error {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			return badRequest("The form could not be read.", err)
		}
		p := currentUser(r.Context())
		fail := func(msg string) error {
			audit(r, sess.store, sess.logger, auditRecord{action: "password.change", targetType: "user", targetID: p.user.Email, outcome: "denied", detail: msg})
			return render(w, r, http.StatusUnprocessableEntity, views.AccountPage(pageMeta(r, "Your account", "account"), views.AccountData{Error: msg}))
		}
		current, next, confirm := r.PostForm.Get("current_password"), r.PostForm.Get("new_password"), r.PostForm.Get("confirm_password")
		if !hasher.Compare(p.user.PasswordHash, current) {
			return fail("Your current password is not right.")
		}
		if next != confirm {
			return fail("The new password and its confirmation differ.")
		}
		if next == current {
			return fail("Choose a new password that differs from the current one.")
		}
		if p := auth.PasswordProblem(next); p != "" {
			return fail(p)
		}
		hash, err := hasher.Hash(next)
		if err != nil {
			return err
		}
		if err := sess.store.SetPassword(r.Context(), p.user.ID, hash, sess.now()); err != nil {
			return err
		}
		sess.auth.UserChanged(p.user.ID)
		p.user.PasswordHash = hash
		if err := sess.start(w, r, p.user); err != nil {
			return err
		}
		audit(r, sess.store, sess.logger, auditRecord{action: "password.change", targetType: "user", targetID: p.user.Email, outcome: "ok"})
		http.Redirect(w, r, "/account?flash=password-changed", http.StatusSeeOther)
		return nil
	})
}
