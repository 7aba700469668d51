package handlers

import (
	"errors"
	"net/http"
	"net/mail"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/views"
)

func handleUsers(sess *Sessions) http.Handler {
	return withErrors(sess.logger, func(w http.ResponseWriter, r *http.Request) error {
		return renderUsers(w, r, sess, http.StatusOK, views.UserFormData{Role: string(db.RoleStaff)}, "")
	})
}

func renderUsers(w http.ResponseWriter, r *http.Request, sess *Sessions, status int, form views.UserFormData, errMsg string) error {
	users, err := sess.store.ListUsers(r.Context())
	if err != nil {
		return err
	}
	me := currentUser(r.Context())
	data := views.UsersData{Roles: roleNames(), Form: form, Error: errMsg}
	for _, u := range users {
		data.Users = append(data.Users, userRow(u, me))
	}
	return render(w, r, status, views.UsersPage(pageMeta(r, "Users", "users"), data))
}

func userRow(u db.User, me *principal) views.UserRowData {
	return views.UserRowData{ID: strconv.FormatInt(u.ID, 10), Email: u.Email, Name: u.Name, Role: string(u.Role),
		Disabled: u.Disabled, Self: me != nil && me.user.ID == u.ID, Roles: roleNames()}
}

func roleNames() []string {
	var out []string
	for _, r := range db.Roles() {
		out = append(out, string(r))
	}
	return out
}

// userInput is the validated form of the create and edit forms.
type userInput struct {
	email, name, password string
	role                  db.Role
	disabled              bool
}

func parseUserForm(r *http.Request, creating bool) (userInput, string) {
	in := userInput{
		email:    strings.ToLower(strings.TrimSpace(r.PostForm.Get("email"))),
		name:     strings.TrimSpace(r.PostForm.Get("name")),
		password: r.PostForm.Get("password"),
		disabled: r.PostForm.Get("disabled") != "",
	}
	role, err := db.ParseRole(r.PostForm.Get("role"))
	if err != nil {
		return in, "Choose one of the roles: " + strings.Join(roleNames(), ", ") + "."
	}
	in.role = role
	if creating {
		if a, err := mail.ParseAddress(in.email); err != nil || a.Address != in.email || len(in.email) > 254 {
			return in, "Enter a valid email address, like name@example.com."
		}
	}
	if in.name == "" || len([]rune(in.name)) > 100 {
		return in, "Enter a name of 1 to 100 characters."
	}
	if creating {
		if p := auth.PasswordProblem(in.password); p != "" {
			return in, "Password: " + p
		}
	}
	return in, ""
}

func handleUserCreate(sess *Sessions, hasher *auth.PasswordHasher) http.Handler {
	return withErrors(sess.logger, func(w http.ResponseWriter, r *http.Request) error {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			return badRequest("The form could not be read.", err)
		}
		in, problem := parseUserForm(r, true)
		form := views.UserFormData{Email: in.email, Name: in.name, Role: string(in.role)}
		if problem != "" {
			return renderUsers(w, r, sess, http.StatusUnprocessableEntity, form, problem)
		}
		hash, err := hasher.Hash(in.password)
		if err != nil {
			return err
		}
		now := sess.now()
		u, err := sess.store.CreateUser(r.Context(), db.User{Email: in.email, Name: in.name, Role: in.role,
			PasswordHash: hash, CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now})
		if errors.Is(err, db.ErrConflict) {
			return renderUsers(w, r, sess, http.StatusConflict, form, "A user with that email address already exists.")
		}
		if err != nil {
			return err
		}
		audit(r, sess.store, sess.logger, auditRecord{action: "user.create", targetType: "user", targetID: u.Email, outcome: "ok", detail: "role " + string(u.Role)})
		http.Redirect(w, r, "/users?flash=user-created", http.StatusSeeOther)
		return nil
	})
}

// handleUserUpdate saves one user's name, role and disabled flag. htmx gets the row back (with the error, if any);
// a plain form post is redirected to the list.
func handleUserUpdate(sess *Sessions) http.Handler {
	return withErrors(sess.logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return notFound()
		}
		u, err := sess.store.UserByID(r.Context(), id)
		if err != nil {
			return err
		}
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			return badRequest("The form could not be read.", err)
		}
		in, problem := parseUserForm(r, false)
		me := currentUser(r.Context())
		if problem == "" && me.user.ID == u.ID && (in.disabled || in.role != db.RoleAdmin) {
			problem = "You cannot disable yourself or remove your own admin role; ask another admin."
		}
		if problem != "" {
			if isHTMX(r) {
				row := userRow(u, me)
				row.Error = problem
				return render(w, r, http.StatusUnprocessableEntity, views.UserRow(row))
			}
			return renderUsers(w, r, sess, http.StatusUnprocessableEntity, views.UserFormData{Role: string(db.RoleStaff)}, u.Email+": "+problem)
		}
		if err := sess.store.UpdateUser(r.Context(), u.ID, in.name, in.role, in.disabled); err != nil {
			return err
		}
		if in.disabled || in.role != u.Role {
			sess.auth.UserChanged(u.ID) // their open live streams end with their old rights
		}
		detail := "role " + string(in.role)
		if in.disabled {
			detail += ", disabled"
		}
		audit(r, sess.store, sess.logger, auditRecord{action: "user.update", targetType: "user", targetID: u.Email, outcome: "ok", detail: detail})
		if !isHTMX(r) {
			http.Redirect(w, r, "/users?flash=user-saved", http.StatusSeeOther)
			return nil
		}
		u.Name, u.Role, u.Disabled = in.name, in.role, in.disabled
		row := userRow(u, me)
		row.Saved = true
		return render(w, r, http.StatusOK, views.UserRow(row))
	})
}
