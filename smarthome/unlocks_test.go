package smarthome

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestUnlocksEndpoints(t *testing.T) {
	t.Parallel()
	start, end := time.Unix(1764432000, 0), time.Unix(1764439200, 0)
	runEndpoints(t, []endpointCase{
		{
			name: "HubUnlock", method: "POST", path: "/api/hubs/mls_unlock",
			body: `{"serial": "30011", "name": "Ana", "phone": "+15125550100"}`, reply: `{"success": true, "code": "123456"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Unlocks.HubUnlock(ctx, HubUnlockRequest{Serial: "30011", Name: "Ana", Phone: "+15125550100"})
			},
			want: PIN("123456"),
		},
		{
			name: "LockboxUnlock lockbox", method: "POST", path: "/api/lockboxes/mls_unlock",
			body: `{"serial": "LB1", "date": "2026-11-29"}`, reply: `{"success": true, "code": "2468"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				// 03:00 UTC on the 30th is still the 29th in Chicago.
				day := time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)
				return c.Unlocks.LockboxUnlock(ctx, NewLockboxUnlock("LB1", day, time.FixedZone("CST", -6*3600)))
			},
			want: PIN("2468"),
		},
		{
			name: "LockboxUnlock blue", method: "POST", path: "/api/lockboxes/mls_unlock",
			body:  `{"serial": "B1", "name": "Ana", "starttime": "1764432000", "endtime": "1764439200"}`,
			reply: `{"success": true, "code": "112233"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				r := NewBlueLockUnlock("B1", start, end)
				r.Name = "Ana"
				return c.Unlocks.LockboxUnlock(ctx, r)
			},
			want: PIN("112233"),
		},
		{
			name: "LockboxUnlock smart bolt", method: "POST", path: "/api/lockboxes/mls_unlock",
			body: `{"serial": "S1", "starttime": "1764432000"}`, reply: `{"success": true, "code": "445566"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Unlocks.LockboxUnlock(ctx, NewSmartBoltUnlock("S1", start))
			},
			want: PIN("445566"),
		},
		{
			name: "UnlockV2", method: "POST", path: "/api/v2/mls_unlock",
			body:  `{"serial": "30011", "start_time": 1764432000, "end_time": 1764439200, "name": "Ana", "phone": "1"}`,
			reply: `{"success": true, "code": "237689"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Unlocks.UnlockV2(ctx, UnlockV2Request{Serial: "30011", Start: start, End: end, Name: "Ana", Phone: "1"})
			},
			want: PIN("237689"),
		},
	})
}

func TestUnlockFailures(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("POST /api/v2/mls_unlock", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"success": false, "message": "Sorry, code could not be generated for 123456"}`)
	})
	f.mux.HandleFunc("POST /api/hubs/mls_unlock", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusUnprocessableEntity, `{"success": false, "message": "Start Time is required in epoch format"}`)
	})
	f.mux.HandleFunc("POST /api/lockboxes/mls_unlock", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"success": true}`)
	})
	ctx := t.Context()
	code, _, err := f.client.Unlocks.UnlockV2(ctx, UnlockV2Request{Serial: "123456", Start: time.Unix(1, 0)})
	if code != "" || !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "could not be generated") {
		t.Errorf("success:false: %q, %v", code.Reveal(), err)
	}
	if _, _, err := f.client.Unlocks.HubUnlock(ctx, HubUnlockRequest{}); !errorsIsValidation(err) {
		t.Errorf("no serial: %v", err)
	}
	if _, _, err := f.client.Unlocks.HubUnlock(ctx, HubUnlockRequest{Serial: "1"}); !errorsIsValidation(err) {
		t.Errorf("422: %v", err)
	}
	if code, _, err := f.client.Unlocks.LockboxUnlock(ctx, NewSmartBoltUnlock("S1", time.Unix(5, 0))); err == nil || code != "" {
		t.Errorf("reply without a code: %q, %v", code.Reveal(), err)
	}
}

func TestUnlockValidation(t *testing.T) {
	t.Parallel()
	now := time.Unix(1764432000, 0)
	tests := []struct {
		name string
		err  error
	}{
		{"v2 no serial", UnlockV2Request{Start: now}.Validate()},
		{"v2 no start", UnlockV2Request{Serial: "1"}.Validate()},
		{"v2 end before start", UnlockV2Request{Serial: "1", Start: now, End: now.Add(-time.Second)}.Validate()},
		{"lockbox nothing", LockboxUnlockRequest{Serial: "1"}.Validate()},
		{"lockbox no serial", NewSmartBoltUnlock("", now).Validate()},
		{"lockbox date and time", LockboxUnlockRequest{Serial: "1", Date: "2026-11-29", StartTime: "5"}.Validate()},
		{"lockbox bad date", LockboxUnlockRequest{Serial: "1", Date: "11/29/2026"}.Validate()},
		{"blue bad start", LockboxUnlockRequest{Serial: "1", StartTime: "soon"}.Validate()},
		{"blue end before start", NewBlueLockUnlock("1", now, now.Add(-time.Hour)).Validate()},
		{"blue end only", LockboxUnlockRequest{Serial: "1", EndTime: "5"}.Validate()},
	}
	for _, tt := range tests {
		if !errorsIsValidation(tt.err) {
			t.Errorf("%s: err = %v, want ErrValidation", tt.name, tt.err)
		}
	}
	for name, err := range map[string]error{
		"v2 open end": UnlockV2Request{Serial: "1", Start: now}.Validate(),
		"blue":        NewBlueLockUnlock("1", now, now.Add(time.Hour)).Validate(),
		"smart bolt":  NewSmartBoltUnlock("1", now).Validate(),
	} {
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
