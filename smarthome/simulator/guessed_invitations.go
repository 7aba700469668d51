package simulator

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"
)

// invitationJSON is the Invitation object of CONTRACT.md.
type invitationJSON struct {
	ID         int64   `json:"id"`
	Email      string  `json:"email"`
	Name       string  `json:"name"`
	PropertyID int64   `json:"property_id"`
	FromTime   string  `json:"from_time"`
	ToTime     *string `json:"to_time"`
	Status     string  `json:"status"`
	LockCodeID *string `json:"lock_code_id"`
	CreatedAt  string  `json:"created_at"`
	UpdatedAt  string  `json:"updated_at"`
}

func invitationView(inv *invitation) invitationJSON {
	return invitationJSON{inv.ID, inv.Email, inv.Name, inv.PropertyID, inv.FromTime, optStringPtr(inv.ToTime), inv.Status,
		optStringPtr(inv.LockCodeID), rfc3339(inv.CreatedAt), rfc3339(inv.UpdatedAt)}
}

// handleInvitationList: GET /api/v2/invitations?property_id=&email=&search_key=&page=&per_page= [INF].
func (s *Simulator) handleInvitationList(w http.ResponseWriter, r *http.Request, _ principal) error {
	q := r.URL.Query()
	pg, err := parsePage(q)
	if err != nil {
		return err
	}
	propertyID, err := queryInt(q, "property_id")
	if err != nil {
		return err
	}
	email, key := strings.TrimSpace(q.Get("email")), strings.ToLower(strings.TrimSpace(q.Get("search_key")))
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*invitation
	for _, inv := range s.st.Invitations {
		if (propertyID == 0 || inv.PropertyID == propertyID) && (email == "" || strings.EqualFold(inv.Email, email)) &&
			(key == "" || strings.Contains(strings.ToLower(inv.Email+" "+inv.Name), key)) {
			list = append(list, inv)
		}
	}
	slices.SortFunc(list, func(a, b *invitation) int { return cmp.Compare(a.ID, b.ID) })
	views := make([]invitationJSON, len(list))
	for i, inv := range list {
		views[i] = invitationView(inv)
	}
	writeJSON(w, http.StatusOK, paged("invitations", views, pg))
	return nil
}

// handleInvitationUpdate: PUT /api/v2/invitations/{id} {"name", "from_time", "to_time"} [INF] → Invitation; the
// resident's lock code follows the new window.
func (s *Simulator) handleInvitationUpdate(w http.ResponseWriter, r *http.Request, _ principal) error {
	var req invitationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	id, err := pathInt(r, "id", "Invitation")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inv := s.st.Invitations[id]
	switch {
	case inv == nil:
		return notFound("Invitation not found")
	case inv.Status != "active":
		return conflict("Invitation was removed")
	}
	updated := *inv
	if req.Name != nil {
		updated.Name = strings.TrimSpace(*req.Name)
		if utf8.RuneCountInString(updated.Name) > 100 {
			return unprocessable("name must be at most 100 characters")
		}
	}
	if req.FromTime != nil {
		updated.FromTime = strings.TrimSpace(*req.FromTime)
	}
	if req.ToTime != nil {
		updated.ToTime = strings.TrimSpace(*req.ToTime)
	}
	if err := inviteWindow(updated.FromTime, updated.ToTime); err != nil {
		return err
	}
	updated.UpdatedAt = s.clock.Now()
	*inv = updated
	if lc := s.st.LockCodes[inv.LockCodeID]; lc != nil {
		lc.Name = cmpOrString(inv.Name, inv.Email)
		invitationCodeWindow(lc, inv)
		s.resetLockCode(lc)
	}
	s.changed()
	writeJSON(w, http.StatusOK, invitationView(inv))
	return nil
}
