package simulator

import (
	"net/http"
	"strings"
)

// propertyRequest is the body of POST and PUT /api/properties[/{id}] (CONTRACT.md, Properties).
type propertyRequest struct {
	Name          *string `json:"name"`
	StreetAddress *string `json:"street_address"`
	City          *string `json:"city"`
	State         *string `json:"state"`
	Zipcode       *string `json:"zipcode"`
	TimeZone      *string `json:"time_zone"`
	Latitude      *string `json:"latitude"`
	Longitude     *string `json:"longitude"`
}

// apply validates the given fields onto p; create requires the address fields and the zone.
func (req propertyRequest) apply(p *property, create bool) error {
	fields := []struct {
		name     string
		v        *string
		dst      *string
		required bool
	}{
		{"name", req.Name, &p.Name, true},
		{"street_address", req.StreetAddress, &p.StreetAddress, true},
		{"city", req.City, &p.City, true},
		{"state", req.State, &p.State, true},
		{"zipcode", req.Zipcode, &p.Zipcode, true},
		{"time_zone", req.TimeZone, &p.TimeZone, true},
		{"latitude", req.Latitude, &p.Latitude, false},
		{"longitude", req.Longitude, &p.Longitude, false},
	}
	for _, f := range fields {
		if f.v == nil {
			if create && f.required {
				return unprocessable(f.name + " is required")
			}
			continue
		}
		v := strings.TrimSpace(*f.v)
		if f.required && v == "" {
			return unprocessable(f.name + " must not be empty")
		}
		if len(v) > 200 {
			return unprocessable(f.name + " is too long")
		}
		*f.dst = v
	}
	if !validZone(p.TimeZone) {
		return unprocessable("time_zone must be an IANA time zone, e.g. America/Chicago")
	}
	return nil
}

// handlePropertyGet: GET /api/properties/{id} [INF].
func (s *Simulator) handlePropertyGet(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	prop, err := s.lookupProperty(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.propertyView(prop))
	return nil
}

// handlePropertyCreate: POST /api/properties [INF] → 201 Property.
func (s *Simulator) handlePropertyCreate(w http.ResponseWriter, r *http.Request, _ principal) error {
	var req propertyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var prop property
	if err := req.apply(&prop, true); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	prop.ID, prop.CreatedAt, prop.UpdatedAt = s.st.NextProperty, now, now
	s.st.NextProperty++
	s.st.Properties[prop.ID] = &prop
	s.st.invalidate()
	s.changed()
	writeJSON(w, http.StatusCreated, s.propertyView(&prop))
	return nil
}

// handlePropertyUpdate: PUT /api/properties/{id} [INF], any subset of fields → Property.
func (s *Simulator) handlePropertyUpdate(w http.ResponseWriter, r *http.Request, p principal) error {
	var req propertyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prop, err := s.lookupProperty(r, p)
	if err != nil {
		return err
	}
	updated := *prop
	if err := req.apply(&updated, false); err != nil {
		return err
	}
	updated.UpdatedAt = s.clock.Now()
	*prop = updated
	s.changed()
	writeJSON(w, http.StatusOK, s.propertyView(prop))
	return nil
}

// handlePropertyDelete: DELETE /api/properties/{id} [INF]. Its reservations, invitations, schedules and lock codes
// go (codes are removed from the locks as usual), and its hubs and devices become unassigned.
func (s *Simulator) handlePropertyDelete(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	prop, err := s.lookupProperty(r, p)
	if err != nil {
		return err
	}
	for id, res := range s.st.Reservations {
		if res.PropertyID == prop.ID {
			delete(s.st.Reservations, id)
		}
	}
	for id, inv := range s.st.Invitations {
		if inv.PropertyID == prop.ID {
			delete(s.st.Invitations, id)
		}
	}
	for _, lc := range s.st.LockCodes {
		if lc.PropertyID == prop.ID {
			s.deleteLockCode(lc)
		}
	}
	for id, sc := range s.st.Schedules {
		if sc.PropertyID == prop.ID {
			s.deactivateSchedule(sc)
			delete(s.st.Schedules, id)
		}
	}
	for _, h := range s.st.Hubs {
		if h.PropertyID == prop.ID {
			h.PropertyID = 0
		}
	}
	for _, d := range s.st.Devices {
		if d.PropertyID == prop.ID {
			d.PropertyID = 0
		}
	}
	delete(s.st.Properties, prop.ID)
	s.st.invalidate()
	s.changed()
	writeJSON(w, http.StatusOK, ok("Property deleted"))
	return nil
}
