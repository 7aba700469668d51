package db

import (
	"context"
	"fmt"
	"strings"
)

// InvitationFilter narrows the invitation list across properties. Zero values do not filter.
type InvitationFilter struct {
	Query      string // substring of the email, the name or the property's name (case-insensitive)
	PropertyID int64
	Status     string // InvitationActive or InvitationRemoved
	Page       int    // 1-based
	PerPage    int    // default DefaultPerPage, at most MaxPerPage
}

// InvitationListRow is one invitation with the property it belongs to.
type InvitationListRow struct {
	Invitation
	PropertyName string
	TimeZone     string
}

// InvitationPage is one page of the filtered list.
type InvitationPage struct {
	Items   []InvitationListRow
	Total   int
	Page    int
	PerPage int
}

func (f InvitationFilter) where() (string, []any) {
	var conds []string
	var args []any
	if q := strings.TrimSpace(f.Query); q != "" {
		conds = append(conds, `(i.email LIKE ? ESCAPE '\' OR i.name LIKE ? ESCAPE '\' OR p.name LIKE ? ESCAPE '\')`)
		pat := likePattern(q)
		args = append(args, pat, pat, pat)
	}
	if f.PropertyID != 0 {
		conds = append(conds, `i.property_id = ?`)
		args = append(args, f.PropertyID)
	}
	if f.Status != "" {
		conds = append(conds, `i.status = ?`)
		args = append(args, f.Status)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// SearchInvitations returns one page of invitations across properties, active first, newest first.
func (s *Store) SearchInvitations(ctx context.Context, f InvitationFilter) (InvitationPage, error) {
	page, perPage, offset := pageBounds(f.Page, f.PerPage)
	where, args := f.where()
	where = s.caseless(where)
	from := ` FROM invitations i JOIN properties p ON p.id = i.property_id`
	out := InvitationPage{Page: page, PerPage: perPage}
	var rows []struct {
		invitationRow
		PropertyName string `db:"property_name"`
		TimeZone     string `db:"time_zone"`
	}
	err := s.readTx(ctx, func(tx *dbTx) error {
		if err := tx.GetContext(ctx, &out.Total, `SELECT count(*)`+from+where, args...); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &rows, `SELECT `+qualify("i", invitationCols)+`, p.name AS property_name,
			p.time_zone`+from+where+` ORDER BY i.status <> 'active', i.id DESC LIMIT ? OFFSET ?`,
			append(args, perPage, offset)...)
	})
	if err != nil {
		return InvitationPage{}, fmt.Errorf("db: search invitations: %w", err)
	}
	for _, r := range rows {
		out.Items = append(out.Items, InvitationListRow{Invitation: r.invitation(), PropertyName: r.PropertyName,
			TimeZone: r.TimeZone})
	}
	return out, nil
}
