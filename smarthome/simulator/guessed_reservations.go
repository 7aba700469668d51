package simulator

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// reservationJSON is the Reservation object of CONTRACT.md.
type reservationJSON struct {
	ID           int64   `json:"id"`
	PropertyID   int64   `json:"property_id"`
	GuestName    string  `json:"guest_name"`
	GuestEmail   string  `json:"guest_email"`
	GuestPhone   string  `json:"guest_phone"`
	CheckIn      string  `json:"check_in"`
	CheckOut     string  `json:"check_out"`
	Code         string  `json:"code"`
	BufferBefore int     `json:"buffer_before_minutes"`
	BufferAfter  int     `json:"buffer_after_minutes"`
	LockCodeID   *string `json:"lock_code_id"`
	Status       string  `json:"status"`
	CreatedAt    string  `json:"created_at"`
	UpdatedAt    string  `json:"updated_at"`
}

func reservationView(r *reservation) reservationJSON {
	return reservationJSON{r.ID, r.PropertyID, r.GuestName, r.GuestEmail, r.GuestPhone, rfc3339(r.CheckIn),
		rfc3339(r.CheckOut), r.Code, r.BufferBefore, r.BufferAfter, optStringPtr(r.LockCodeID), r.Status,
		rfc3339(r.CreatedAt), rfc3339(r.UpdatedAt)}
}

// reservationRequest is POST and PUT /api/reservations[/{id}]; absent fields keep their value on PUT.
type reservationRequest struct {
	PropertyID   flexInt     `json:"property_id"`
	GuestName    *string     `json:"guest_name"`
	GuestEmail   *string     `json:"guest_email"`
	GuestPhone   *string     `json:"guest_phone"`
	CheckIn      *string     `json:"check_in"`
	CheckOut     *string     `json:"check_out"`
	Code         *flexString `json:"code"`
	BufferBefore *flexInt    `json:"buffer_before_minutes"`
	BufferAfter  *flexInt    `json:"buffer_after_minutes"`
}

// apply validates the request onto res (a copy the caller commits on success).
func (req reservationRequest) apply(res *reservation) error {
	if req.GuestName != nil {
		res.GuestName = strings.TrimSpace(*req.GuestName)
	}
	if req.GuestEmail != nil {
		res.GuestEmail = strings.TrimSpace(*req.GuestEmail)
	}
	if req.GuestPhone != nil {
		res.GuestPhone = strings.TrimSpace(*req.GuestPhone)
	}
	for _, f := range []struct {
		name string
		v    *string
		dst  *time.Time
	}{{"check_in", req.CheckIn, &res.CheckIn}, {"check_out", req.CheckOut, &res.CheckOut}} {
		if f.v == nil {
			continue
		}
		t, err := time.Parse(time.RFC3339, *f.v)
		if err != nil {
			return unprocessable(f.name + " must be an RFC 3339 time, e.g. 2026-12-01T21:00:00Z")
		}
		*f.dst = t.UTC()
	}
	for _, f := range []struct {
		name string
		v    *flexInt
		dst  *int
	}{{"buffer_before_minutes", req.BufferBefore, &res.BufferBefore}, {"buffer_after_minutes", req.BufferAfter, &res.BufferAfter}} {
		if f.v == nil || !f.v.Set {
			continue
		}
		if f.v.Value < 0 || f.v.Value > 1440 {
			return unprocessable(f.name + " must be between 0 and 1440")
		}
		*f.dst = int(f.v.Value)
	}
	if req.Code != nil && *req.Code != "" {
		if !validCode(string(*req.Code)) {
			return unprocessable("code must be 4 to 8 digits")
		}
		res.Code = string(*req.Code)
	}
	switch {
	case res.GuestName == "" || utf8.RuneCountInString(res.GuestName) > 100:
		return unprocessable("guest_name is required and must be at most 100 characters")
	case res.GuestEmail != "" && !validEmail(res.GuestEmail):
		return unprocessable("guest_email is invalid")
	case res.CheckIn.IsZero() || res.CheckOut.IsZero():
		return unprocessable("check_in and check_out are required")
	case !res.CheckOut.After(res.CheckIn):
		return unprocessable("check_out must be after check_in")
	}
	return nil
}

// propertyLocks returns the locks of a property. Callers hold s.mu.
func (s *Simulator) propertyLocks(propertyID int64) []*device {
	var locks []*device
	for _, d := range s.st.idx().devsByProperty[propertyID] {
		if isCodeDevice(d.Type) {
			locks = append(locks, d)
		}
	}
	return locks
}

// stayCode writes the reservation's window and PIN onto its lock code (buffers widen the window).
func (s *Simulator) stayCode(lc *lockCode, res *reservation) {
	loc := time.UTC
	if prop := s.st.Properties[res.PropertyID]; prop != nil {
		loc = s.zones.get(prop.TimeZone)
	}
	from := res.CheckIn.Add(-time.Duration(res.BufferBefore) * time.Minute)
	to := res.CheckOut.Add(time.Duration(res.BufferAfter) * time.Minute)
	lc.Name, lc.Code, lc.ValidityType = res.GuestName, res.Code, validityPeriod
	lc.FromDate, lc.ToDate = from.In(loc).Format(lockCodeDateLayout), to.In(loc).Format(lockCodeDateLayout)
}

