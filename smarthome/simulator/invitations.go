package simulator

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// invitationRequest is POST /api/v2/invitations [DOC D-invite] and the inferred PUT /api/v2/invitations/{id}.
type invitationRequest struct {
	Email      string  `json:"email"`
	Name       *string `json:"name"`
	PropertyID flexInt `json:"property_id"`
	FromTime   *string `json:"from_time"`
	ToTime     *string `json:"to_time"`
}

// validEmail is deliberately simple: one @, something on both sides, a dot in the domain, no spaces.
func validEmail(e string) bool {
	local, domain, ok := strings.Cut(e, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(e, " \t\r\n") &&
		!strings.Contains(domain, "@") && !strings.HasSuffix(domain, ".") && len(e) <= 254
}

// inviteWindow validates from_time/to_time (MM/DD/YYYY, property-local); an empty to_time is open-ended.
func inviteWindow(from, to string) error {
	f, err := time.Parse(activityDateLayout, from)
	if err != nil {
		return unprocessable("from_time must be in MM/DD/YYYY format")
	}
	if to == "" {
		return nil
	}
	t, err := time.Parse(activityDateLayout, to)
	if err != nil {
		return unprocessable("to_time must be in MM/DD/YYYY format")
	}
	if t.Before(f) {
		return unprocessable("to_time must not be before from_time")
	}
	return nil
}

// invitationCodeWindow maps an invitation onto lock-code validity: from_time 00:00 to to_time 23:59 local, or Never
// Expires when open-ended (CONTRACT.md, Invitations).
func invitationCodeWindow(lc *lockCode, inv *invitation) {
	lc.ValidityType, lc.FromDate, lc.ToDate = validityNever, "", ""
	if inv.ToTime == "" {
		return
	}
	f, _ := time.Parse(activityDateLayout, inv.FromTime) // validated by inviteWindow
	t, _ := time.Parse(activityDateLayout, inv.ToTime)
	lc.ValidityType = validityPeriod
	lc.FromDate = f.Format("2006-01-02") + " 00-00"
	lc.ToDate = t.Format("2006-01-02") + " 23-59"
}

// handleInvitationCreate: POST /api/v2/invitations [DOC D-invite; invitation_id and the resident lock code INF].
func (s *Simulator) handleInvitationCreate(w http.ResponseWriter, r *http.Request, p principal) error {
	var req invitationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	req.Email = strings.TrimSpace(req.Email)
	if !validEmail(req.Email) {
		return unprocessable("Email is invalid")
	}
	if !req.PropertyID.Set {
		return unprocessable("property_id is required")
	}
	name := strings.TrimSpace(deref(req.Name))
	if utf8.RuneCountInString(name) > 100 {
		return unprocessable("name must be at most 100 characters")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prop := s.st.Properties[req.PropertyID.Value]
	if prop == nil {
		return notFound("Property not found")
	}
	from := strings.TrimSpace(deref(req.FromTime))
	if from == "" {
		from = s.clock.Now().In(s.zones.get(prop.TimeZone)).Format(activityDateLayout)
	}
	to := strings.TrimSpace(deref(req.ToTime))
	if err := inviteWindow(from, to); err != nil {
		return err
	}
	for _, inv := range s.st.Invitations {
		if inv.PropertyID == prop.ID && inv.Status == "active" && strings.EqualFold(inv.Email, req.Email) {
			return unprocessable("An active invitation already exists for " + req.Email)
		}
	}
	now := s.clock.Now()
	inv := &invitation{ID: s.st.NextInvite, Email: req.Email, Name: name, PropertyID: prop.ID, FromTime: from,
		ToTime: to, Status: "active", CreatedAt: now, UpdatedAt: now}
	s.st.NextInvite++
	s.st.Invitations[inv.ID] = inv
	s.issueInvitationCode(inv)
	writeJSON(w, http.StatusOK, map[string]any{"success": true,
		"message": "Invitation mail has been sent to " + inv.Email + ".", "invitation_id": inv.ID})
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// issueInvitationCode gives the resident a 6-digit code on every lock of the property. Callers hold s.mu.
func (s *Simulator) issueInvitationCode(inv *invitation) {
	var locks []*device
	for _, d := range s.st.idx().devsByProperty[inv.PropertyID] {
		if isCodeDevice(d.Type) {
			locks = append(locks, d)
		}
	}
	if len(locks) == 0 {
		return
	}
	lc := &lockCode{Name: cmpOrString(inv.Name, inv.Email), Code: s.freshPIN(6, locks), CodeType: "Resident Code",
		PropertyID: inv.PropertyID, Source: "invitation"}
	invitationCodeWindow(lc, inv)
	s.addLockCode(lc, locks)
	inv.LockCodeID = lc.ID
}

// handleMoveOut: DELETE /api/properties/{id}/remove_invitations with a JSON body {"email": "<resident>" | "all"}
// [DOC D-moveout]. Removed invitations lose their lock codes.
func (s *Simulator) handleMoveOut(w http.ResponseWriter, r *http.Request, p principal) error {
	var req struct {
		Email string `json:"email"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	req.Email = strings.TrimSpace(req.Email)
	if req.Email == "" {
		return unprocessable("email is required (a resident's email, or \"all\")")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prop, err := s.lookupProperty(r, p)
	if err != nil {
		return err
	}
	removed := 0
	for _, inv := range s.st.Invitations {
		if inv.PropertyID != prop.ID || inv.Status != "active" || (req.Email != "all" && !strings.EqualFold(inv.Email, req.Email)) {
			continue
		}
		s.removeInvitation(inv)
		removed++
	}
	if removed == 0 {
		return notFound("Invitation not found")
	}
	writeJSON(w, http.StatusOK, ok("Removed Invitation(s)"))
	return nil
}

// removeInvitation marks inv removed and deletes its lock code. Callers hold s.mu.
func (s *Simulator) removeInvitation(inv *invitation) {
	inv.Status, inv.UpdatedAt = "removed", s.clock.Now()
	if lc := s.st.LockCodes[inv.LockCodeID]; lc != nil {
		s.deleteLockCode(lc)
	}
	s.changed()
}
