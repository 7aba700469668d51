package simulator

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Messages of the one-off code routes [DOC D-unlock2].
const (
	msgStartEpoch = "Start Time is required in epoch format"
	msgEndEpoch   = "End Time is required in epoch format"
	msgEndOrder   = "End Time must be after Start Time"
)

// unlockRequest covers the three mls_unlock bodies: v1 hub, v1 lockbox/Blue/Smart Bolt, and v2.
type unlockRequest struct {
	Serial    flexString      `json:"serial"`
	Name      string          `json:"name"`
	Phone     string          `json:"phone"`
	Date      string          `json:"date"`       // v1 lockbox: YYYY-MM-DD, lockbox-local
	StartTime json.RawMessage `json:"starttime"`  // v1 Blue/Smart Bolt: epoch seconds as a string
	EndTime   json.RawMessage `json:"endtime"`    // v1 Blue
	Start     json.RawMessage `json:"start_time"` // v2: epoch seconds
	End       json.RawMessage `json:"end_time"`   // v2: optional
}

// epochField parses epoch seconds given as a JSON number or a string of digits.
func epochField(raw json.RawMessage) (time.Time, bool) {
	s := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	return time.Unix(n, 0), true
}

func present(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s != "" && s != "null" && s != `""`
}

func endOfDay(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 23, 59, 59, 0, loc)
}

type codeAnswer struct {
	Success bool   `json:"success"`
	Code    string `json:"code"`
}

func couldNotGenerate(serial string) failure {
	return failure{Message: "Sorry, code could not be generated for " + serial}
}

// handleHubUnlock: POST /api/hubs/mls_unlock {serial, name, phone} [DOC D-hubunlock]. The code goes to every lock of
// the hub for the rest of the local day.
func (s *Simulator) handleHubUnlock(w http.ResponseWriter, r *http.Request, p principal) error {
	var req unlockRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	serial, err := strconv.ParseInt(strings.TrimSpace(string(req.Serial)), 10, 64)
	if req.Serial == "" {
		return unprocessable("serial is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.st.idx().hubBySerial[serial]
	if err != nil || h == nil || !s.canSeeHub(p, h) {
		return notFound("Hub not found")
	}
	var locks []*device
	for _, d := range s.st.idx().devsByHub[h.ID] {
		if isCodeDevice(d.Type) {
			locks = append(locks, d)
		}
	}
	if !h.Online || len(locks) == 0 {
		writeJSON(w, http.StatusOK, couldNotGenerate(string(req.Serial)))
		return nil
	}
	now, loc := s.clock.Now(), s.zones.get(h.TimeZone)
	lc := &lockCode{Name: cmpOrString(strings.TrimSpace(req.Name), "MLS Unlock"), Code: s.freshPIN(6, locks),
		ValidityType: validityPeriod, FromDate: now.In(loc).Format(lockCodeDateLayout),
		ToDate: endOfDay(now, loc).Format(lockCodeDateLayout), CodeType: "MLS Code", Source: "mls"}
	s.addLockCode(lc, locks)
	writeJSON(w, http.StatusOK, codeAnswer{true, lc.Code})
	return nil
}

// freshPIN draws an n-digit PIN no live code of the API already uses on locks.
func (s *Simulator) freshPIN(n int, locks []*device) string {
	pin := randomDigits(s.st.rng, n)
	for range 50 {
		if s.checkDuplicate(pin, "", locks) == nil && !onAnyLock(pin, locks) {
			break
		}
		pin = randomDigits(s.st.rng, n)
	}
	return pin
}

func onAnyLock(pin string, locks []*device) bool {
	for _, d := range locks {
		for _, v := range d.Codes {
			if v != nil && *v == pin {
				return true
			}
		}
	}
	return false
}

// handleLockboxUnlock: POST /api/lockboxes/mls_unlock [DOC D-unlock]. Lockbox: a one-day code for date; Rently Blue:
// a period code for starttime..endtime; Smart Bolt: one-time, 3 h from starttime.
func (s *Simulator) handleLockboxUnlock(w http.ResponseWriter, r *http.Request, p principal) error {
	var req unlockRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	return s.lockboxCode(w, req, req.StartTime, req.EndTime, false)
}

// handleUnlockV2: POST /api/v2/mls_unlock {serial, start_time, end_time?, name, phone} [DOC D-unlock2]; 422
// "Start Time is required in epoch format".
func (s *Simulator) handleUnlockV2(w http.ResponseWriter, r *http.Request, p principal) error {
	var req unlockRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	return s.lockboxCode(w, req, req.Start, req.End, true)
}

// lockboxCode issues a one-off code for a lockbox product; v2 derives a lockbox's date from start_time.
func (s *Simulator) lockboxCode(w http.ResponseWriter, req unlockRequest, startRaw, endRaw json.RawMessage, v2 bool) error {
	serial := strings.TrimSpace(string(req.Serial))
	if serial == "" {
		return unprocessable("serial is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	lb := s.st.Lockboxes[serial]
	if lb == nil {
		return notFound("Lock not found")
	}
	loc := s.zones.get(lb.TimeZone)
	from, to, err := unlockWindow(lb.Kind, req, startRaw, endRaw, v2, loc)
	if err != nil {
		return err
	}
	if !to.After(s.clock.Now()) { // the window is already over
		writeJSON(w, http.StatusOK, couldNotGenerate(serial))
		return nil
	}
	code := codeAnswer{true, randomDigits(s.st.rng, 6)}
	lb.Codes = append(lb.Codes, oneOffCode{Code: code.Code, Name: req.Name, Phone: req.Phone, From: from, To: to})
	if len(lb.Codes) > 100 {
		lb.Codes = lb.Codes[len(lb.Codes)-100:]
	}
	s.changed()
	writeJSON(w, http.StatusOK, code)
	return nil
}

// unlockWindow applies each product's rules to the request's times.
func unlockWindow(kind string, req unlockRequest, startRaw, endRaw json.RawMessage, v2 bool, loc *time.Location) (time.Time, time.Time, error) {
	var zero time.Time
	if kind == "lockbox" && !v2 {
		day, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(req.Date), loc)
		if err != nil {
			return zero, zero, unprocessable("Date is required in YYYY-MM-DD format")
		}
		return day, endOfDay(day, loc), nil
	}
	start, ok := epochField(startRaw)
	if !ok {
		return zero, zero, unprocessable(msgStartEpoch)
	}
	switch kind {
	case "lockbox": // v2: the day of start_time in the lockbox's zone
		l := start.In(loc)
		return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc), endOfDay(start, loc), nil
	case "smart_bolt":
		return start, start.Add(3 * time.Hour), nil
	}
	end := endOfDay(start, loc) // Blue, v2 without end_time
	if present(endRaw) || !v2 {
		var ok bool
		if end, ok = epochField(endRaw); !ok {
			return zero, zero, unprocessable(msgEndEpoch)
		}
	}
	if !end.After(start) {
		return zero, zero, unprocessable(msgEndOrder)
	}
	return start, end, nil
}
