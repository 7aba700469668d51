package simulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Validity types of POST /api/lock_codes [DOC D-createlockcode].
const (
	validityByDay      = "By Day of Week"
	validityPeriod     = "Specific Period"
	validityNever      = "Never Expires"
	validityDaily      = "Daily Repeating"
	lockCodeDateLayout = "2006-01-02 15-04" // YYYY-MM-DD HH-MM, hub local [DOC D-createlockcode]
)

var validityTypes = []string{validityByDay, validityPeriod, validityNever, validityDaily}

// lockCodeRequest is the create/update body: the documented fields plus the inferred code and name.
type lockCodeRequest struct {
	HubID        string             `json:"hub_id"`
	DeviceID     string             `json:"device_id"`
	DeviceIDs    []string           `json:"device_ids"`
	PropertyID   flexInt            `json:"property_id"`
	ValidityType string             `json:"validity_type"`
	FromDate     string             `json:"from_date"`
	ToDate       string             `json:"to_date"`
	Schedule     []scheduleDetailIn `json:"schedule_details_info"`
	CodeType     string             `json:"code_type"`
	Code         flexString         `json:"code"`
	Name         string             `json:"name"`
}

type scheduleDetailIn struct {
	D  *flexInt `json:"d"`
	WD []string `json:"wd"`
	F  string   `json:"f"`
	T  string   `json:"t"`
}

// validCode reports whether code is 4–8 digits.
func validCode(code string) bool {
	if len(code) < 4 || len(code) > 8 {
		return false
	}
	return strings.Trim(code, "0123456789") == ""
}

// validateCodeFields checks code, name and the validity fields; it returns the normalised schedule.
func validateCodeFields(req *lockCodeRequest) ([]scheduleDetail, error) {
	req.Name = strings.TrimSpace(req.Name)
	switch {
	case !validCode(string(req.Code)):
		return nil, unprocessable("code must be 4 to 8 digits")
	case req.Name == "" || utf8.RuneCountInString(req.Name) > 64:
		return nil, unprocessable("name is required and must be at most 64 characters")
	case !slices.Contains(validityTypes, req.ValidityType):
		return nil, unprocessable("validity_type must be one of: " + strings.Join(validityTypes, ", "))
	case utf8.RuneCountInString(req.CodeType) > 64:
		return nil, unprocessable("code_type must be at most 64 characters")
	}
	if err := rejectUnusedValidity(req); err != nil {
		return nil, err
	}
	switch req.ValidityType {
	case validityPeriod:
		return nil, validatePeriod(req.FromDate, req.ToDate)
	case validityByDay, validityDaily:
		return validateSchedule(req.ValidityType, req.Schedule)
	}
	return nil, nil
}

// rejectUnusedValidity answers 422 when the request carries fields its validity type does not use: silently
// dropping them would turn a "Never Expires" code sent with a to_date into a permanent one (CONTRACT.md).
func rejectUnusedValidity(req *lockCodeRequest) error {
	dates := req.FromDate != "" || req.ToDate != ""
	switch {
	case dates && req.ValidityType != validityPeriod:
		return unprocessable("from_date and to_date are only allowed for " + validityPeriod)
	case len(req.Schedule) > 0 && (req.ValidityType == validityPeriod || req.ValidityType == validityNever):
		return unprocessable("schedule_details_info is only allowed for " + validityByDay + " and " + validityDaily)
	}
	for i, e := range req.Schedule {
		where := fmt.Sprintf("schedule_details_info[%d]", i)
		hasD := e.D != nil && e.D.Set
		if req.ValidityType == validityByDay && len(e.WD) > 0 {
			return unprocessable(where + ": a " + validityByDay + " entry takes d, not wd")
		}
		if req.ValidityType == validityDaily && hasD {
			return unprocessable(where + ": a " + validityDaily + " entry takes wd, not d")
		}
	}
	return nil
}

func validatePeriod(fromS, toS string) error {
	if fromS == "" || toS == "" {
		return unprocessable("from_date and to_date are required for Specific Period")
	}
	from, err := time.Parse(lockCodeDateLayout, fromS)
	if err != nil {
		return unprocessable("from_date must be in YYYY-MM-DD HH-MM format")
	}
	to, err := time.Parse(lockCodeDateLayout, toS)
	if err != nil {
		return unprocessable("to_date must be in YYYY-MM-DD HH-MM format")
	}
	if !from.Before(to) {
		return unprocessable("from_date must be before to_date")
	}
	return nil
}

