package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Role is what a dashboard user may do.
type Role string

// The roles, from most to least powerful. The users table CHECKs the same list.
const (
	RoleAdmin     Role = "admin"     // everything, including users and roles
	RoleStaff     Role = "staff"     // leasing staff: codes, schedules, reservations, invitations, commands
	RoleInstaller Role = "installer" // hubs and devices, including the master-code reset
	RoleAuditor   Role = "auditor"   // read-only: activity and audit logs
)

// Roles lists every role in display order.
func Roles() []Role { return []Role{RoleAdmin, RoleStaff, RoleInstaller, RoleAuditor} }

// ParseRole parses a role name (case-insensitive, surrounding spaces ignored).
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Roles() {
		if r == known {
			return r, nil
		}
	}
	return "", fmt.Errorf("db: unknown role %q", s)
}

// ErrLastAdmin is returned when a change would leave no enabled admin, locking everyone out of
// user management.
var ErrLastAdmin = errors.New("db: cannot demote or disable the last enabled admin")

// User is a person who signs in to the dashboard.
type User struct {
	ID                int64
	Email             string
	Name              string
	Role              Role
	PasswordHash      string
	Disabled          bool
	CreatedAt         time.Time
	UpdatedAt         time.Time
	PasswordChangedAt time.Time
}

type userRow struct {
	ID                int64  `db:"id"`
	Email             string `db:"email"`
	Name              string `db:"name"`
	Role              string `db:"role"`
	PasswordHash      string `db:"password_hash"`
	Disabled          bool   `db:"disabled"`
	CreatedAt         int64  `db:"created_at"`
	UpdatedAt         int64  `db:"updated_at"`
	PasswordChangedAt int64  `db:"password_changed_at"`
}

const userCols = `id, email, name, role, password_hash, disabled, created_at, updated_at, password_changed_at`

func (r userRow) user() User {
	return User{
		ID: r.ID, Email: r.Email, Name: r.Name, Role: Role(r.Role), PasswordHash: r.PasswordHash,
		Disabled: r.Disabled, CreatedAt: fromMS(r.CreatedAt), UpdatedAt: fromMS(r.UpdatedAt),
		PasswordChangedAt: fromMS(r.PasswordChangedAt),
	}
}

// CreateUser inserts u and returns it with its ID. The email is trimmed and must be unique
// regardless of case (ErrConflict otherwise). Zero CreatedAt means now; zero UpdatedAt and
// PasswordChangedAt default to CreatedAt.
func (s *Store) CreateUser(ctx context.Context, u User) (User, error) {
	defer s.auth.bump()
	u.Email = strings.TrimSpace(u.Email)
	if u.Email == "" {
		return User{}, errors.New("db: create user: email is required")
	}
	role, err := ParseRole(string(u.Role))
	if err != nil {
		return User{}, fmt.Errorf("db: create user %s: unknown role %q", u.Email, u.Role)
	}
	u.Role = role
	u.CreatedAt = stored(nowOr(u.CreatedAt))
	if u.UpdatedAt.IsZero() {
		u.UpdatedAt = u.CreatedAt
	}
	if u.PasswordChangedAt.IsZero() {
		u.PasswordChangedAt = u.CreatedAt
	}
	u.UpdatedAt, u.PasswordChangedAt = stored(u.UpdatedAt), stored(u.PasswordChangedAt)
	id, err := insertUser(ctx, s.w, u)
	if err != nil {
		return User{}, fmt.Errorf("db: create user %s: %w", u.Email, err)
	}
	u.ID = id
	return u, nil
}

// insertUser inserts u and returns its id; errors are left for the caller to name the operation. RETURNING id
// works in both dialects (pgx has no LastInsertId).
func insertUser(ctx context.Context, e getter, u User) (int64, error) {
	var id int64
	err := e.GetContext(ctx, &id, `INSERT INTO users
		(email, name, role, password_hash, disabled, created_at, updated_at, password_changed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		u.Email, u.Name, string(u.Role), u.PasswordHash, u.Disabled,
		ms(u.CreatedAt), ms(u.UpdatedAt), ms(u.PasswordChangedAt))
	if isUnique(err) {
		return 0, fmt.Errorf("email already in use: %w", ErrConflict)
	}
	return id, err
}

// UserByID returns the user with that id, or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	var r userRow
	err := s.r.GetContext(ctx, &r, `SELECT `+userCols+` FROM users WHERE id = ?`, id)
	if err != nil {
		return User{}, fmt.Errorf("db: user %d: %w", id, notFound(err))
	}
	return r.user(), nil
}

// UserByEmail returns the user with that email, compared case-insensitively, or ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	var r userRow
	err := s.r.GetContext(ctx, &r, `SELECT `+userCols+` FROM users WHERE lower(email) = lower(?)`,
		strings.TrimSpace(email))
	if err != nil {
		return User{}, fmt.Errorf("db: user by email: %w", notFound(err))
	}
	return r.user(), nil
}

// ListUsers returns every user ordered by email.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	rows := []userRow{}
	if err := s.r.SelectContext(ctx, &rows, `SELECT `+userCols+` FROM users ORDER BY lower(email), id`); err != nil {
		return nil, fmt.Errorf("db: list users: %w", err)
	}
	users := make([]User, len(rows))
	for i, r := range rows {
		users[i] = r.user()
	}
	return users, nil
}

// CountUsers returns how many users exist (enabled or not).
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.r.GetContext(ctx, &n, `SELECT count(*) FROM users`); err != nil {
		return 0, fmt.Errorf("db: count users: %w", err)
	}
	return n, nil
}
