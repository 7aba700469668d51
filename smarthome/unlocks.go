package smarthome

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// UnlocksService issues one-off "MLS" unlock codes (reference §8.2). The documented routes answer HTTP 200 with
// {"success": false, "message": …} on failure; the client turns that into an error matching ErrRejected.
type UnlocksService service

// HubUnlockRequest asks for a hub unlock code, valid 2 h from first use on the day it is issued.
type HubUnlockRequest struct {
	Serial string `json:"serial"`
	Name   string `json:"name,omitempty"`
	Phone  string `json:"phone,omitempty"`
}

// unlockReply is the documented {"success": true, "code": "123456"}.
type unlockReply struct {
	Code PIN `json:"code"`
}

// HubUnlock returns a one-off hub unlock code.
//
// API: POST /api/hubs/mls_unlock [DOC D-hubunlock]
func (s *UnlocksService) HubUnlock(ctx context.Context, r HubUnlockRequest) (PIN, *Response, error) {
	if r.Serial == "" {
		return "", nil, validationError("serial is required")
	}
	return s.unlock(ctx, path(nil, "hubs", "mls_unlock"), r)
}

// LockboxUnlockRequest asks for a v1 code. Its fields depend on the product; build it with NewLockboxUnlock,
// NewBlueLockUnlock or NewSmartBoltUnlock.
type LockboxUnlockRequest struct {
	Serial    string `json:"serial"`
	Name      string `json:"name,omitempty"`
	Phone     string `json:"phone,omitempty"`
	Date      string `json:"date,omitempty"`      // lockbox: LockboxDateLayout, lockbox-local
	StartTime string `json:"starttime,omitempty"` // Blue / Smart Bolt: epoch seconds as a string
	EndTime   string `json:"endtime,omitempty"`   // Blue only
}

// NewLockboxUnlock asks for a lockbox code for the calendar day of day in loc (the lockbox's zone).
func NewLockboxUnlock(serial string, day time.Time, loc *time.Location) LockboxUnlockRequest {
	return LockboxUnlockRequest{Serial: serial, Date: day.In(loc).Format(LockboxDateLayout)}
}

// NewBlueLockUnlock asks for a Rently Blue lock code valid from start to end.
func NewBlueLockUnlock(serial string, start, end time.Time) LockboxUnlockRequest {
	return LockboxUnlockRequest{Serial: serial, StartTime: EpochSeconds(start), EndTime: EpochSeconds(end)}
}

// NewSmartBoltUnlock asks for a Smart Bolt one-time code, which expires 3 h after start.
func NewSmartBoltUnlock(serial string, start time.Time) LockboxUnlockRequest {
	return LockboxUnlockRequest{Serial: serial, StartTime: EpochSeconds(start)}
}

// Validate checks that exactly one product shape is filled in.
func (r LockboxUnlockRequest) Validate() error {
	if r.Serial == "" {
		return validationError("serial is required")
	}
	switch {
	case r.Date != "":
		if r.StartTime != "" || r.EndTime != "" {
			return validationError("give a lockbox date or a start time, not both")
		}
		if _, err := time.Parse(LockboxDateLayout, r.Date); err != nil {
			return validationError("date %q: want YYYY-MM-DD", r.Date)
		}
	case r.StartTime != "":
		start, err := strconv.ParseInt(r.StartTime, 10, 64)
		if err != nil || start <= 0 {
			return validationError("starttime %q: want epoch seconds", r.StartTime)
		}
		if r.EndTime == "" {
			return nil
		}
		end, err := strconv.ParseInt(r.EndTime, 10, 64)
		if err != nil {
			return validationError("endtime %q: want epoch seconds", r.EndTime)
		}
		if end <= start {
			return validationError("endtime must be after starttime")
		}
	default:
		return validationError("give a lockbox date or a start time")
	}
	return nil
}

// LockboxUnlock returns a one-off lockbox, Blue lock or Smart Bolt code.
//
// API: POST /api/lockboxes/mls_unlock [DOC D-unlock]
func (s *UnlocksService) LockboxUnlock(ctx context.Context, r LockboxUnlockRequest) (PIN, *Response, error) {
	if err := r.Validate(); err != nil {
		return "", nil, err
	}
	return s.unlock(ctx, path(nil, "lockboxes", "mls_unlock"), r)
}

// UnlockV2Request asks for a v2 code. End is optional (zero: end of the start day in the lock's zone).
type UnlockV2Request struct {
	Serial string
	Start  time.Time
	End    time.Time
	Name   string
	Phone  string
}

// MarshalJSON writes the documented body with epoch-second times.
func (r UnlockV2Request) MarshalJSON() ([]byte, error) {
	wire := struct {
		Serial    string `json:"serial"`
		StartTime int64  `json:"start_time"`
		EndTime   int64  `json:"end_time,omitempty"`
		Name      string `json:"name,omitempty"`
		Phone     string `json:"phone,omitempty"`
	}{Serial: r.Serial, StartTime: r.Start.Unix(), Name: r.Name, Phone: r.Phone}
	if !r.End.IsZero() {
		wire.EndTime = r.End.Unix()
	}
	return json.Marshal(wire)
}

// Validate checks the required fields and the order of the times.
func (r UnlockV2Request) Validate() error {
	if r.Serial == "" {
		return validationError("serial is required")
	}
	if r.Start.IsZero() {
		return validationError("start time is required")
	}
	if !r.End.IsZero() && !r.End.After(r.Start) {
		return validationError("end time must be after start time")
	}
	return nil
}

// UnlockV2 returns a one-off code: a one-day lockbox code, a Blue period code, or a Smart Bolt one-time code.
//
// API: POST /api/v2/mls_unlock [DOC D-unlock2]
func (s *UnlocksService) UnlockV2(ctx context.Context, r UnlockV2Request) (PIN, *Response, error) {
	if err := r.Validate(); err != nil {
		return "", nil, err
	}
	return s.unlock(ctx, path(nil, "v2", "mls_unlock"), r)
}

func (s *UnlocksService) unlock(ctx context.Context, p string, body any) (PIN, *Response, error) {
	var reply unlockReply
	resp, err := s.client.send(ctx, http.MethodPost, p, body, &reply)
	if err == nil && reply.Code == "" {
		return "", resp, fmt.Errorf("smarthome: POST %s: the reply carries no code", p)
	}
	return reply.Code, resp, err
}