// handleReservationCreate: POST /api/reservations [INF] → 201 Reservation, plus its lock code on every lock.
func (s *Simulator) handleReservationCreate(w http.ResponseWriter, r *http.Request, _ principal) error {
	var req reservationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if !req.PropertyID.Set {
		return unprocessable("property_id is required")
	}
	res := reservation{PropertyID: req.PropertyID.Value, BufferBefore: 60, BufferAfter: 60, Status: "confirmed"}
	if err := req.apply(&res); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.Properties[res.PropertyID] == nil {
		return notFound("Property not found")
	}
	locks := s.propertyLocks(res.PropertyID)
	if res.Code == "" {
		res.Code = s.freshPIN(6, locks)
	} else if err := s.checkDuplicate(res.Code, "", locks); err != nil {
		return err
	}
	now := s.clock.Now()
	res.ID, res.CreatedAt, res.UpdatedAt = s.st.NextResv, now, now
	s.st.NextResv++
	if len(locks) > 0 {
		lc := &lockCode{CodeType: "Guest Code", PropertyID: res.PropertyID, Source: "reservation"}
		s.stayCode(lc, &res)
		s.addLockCode(lc, locks)
		res.LockCodeID = lc.ID
	}
	s.st.Reservations[res.ID] = &res
	s.changed()
	writeJSON(w, http.StatusCreated, reservationView(&res))
	return nil
}

func (s *Simulator) lookupReservation(r *http.Request) (*reservation, error) {
	id, err := pathInt(r, "id", "Reservation")
	if err != nil {
		return nil, err
	}
	res := s.st.Reservations[id]
	if res == nil {
		return nil, notFound("Reservation not found")
	}
	return res, nil
}

// handleReservationGet: GET /api/reservations/{id} [INF].
func (s *Simulator) handleReservationGet(w http.ResponseWriter, r *http.Request, _ principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.lookupReservation(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, reservationView(res))
	return nil
}

// handleReservationList: GET /api/reservations?property_id=&page=&per_page= [INF], by check-in.
func (s *Simulator) handleReservationList(w http.ResponseWriter, r *http.Request, _ principal) error {
	pg, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	propertyID, err := queryInt(r.URL.Query(), "property_id")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*reservation
	for _, res := range s.st.Reservations {
		if propertyID == 0 || res.PropertyID == propertyID {
			list = append(list, res)
		}
	}
	slices.SortFunc(list, func(a, b *reservation) int { return cmp.Or(a.CheckIn.Compare(b.CheckIn), cmp.Compare(a.ID, b.ID)) })
	views := make([]reservationJSON, len(list))
	for i, res := range list {
		views[i] = reservationView(res)
	}
	writeJSON(w, http.StatusOK, paged("reservations", views, pg))
	return nil
}

// handleReservationUpdate: PUT /api/reservations/{id} [INF]; a new window or code re-sends the lock code. There is
// no move (CONTRACT.md): a property_id is refused, not ignored.
func (s *Simulator) handleReservationUpdate(w http.ResponseWriter, r *http.Request, _ principal) error {
	var req reservationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.PropertyID.Set {
		return unprocessable("property_id cannot be changed: a reservation stays at its property")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.lookupReservation(r)
	if err != nil {
		return err
	}
	if res.Status == "cancelled" {
		return conflict("Reservation is cancelled")
	}
	updated := *res
	if err := req.apply(&updated); err != nil {
		return err
	}
	lc := s.st.LockCodes[res.LockCodeID]
	if lc != nil && updated.Code != res.Code {
		if err := s.checkDuplicate(updated.Code, lc.ID, s.propertyLocks(res.PropertyID)); err != nil {
			return err
		}
	}
	updated.UpdatedAt = s.clock.Now()
	*res = updated
	if lc != nil {
		s.stayCode(lc, res)
		s.resetLockCode(lc)
	}
	s.changed()
	writeJSON(w, http.StatusOK, reservationView(res))
	return nil
}

// handleReservationDelete: DELETE /api/reservations/{id} [INF]: status cancelled, lock code deleted.
func (s *Simulator) handleReservationDelete(w http.ResponseWriter, r *http.Request, _ principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.lookupReservation(r)
	if err != nil {
		return err
	}
	if res.Status != "cancelled" {
		res.Status, res.UpdatedAt = "cancelled", s.clock.Now()
		if lc := s.st.LockCodes[res.LockCodeID]; lc != nil {
			s.deleteLockCode(lc)
		}
		s.changed()
	}
	writeJSON(w, http.StatusOK, ok("Reservation cancelled"))
	return nil
}
