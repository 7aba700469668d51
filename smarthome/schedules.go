package smarthome

import (
	"context"
	"net/http"
	"time"
)

// SchedulesService handles /schedules and a device's schedules. Every route and field is our contract [INF].
type SchedulesService service

// Schedule is a weekly program for thermostats, switches or dimmers of a property.
type Schedule struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	DeviceType string          `json:"device_type"` // thermostat, switch, dimmable_switch
	PropertyID int64           `json:"property_id"`
	Blocks     []ScheduleBlock `json:"blocks"`
	DeviceIDs  []string        `json:"device_ids"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// ScheduleBlock applies its values on Days (0–6, Sunday 0) between From and To ("HH:MM", hub-local).
type ScheduleBlock struct {
	Days            []int  `json:"days"`
	From            string `json:"from"`
	To              string `json:"to"`
	Mode            string `json:"mode"`
	HeatingSetpoint *int   `json:"heating_setpoint"`
	CoolingSetpoint *int   `json:"cooling_setpoint"`
	Power           *int   `json:"power"`
}

// ScheduleRequest creates or updates a schedule; nil fields are not sent. Create needs Name, DeviceType,
// PropertyID and Blocks. Devices are not listed here: they attach through Activate (CONTRACT.md, Schedules).
type ScheduleRequest struct {
	Name       *string         `json:"name,omitempty"`
	DeviceType *string         `json:"device_type,omitempty"`
	PropertyID *int64          `json:"property_id,omitempty"`
	Blocks     []ScheduleBlock `json:"blocks,omitempty"`
}

// validate checks blocks against the device type's command rules and the no-overlap rule. On update without a
// device type only the shape of the blocks is checked.
func (r ScheduleRequest) validate(create bool) error {
	if create && (r.Name == nil || *r.Name == "" || r.DeviceType == nil || r.PropertyID == nil || len(r.Blocks) == 0) {
		return validationError("a schedule needs name, device_type, property_id and blocks")
	}
	if !create && r.Name == nil && r.DeviceType == nil && r.PropertyID == nil && r.Blocks == nil {
		return validationError("schedule update sets no field")
	}
	kind := deref(r.DeviceType)
	if kind != "" && kind != "thermostat" && kind != "switch" && kind != "dimmable_switch" {
		return validationError("schedule device_type %q: want thermostat, switch or dimmable_switch", kind)
	}
	var byDay [7][][2]int
	for i, b := range r.Blocks {
		f, t, err := b.window()
		if err != nil {
			return validationError("block %d: %v", i, err)
		}
		if err := b.checkValues(kind); err != nil {
			return validationError("block %d: %v", i, err)
		}
		for _, d := range b.Days {
			for _, w := range byDay[d] {
				if f < w[1] && w[0] < t {
					return validationError("block %d overlaps another block on day %d", i, d)
				}
			}
			byDay[d] = append(byDay[d], [2]int{f, t})
		}
	}
	return nil
}

// window checks days and times and returns the block's minutes of the day.
func (b ScheduleBlock) window() (from, to int, err error) {
	if len(b.Days) == 0 {
		return 0, 0, validationError("no days")
	}
	for _, d := range b.Days {
		if d < 0 || d > 6 {
			return 0, 0, validationError("day %d outside 0–6", d)
		}
	}
	f, err := ParseTimeOfDay(b.From)
	if err != nil {
		return 0, 0, err
	}
	t, err := ParseTimeOfDay(b.To)
	if err != nil {
		return 0, 0, err
	}
	if f.minutes() >= t.minutes() {
		return 0, 0, validationError("from %s must be before to %s", b.From, b.To)
	}
	return f.minutes(), t.minutes(), nil
}

// checkValues applies the command rules of the device type to the block's values.
func (b ScheduleBlock) checkValues(kind string) error {
	switch kind {
	case "thermostat":
		return ThermostatCommand{Mode: &b.Mode, HeatingSetpoint: b.HeatingSetpoint, CoolingSetpoint: b.CoolingSetpoint}.Validate()
	case "switch", "dimmable_switch":
		if b.Mode != "on" && b.Mode != "off" {
			return validationError("mode %q: want on or off", b.Mode)
		}
		if kind == "switch" && b.Power != nil {
			return validationError("a switch block takes no power")
		}
		if b.Power != nil && (*b.Power < 0 || *b.Power > 100) {
			return validationError("power %d outside 0–100", *b.Power)
		}
	}
	return nil
}

// ScheduleListOptions filters and pages List.
type ScheduleListOptions struct {
	PropertyID int64
	DeviceType string
	Page       int
	PerPage    int
}

// List returns one page of schedules.
//
// API: GET /api/schedules [exists DOC D-overview; path INF]
func (s *SchedulesService) List(ctx context.Context, opts ScheduleListOptions) ([]Schedule, *Response, error) {
	q, err := (&ListOptions{Page: opts.Page, PerPage: opts.PerPage}).values()
	if err != nil {
		return nil, nil, err
	}
	setInt(q, "property_id", opts.PropertyID)
	setString(q, "device_type", opts.DeviceType)
	var page struct {
		Schedules []Schedule `json:"schedules"`
	}
	resp, err := s.client.get(ctx, path(q, "schedules"), &page)
	return page.Schedules, resp, err
}

// Create validates and creates a schedule.
//
// API: POST /api/schedules [exists DOC D-overview; path INF]
func (s *SchedulesService) Create(ctx context.Context, r ScheduleRequest) (*Schedule, *Response, error) {
	if err := r.validate(true); err != nil {
		return nil, nil, err
	}
	sc := new(Schedule)
	resp, err := s.client.send(ctx, http.MethodPost, path(nil, "schedules"), r, sc)
	return nilOnErr(sc, err), resp, err
}

// Update validates and changes the fields set in r.
//
// API: PUT /api/schedules/{id} [exists DOC D-overview; path INF]
func (s *SchedulesService) Update(ctx context.Context, id string, r ScheduleRequest) (*Schedule, *Response, error) {
	if err := r.validate(false); err != nil {
		return nil, nil, err
	}
	sc := new(Schedule)
	resp, err := s.client.send(ctx, http.MethodPut, path(nil, "schedules", id), r, sc)
	return nilOnErr(sc, err), resp, err
}

// Delete removes a schedule.
//
// API: DELETE /api/schedules/{id} [exists DOC D-overview; path INF]
func (s *SchedulesService) Delete(ctx context.Context, id string) (*Response, error) {
	return s.client.send(ctx, http.MethodDelete, path(nil, "schedules", id), nil, nil)
}

// DeviceSchedules are the schedules that fit a device, and the active one ("" when none).
type DeviceSchedules struct {
	Schedules        []Schedule `json:"schedules"`
	ActiveScheduleID string     `json:"active_schedule_id"`
}

// ListForDevice returns the schedules of a device and which one is active.
//
// API: GET /api/devices/{device_id}/schedules [exists DOC D-overview; path INF]
func (s *SchedulesService) ListForDevice(ctx context.Context, deviceID string) (*DeviceSchedules, *Response, error) {
	ds := new(DeviceSchedules)
	resp, err := s.client.get(ctx, path(nil, "devices", deviceID, "schedules"), ds)
	return nilOnErr(ds, err), resp, err
}

// Activate makes a schedule the device's active one; a schedule of another device type is an error matching
// ErrValidation.
//
// API: PUT /api/devices/{device_id}/schedules/{schedule_id}/activate [exists DOC D-overview; path INF]
func (s *SchedulesService) Activate(ctx context.Context, deviceID, scheduleID string) (*Response, error) {
	return s.client.send(ctx, http.MethodPut, path(nil, "devices", deviceID, "schedules", scheduleID, "activate"), nil, nil)
}