// validateSchedule checks schedule_details_info: {"d": 0..6, f, t} for By Day of Week, {"wd": ["0".."6"], f, t} for
// Daily Repeating; times HH:MM with f before t.
func validateSchedule(validity string, in []scheduleDetailIn) ([]scheduleDetail, error) {
	if len(in) == 0 {
		return nil, unprocessable("schedule_details_info is required for " + validity)
	}
	out := make([]scheduleDetail, 0, len(in))
	for i, e := range in {
		where := fmt.Sprintf("schedule_details_info[%d]", i)
		if err := validateSpan(where, e.F, e.T); err != nil {
			return nil, err
		}
		entry := scheduleDetail{F: e.F, T: e.T}
		if validity == validityByDay {
			if e.D == nil || !e.D.Set || e.D.Value < 0 || e.D.Value > 6 {
				return nil, unprocessable(where + ".d must be a day number 0..6 (Sunday = 0)")
			}
			entry.D = ptr(int(e.D.Value))
		} else {
			if len(e.WD) == 0 {
				return nil, unprocessable(where + ".wd must list week days \"0\"..\"6\"")
			}
			for _, wd := range e.WD {
				if len(wd) != 1 || wd[0] < '0' || wd[0] > '6' {
					return nil, unprocessable(where + ".wd must list week days \"0\"..\"6\"")
				}
			}
			entry.WD = slices.Clone(e.WD)
		}
		out = append(out, entry)
	}
	return out, nil
}

// validateSpan checks an HH:MM..HH:MM window with from before to.
func validateSpan(where, from, to string) error {
	f, err1 := time.Parse("15:04", from)
	t, err2 := time.Parse("15:04", to)
	switch {
	case err1 != nil || err2 != nil || len(from) != 5 || len(to) != 5:
		return unprocessable(where + ": times must be HH:MM")
	case !f.Before(t):
		return unprocessable(where + ": from must be before to")
	}
	return nil
}

// resolveLocks returns the locks a request targets: device_id, device_ids, hub_id (its locks) or property_id (its
// locks). More than one target is refused rather than unioned, so a caller's mistake cannot widen a code's reach.
// Callers hold s.mu.
func (s *Simulator) resolveLocks(p principal, req lockCodeRequest) ([]*device, error) {
	targets := 0
	for _, set := range []bool{req.DeviceID != "", len(req.DeviceIDs) > 0, req.HubID != "", req.PropertyID.Set} {
		if set {
			targets++
		}
	}
	if targets > 1 {
		return nil, unprocessable("Give only one of device_id, device_ids, hub_id and property_id")
	}
	var devs []*device
	ids := slices.Clone(req.DeviceIDs)
	if req.DeviceID != "" {
		ids = append([]string{req.DeviceID}, ids...)
	}
	for _, id := range ids {
		d := s.st.Devices[id]
		if d == nil {
			return nil, notFound("Device not found")
		}
		if !isCodeDevice(d.Type) {
			return nil, unprocessable("Device " + d.Name + " is not a lock")
		}
		devs = append(devs, d)
	}
	if req.HubID != "" {
		h := s.st.Hubs[req.HubID]
		if h == nil {
			return nil, notFound("Hub not found")
		}
		devs = append(devs, s.st.idx().devsByHub[h.ID]...)
	}
	if req.PropertyID.Set {
		if s.st.Properties[req.PropertyID.Value] == nil {
			return nil, notFound("Property not found")
		}
		devs = append(devs, s.st.idx().devsByProperty[req.PropertyID.Value]...)
	}
	var locks []*device
	for _, d := range devs {
		if isCodeDevice(d.Type) && !slices.Contains(locks, d) {
			if err := s.canSeeDevice(p, d); err != nil {
				return nil, err
			}
			locks = append(locks, d)
		}
	}
	if len(locks) == 0 {
		return nil, unprocessable("No lock targeted: give device_id, device_ids, hub_id or property_id of a lock")
	}
	return locks, nil
}

// checkDuplicate answers 409 when another live lock code of the API already puts pin on one of the locks. A PIN
// the cloud does not know about (set at the keypad) is only found by the lock, which then fails with "duplicate code".
func (s *Simulator) checkDuplicate(pin, exceptID string, locks []*device) error {
	for _, lc := range s.st.LockCodes {
		if lc.ID == exceptID || lc.Code != pin {
			continue
		}
		for _, e := range lc.Devices {
			if e.Status == codeRemoving || e.Status == codeRemoved || e.Status == codeFailed {
				continue
			}
			if i := slices.IndexFunc(locks, func(d *device) bool { return d.ID == e.DeviceID }); i >= 0 {
				return conflict("This code is already in use on " + locks[i].Name)
			}
		}
	}
	return nil
}

// handleLockCodeCreate: POST /api/lock_codes [DOC D-createlockcode; code, name and the answer INF].
func (s *Simulator) handleLockCodeCreate(w http.ResponseWriter, r *http.Request, p principal) error {
	var req lockCodeRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sched, err := validateCodeFields(&req)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	locks, err := s.resolveLocks(p, req)
	if err != nil {
		return err
	}
	if err := s.checkDuplicate(string(req.Code), "", locks); err != nil {
		return err
	}
	lc := &lockCode{Name: req.Name, Code: string(req.Code), ValidityType: req.ValidityType, Schedule: sched,
		CodeType: cmpOrString(req.CodeType, "Guest Code"), PropertyID: req.PropertyID.Value, Source: "api"}
	if req.ValidityType == validityPeriod {
		lc.FromDate, lc.ToDate = req.FromDate, req.ToDate
	}
	s.addLockCode(lc, locks)
	writeJSON(w, http.StatusCreated, s.lockCodeView(lc))
	return nil
}
