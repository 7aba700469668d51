package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// UpdateUser changes a user's name, role and disabled flag. Disabling revokes the user's sessions
// in the same transaction, so a disabled user is signed out everywhere at once. A change that
// would leave no enabled admin fails with ErrLastAdmin; an unknown id with ErrNotFound.
func (s *Store) UpdateUser(ctx context.Context, id int64, name string, newRole Role, disabled bool) error {
	defer s.auth.bump()
	role, err := ParseRole(string(newRole))
	if err != nil {
		return fmt.Errorf("db: update user %d: unknown role %q", id, newRole)
	}
	now := time.Now()
	err = s.inTx(ctx, func(tx *dbTx) error {
		var cur userRow
		if err := tx.GetContext(ctx, &cur, `SELECT `+userCols+` FROM users WHERE id = ?`, id); err != nil {
			return notFound(err)
		}
		if Role(cur.Role) == RoleAdmin && !cur.Disabled && (role != RoleAdmin || disabled) {
			if err := requireOtherAdmin(ctx, tx, id); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, role = ?, disabled = ?, updated_at = ? WHERE id = ?`,
			name, string(role), disabled, ms(now), id)
		if err != nil || !disabled {
			return err
		}
		return revokeUserSessions(ctx, tx, id, now)
	})
	if err != nil {
		return fmt.Errorf("db: update user %d: %w", id, err)
	}
	return nil
}

// requireOtherAdmin returns ErrLastAdmin unless an enabled admin other than id exists.
func requireOtherAdmin(ctx context.Context, tx *dbTx, id int64) error {
	var others int
	err := tx.GetContext(ctx, &others,
		`SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> ?`, id)
	if err != nil {
		return err
	}
	if others == 0 {
		return ErrLastAdmin
	}
	return nil
}

// SetPassword stores a new password hash and revokes all the user's sessions in the same
// transaction (a password change must end every session, including a possible attacker's).
// The caller signs the current browser in again with a fresh session.
func (s *Store) SetPassword(ctx context.Context, id int64, hash string, now time.Time) error {
	defer s.auth.bump()
	err := s.inTx(ctx, func(tx *dbTx) error {
		res, err := tx.ExecContext(ctx,
			`UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ? WHERE id = ?`,
			hash, ms(now), ms(now), id)
		if err != nil {
			return err
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		return revokeUserSessions(ctx, tx, id, now)
	})
	if err != nil {
		return fmt.Errorf("db: set password of user %d: %w", id, err)
	}
	return nil
}

// EnsureAdmin makes the user with email an enabled admin with password hash: it creates the user,
// or resets an existing one's password, role and disabled flag (and its name, when name is not
// empty) and revokes its old sessions. It backs ADMIN_EMAIL/ADMIN_PASSWORD at start-up, the way
// back in when every admin is locked out.
func (s *Store) EnsureAdmin(ctx context.Context, email, name, hash string, now time.Time) (User, error) {
	defer s.auth.bump()
	email = strings.TrimSpace(email)
	if email == "" {
		return User{}, errors.New("db: ensure admin: email is required")
	}
	var u User
	err := s.inTx(ctx, func(tx *dbTx) error {
		var cur userRow
		err := tx.GetContext(ctx, &cur, `SELECT `+userCols+` FROM users WHERE lower(email) = lower(?)`, email)
		if errors.Is(err, sql.ErrNoRows) {
			u = User{Email: email, Name: name, Role: RoleAdmin, PasswordHash: hash,
				CreatedAt: stored(now), UpdatedAt: stored(now), PasswordChangedAt: stored(now)}
			u.ID, err = insertUser(ctx, tx, u)
			return err
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE users SET password_hash = ?, role = 'admin', disabled = 0,
			name = CASE WHEN ? = '' THEN name ELSE ? END, password_changed_at = ?, updated_at = ? WHERE id = ?`,
			hash, name, name, ms(now), ms(now), cur.ID)
		if err != nil {
			return err
		}
		if err := revokeUserSessions(ctx, tx, cur.ID, now); err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &cur, `SELECT `+userCols+` FROM users WHERE id = ?`, cur.ID); err != nil {
			return err
		}
		u = cur.user()
		return nil
	})
	if err != nil {
		return User{}, fmt.Errorf("db: ensure admin %s: %w", email, err)
	}
	return u, nil
}
