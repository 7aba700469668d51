package db

import (
	"context"
	"fmt"
	"time"
)

// NotifyEndpoint is a URL admins registered for outbound alert webhooks, with the secret its deliveries are
// signed with (Standard Webhooks). The secret is shown to admins, who give it to the receiver.
type NotifyEndpoint struct {
	ID        int64
	Name      string
	URL       string
	Secret    string // whsec_ + base64 of 24 random bytes
	Disabled  bool
	CreatedAt time.Time
}

type notifyEndpointRow struct {
	ID        int64  `db:"id"`
	Name      string `db:"name"`
	URL       string `db:"url"`
	Secret    string `db:"secret"`
	Disabled  bool   `db:"disabled"`
	CreatedAt int64  `db:"created_at"`
}

const notifyEndpointCols = `id, name, url, secret, disabled, created_at`

func (r notifyEndpointRow) endpoint() NotifyEndpoint {
	return NotifyEndpoint{ID: r.ID, Name: r.Name, URL: r.URL, Secret: r.Secret, Disabled: r.Disabled,
		CreatedAt: fromMS(r.CreatedAt)}
}

// CreateNotifyEndpoint stores e and returns it with its id; a name already in use is ErrConflict.
func (s *Store) CreateNotifyEndpoint(ctx context.Context, e NotifyEndpoint) (NotifyEndpoint, error) {
	e.CreatedAt = stored(nowOr(e.CreatedAt))
	err := s.w.GetContext(ctx, &e.ID, `INSERT INTO notify_endpoints (name, url, secret, disabled, created_at)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, e.Name, e.URL, e.Secret, e.Disabled, ms(e.CreatedAt))
	switch {
	case isUnique(err):
		return NotifyEndpoint{}, fmt.Errorf("db: create notify endpoint %q: %w", e.Name, ErrConflict)
	case err != nil:
		return NotifyEndpoint{}, fmt.Errorf("db: create notify endpoint %q: %w", e.Name, err)
	}
	return e, nil
}

// NotifyEndpointByID returns one endpoint, or ErrNotFound.
func (s *Store) NotifyEndpointByID(ctx context.Context, id int64) (NotifyEndpoint, error) {
	var r notifyEndpointRow
	err := s.r.GetContext(ctx, &r, `SELECT `+notifyEndpointCols+` FROM notify_endpoints WHERE id = ?`, id)
	if err != nil {
		return NotifyEndpoint{}, fmt.Errorf("db: notify endpoint %d: %w", id, notFound(err))
	}
	return r.endpoint(), nil
}

// ListNotifyEndpoints returns every endpoint by name.
func (s *Store) ListNotifyEndpoints(ctx context.Context) ([]NotifyEndpoint, error) {
	rows := []notifyEndpointRow{}
	if err := s.r.SelectContext(ctx, &rows, `SELECT `+notifyEndpointCols+` FROM notify_endpoints ORDER BY name, id`); err != nil {
		return nil, fmt.Errorf("db: list notify endpoints: %w", err)
	}
	out := make([]NotifyEndpoint, len(rows))
	for i, r := range rows {
		out[i] = r.endpoint()
	}
	return out, nil
}

// SetNotifyEndpointDisabled turns deliveries to an endpoint off or on. Turning it off cancels what waits for it,
// so re-enabling it later does not release a backlog of stale alerts.
func (s *Store) SetNotifyEndpointDisabled(ctx context.Context, id int64, disabled bool, at time.Time) error {
	err := s.inTx(ctx, func(tx *dbTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE notify_endpoints SET disabled = ? WHERE id = ?`, disabled, id)
		if err != nil {
			return err
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		if disabled {
			return cancelEndpointTx(ctx, tx, id, "the endpoint was disabled", at)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("db: set notify endpoint %d disabled=%v: %w", id, disabled, err)
	}
	return nil
}

// DeleteNotifyEndpoint removes an endpoint. One that a rule step still names is ErrConflict (the rule would lose
// its channel silently); its past notifications stay, without the link.
func (s *Store) DeleteNotifyEndpoint(ctx context.Context, id int64, at time.Time) error {
	err := s.inTx(ctx, func(tx *dbTx) error {
		var used int
		if err := tx.GetContext(ctx, &used, `SELECT count(*) FROM notify_steps WHERE endpoint_id = ?`, id); err != nil {
			return err
		}
		if used > 0 {
			return ErrConflict
		}
		if err := cancelEndpointTx(ctx, tx, id, "the endpoint was deleted", at); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM notify_endpoints WHERE id = ?`, id)
		if err != nil {
			return err
		}
		return mustAffect(res)
	})
	if err != nil {
		return fmt.Errorf("db: delete notify endpoint %d: %w", id, err)
	}
	return nil
}

// NotifyEndpointUsers names the rules whose steps send to endpoint id, for the "in use" message.
func (s *Store) NotifyEndpointUsers(ctx context.Context, id int64) ([]string, error) {
	names := []string{}
	err := s.r.SelectContext(ctx, &names, `SELECT DISTINCT r.name FROM notify_rules r
		JOIN notify_steps st ON st.rule_id = r.id WHERE st.endpoint_id = ? ORDER BY r.name`, id)
	if err != nil {
		return nil, fmt.Errorf("db: notify endpoint %d users: %w", id, err)
	}
	return names, nil
}

func cancelEndpointTx(ctx context.Context, tx *dbTx, id int64, why string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE notifications SET state = 'cancelled', last_error = ?, updated_at = ?
		WHERE endpoint_id = ? AND state = 'pending'`, why, ms(nowOr(at)), id)
	return err
}
