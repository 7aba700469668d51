package smarthome

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// PropertiesService handles /properties.
type PropertiesService service

// Property is a rental property. Only id is confirmed upstream; the rest is our contract (CONTRACT.md).
type Property struct {
	ID            int64      `json:"id"`
	Name          string     `json:"name"`
	Address       string     `json:"address"`
	StreetAddress string     `json:"street_address"`
	City          string     `json:"city"`
	State         string     `json:"state"`
	Zipcode       FlexString `json:"zipcode"`
	TimeZone      string     `json:"time_zone"` // IANA zone, e.g. "America/Chicago"
	Latitude      FlexString `json:"latitude"`
	Longitude     FlexString `json:"longitude"`
	HubIDs        []string   `json:"hub_ids"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// PropertyRequest creates or updates a property. Nil fields are not sent, so Update changes only what is set.
// There is no address field: the upstream derives Property.Address from the parts (CONTRACT.md, Properties).
type PropertyRequest struct {
	Name          *string `json:"name,omitempty"`
	StreetAddress *string `json:"street_address,omitempty"`
	City          *string `json:"city,omitempty"`
	State         *string `json:"state,omitempty"`
	Zipcode       *string `json:"zipcode,omitempty"`
	TimeZone      *string `json:"time_zone,omitempty"`
	Latitude      *string `json:"latitude,omitempty"`
	Longitude     *string `json:"longitude,omitempty"`
}

// validateCreate checks the fields the create route requires.
func (r PropertyRequest) validateCreate() error {
	for _, f := range []struct {
		name string
		v    *string
	}{{"name", r.Name}, {"street_address", r.StreetAddress}, {"city", r.City}, {"state", r.State},
		{"zipcode", r.Zipcode}, {"time_zone", r.TimeZone}} {
		if f.v == nil || *f.v == "" {
			return validationError("property %s is required", f.name)
		}
	}
	return nil
}

// DeviceSet is a device list keyed by device type ("lock": [...], "thermostat": [...]). The assets route keys it
// by the plural ("locks").
type DeviceSet map[string][]Device

// List returns one page of properties; opts may be nil. Response carries total_records, page and per_page.
//
// API: GET /api/properties [CLIENT C-hb-lock]
func (s *PropertiesService) List(ctx context.Context, opts *ListOptions) ([]Property, *Response, error) {
	q, err := opts.values()
	if err != nil {
		return nil, nil, err
	}
	var page struct {
		Properties []Property `json:"properties"`
	}
	resp, err := s.client.get(ctx, path(q, "properties"), &page)
	return page.Properties, resp, err
}

// Get returns one property.
//
// API: GET /api/properties/{id} [INF]
func (s *PropertiesService) Get(ctx context.Context, id int64) (*Property, *Response, error) {
	p := new(Property)
	resp, err := s.client.get(ctx, path(nil, "properties", itoa(id)), p)
	return nilOnErr(p, err), resp, err
}

// Create adds a property; name, street_address, city, state, zipcode and time_zone are required.
//
// API: POST /api/properties [INF]
func (s *PropertiesService) Create(ctx context.Context, r PropertyRequest) (*Property, *Response, error) {
	if err := r.validateCreate(); err != nil {
		return nil, nil, err
	}
	p := new(Property)
	resp, err := s.client.send(ctx, http.MethodPost, path(nil, "properties"), r, p)
	return nilOnErr(p, err), resp, err
}

// Update changes the fields set in r.
//
// API: PUT /api/properties/{id} [INF]
func (s *PropertiesService) Update(ctx context.Context, id int64, r PropertyRequest) (*Property, *Response, error) {
	p := new(Property)
	resp, err := s.client.send(ctx, http.MethodPut, path(nil, "properties", itoa(id)), r, p)
	return nilOnErr(p, err), resp, err
}

// Delete destroys a property; upstream also removes its reservations, invitations and lock codes.
//
// API: DELETE /api/properties/{id} [INF]
func (s *PropertiesService) Delete(ctx context.Context, id int64) (*Response, error) {
	return s.client.send(ctx, http.MethodDelete, path(nil, "properties", itoa(id)), nil, nil)
}

// Devices returns the devices of a property keyed by device type.
//
// API: GET /api/properties/{id}/devices [CLIENT C-hb-lock, weak]
func (s *PropertiesService) Devices(ctx context.Context, id int64) (DeviceSet, *Response, error) {
	var set DeviceSet
	resp, err := s.client.get(ctx, path(nil, "properties", itoa(id), "devices"), &set)
	return set, resp, err
}

// AssetsDeviceDetails returns the devices of a property keyed by the plural device type ("locks").
//
// API: GET /api/properties/{id}/assetsDeviceDetails [CLIENT C-hb-lock]
func (s *PropertiesService) AssetsDeviceDetails(ctx context.Context, id int64) (DeviceSet, *Response, error) {
	var wrap struct {
		Devices DeviceSet `json:"devices"`
	}
	resp, err := s.client.get(ctx, path(nil, "properties", itoa(id), "assetsDeviceDetails"), &wrap)
	return wrap.Devices, resp, err
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// nilOnErr returns v, or nil when err is set, so a caller never sees a half-filled value next to an error.
func nilOnErr[T any](v *T, err error) *T {
	if err != nil {
		return nil
	}
	return v
}
