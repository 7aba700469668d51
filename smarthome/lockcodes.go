package smarthome

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// LockCodesService handles /lock_codes.
type LockCodesService service

// Lock-code validity types (reference §8.1), spelled as the API spells them.
const (
	ValiditySpecificPeriod = "Specific Period"
	ValidityDayOfWeek      = "By Day of Week"
	ValidityDailyRepeating = "Daily Repeating"
	ValidityNeverExpires   = "Never Expires"
)

// CodeTypeVacancy is the code_type that makes a vacancy code.
const CodeTypeVacancy = "Vacancy Code"

// Per-device lock-code states [INF]: setting → set | failed; after delete removing → removed.
const (
	CodeSetting  = "setting"
	CodeSet      = "set"
	CodeFailed   = "failed"
	CodeRemoving = "removing"
	CodeRemoved  = "removed"
)

// LockCode is a lock code and its state on each targeted lock.
type LockCode struct {
	ID                  string           `json:"id"`
	Name                string           `json:"name"`
	Code                PIN              `json:"code"`
	ValidityType        string           `json:"validity_type"`
	FromDate            string           `json:"from_date"` // LockCodeDateLayout, hub-local
	ToDate              string           `json:"to_date"`
	ScheduleDetailsInfo []ScheduleEntry  `json:"schedule_details_info"`
	CodeType            string           `json:"code_type"`
	PropertyID          *int64           `json:"property_id"`
	HubID               string           `json:"hub_id"`
	CreatedAt           time.Time        `json:"created_at"`
	UpdatedAt           time.Time        `json:"updated_at"`
	Devices             []LockCodeDevice `json:"devices"`
}

// LockCodeDevice is a code's state on one lock.
type LockCodeDevice struct {
	DeviceID  string    `json:"device_id"`
	Status    string    `json:"status"` // CodeSetting, CodeSet, CodeFailed, CodeRemoving, CodeRemoved
	Slot      *int      `json:"slot"`   // nil until set
	Error     string    `json:"error"`  // with CodeFailed: "hub offline", "slots full", "duplicate code"
	UpdatedAt time.Time `json:"updated_at"`
}

// LockCodeListOptions filters and pages List. Zero values are omitted.
type LockCodeListOptions struct {
	DeviceID   string
	HubID      string
	PropertyID int64
	Page       int
	PerPage    int
}

func (o LockCodeListOptions) values() (url.Values, error) {
	q, err := (&ListOptions{Page: o.Page, PerPage: o.PerPage}).values()
	if err != nil {
		return nil, err
	}
	setString(q, "device_id", o.DeviceID)
	setString(q, "hub_id", o.HubID)
	setInt(q, "property_id", o.PropertyID)
	return q, nil
}

// List returns one page of lock codes (removed ones excluded).
//
// API: GET /api/lock_codes [exists DOC D-overview; path INF]
func (s *LockCodesService) List(ctx context.Context, opts LockCodeListOptions) ([]LockCode, *Response, error) {
	q, err := opts.values()
	if err != nil {
		return nil, nil, err
	}
	var page struct {
		LockCodes []LockCode `json:"lock_codes"`
	}
	resp, err := s.client.get(ctx, path(q, "lock_codes"), &page)
	return page.LockCodes, resp, err
}

// Get returns a lock code with its per-device states.
//
// API: GET /api/lock_codes/{id} [exists DOC D-overview; path INF]
func (s *LockCodesService) Get(ctx context.Context, id string) (*LockCode, *Response, error) {
	lc := new(LockCode)
	resp, err := s.client.get(ctx, path(nil, "lock_codes", id), lc)
	return nilOnErr(lc, err), resp, err
}

// Create validates r and creates the code; the locks pick it up asynchronously (watch Devices[i].Status).
//
// API: POST /api/lock_codes [DOC D-createlockcode; code and name INF]
func (s *LockCodesService) Create(ctx context.Context, r LockCodeRequest) (*LockCode, *Response, error) {
	if err := r.Validate(); err != nil {
		return nil, nil, err
	}
	lc := new(LockCode)
	resp, err := s.client.send(ctx, http.MethodPost, path(nil, "lock_codes"), r, lc)
	return nilOnErr(lc, err), resp, scrub(err, r.Code.Reveal())
}

// Update validates u and changes the code; its devices go back to CodeSetting.
//
// API: PUT /api/lock_codes/{id} [exists DOC D-overview; path INF]
func (s *LockCodesService) Update(ctx context.Context, id string, u LockCodeUpdate) (*LockCode, *Response, error) {
	if err := u.Validate(); err != nil {
		return nil, nil, err
	}
	lc := new(LockCode)
	resp, err := s.client.send(ctx, http.MethodPut, path(nil, "lock_codes", id), u, lc)
	var pin string
	if u.Code != nil {
		pin = u.Code.Reveal()
	}
	return nilOnErr(lc, err), resp, scrub(err, pin)
}

// Delete removes the code from its locks; it disappears once every lock reports it removed.
//
// API: DELETE /api/lock_codes/{id} [exists DOC D-overview; path INF]
func (s *LockCodesService) Delete(ctx context.Context, id string) (*Response, error) {
	return s.client.send(ctx, http.MethodDelete, path(nil, "lock_codes", id), nil, nil)
}
