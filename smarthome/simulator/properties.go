package simulator

import (
	"net/http"
	"strings"
	"time"
)

// propertyJSON is the Property object of CONTRACT.md (only id is confirmed upstream).
type propertyJSON struct {
	ID            int64    `json:"id"`
	Name          string   `json:"name"`
	Address       string   `json:"address"`
	StreetAddress string   `json:"street_address"`
	City          string   `json:"city"`
	State         string   `json:"state"`
	Zipcode       string   `json:"zipcode"`
	TimeZone      string   `json:"time_zone"`
	Latitude      string   `json:"latitude"`
	Longitude     string   `json:"longitude"`
	HubIDs        []string `json:"hub_ids"`
	CreatedAt     string   `json:"created_at"`
	UpdatedAt     string   `json:"updated_at"`
}

// rfc3339 is the layout of inferred timestamps (CONTRACT.md): RFC 3339 in UTC.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func propertyAddress(p *property) string {
	return p.StreetAddress + ", " + p.City + ", " + p.State + ", " + p.Zipcode
}

// propertyView renders p. Callers hold s.mu.
func (s *Simulator) propertyView(p *property) propertyJSON {
	v := propertyJSON{
		ID: p.ID, Name: p.Name, Address: propertyAddress(p), StreetAddress: p.StreetAddress, City: p.City,
		State: p.State, Zipcode: p.Zipcode, TimeZone: p.TimeZone, Latitude: p.Latitude, Longitude: p.Longitude,
		HubIDs: []string{}, CreatedAt: rfc3339(p.CreatedAt), UpdatedAt: rfc3339(p.UpdatedAt),
	}
	for _, h := range s.st.idx().hubsByProperty[p.ID] {
		v.HubIDs = append(v.HubIDs, h.ID)
	}
	return v
}

// canSeeProperty: agents see every property of the portfolio, residents and property tokens only their own.
func canSeeProperty(p principal, id int64) bool { return p.isAgent() || id == p.propertyID }

// lookupProperty finds a visible property by the {id} path value. Callers hold s.mu.
func (s *Simulator) lookupProperty(r *http.Request, p principal) (*property, error) {
	id, err := pathInt(r, "id", "Property")
	if err != nil {
		return nil, err
	}
	prop := s.st.Properties[id]
	if prop == nil {
		return nil, notFound("Property not found")
	}
	if !canSeeProperty(p, id) {
		return nil, forbidden("You do not have access to this property")
	}
	return prop, nil
}

// handlePropertyList: GET /api/properties?search_key=&page=&per_page= [CLIENT C-hb-lock; paging and search INF].
func (s *Simulator) handlePropertyList(w http.ResponseWriter, r *http.Request, p principal) error {
	pg, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	key := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("search_key")))
	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []*property
	for _, prop := range s.st.idx().sortedProps {
		if canSeeProperty(p, prop.ID) && (key == "" || strings.Contains(strings.ToLower(prop.Name), key) ||
			strings.Contains(strings.ToLower(propertyAddress(prop)), key)) {
			matched = append(matched, prop)
		}
	}
	lo, hi := pg.bounds(len(matched))
	items := make([]propertyJSON, 0, hi-lo)
	for _, prop := range matched[lo:hi] {
		items = append(items, s.propertyView(prop))
	}
	writeJSON(w, http.StatusOK, map[string]any{"properties": items, "total_records": len(matched), "page": pg.Page,
		"per_page": pg.PerPage})
	return nil
}

// visibleDevices lists a property's devices. Callers hold s.mu.
func (s *Simulator) visibleDevices(prop *property) []*device {
	return s.st.idx().devsByProperty[prop.ID]
}

// handlePropertyDevices: GET /api/properties/{id}/devices, keyed by device_type [CLIENT C-hb-lock, weak].
func (s *Simulator) handlePropertyDevices(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	prop, err := s.lookupProperty(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.devicesByType(s.visibleDevices(prop), false))
	return nil
}

// handlePropertyAssets: GET /api/properties/{id}/assetsDeviceDetails → {"devices": {"locks": [...]}} [CLIENT C-hb-lock].
func (s *Simulator) handlePropertyAssets(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	prop, err := s.lookupProperty(r, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"devices": s.devicesByType(s.visibleDevices(prop), true)})
	return nil
}
