package smarthome_test

import (
	"slices"
	"testing"
	"time"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// validPIN6 reports whether a one-off code looks like the documented "123456".
func validPIN6(p smarthome.PIN) bool {
	s := p.Reveal()
	return len(s) == 6 && allDigits(s)
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func TestContractHubUnlock(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	s := e.site(c, 101)
	lock := s.first(t, "lock").ID
	serial := s.hub.SerialNo.String()

	pin, _, err := c.Unlocks.HubUnlock(ctx, smarthome.HubUnlockRequest{Serial: serial, Name: "MLS agent", Phone: "+15125550100"})
	must(t, err)
	if !validPIN6(pin) {
		t.Fatalf("code %q", pin.Reveal())
	}
	e.advance(commandDelay)
	if !slices.Contains(mapValues(lockPINs(t, c, lock)), pin.Reveal()) {
		t.Error("the hub's lock does not hold the one-off code")
	}
	codes, _, err := c.LockCodes.List(ctx, smarthome.LockCodeListOptions{HubID: s.hub.ID})
	must(t, err)
	if len(codes) != 1 || codes[0].CodeType != "MLS Code" || codes[0].Name != "MLS agent" || codes[0].Code != pin {
		t.Errorf("lock codes %+v, want the one MLS code", codes)
	}

	tests := []struct {
		name    string
		serial  string
		prepare func()
		target  error
		msg     string
	}{
		{"unknown serial", "99999", nil, smarthome.ErrNotFound, "Hub not found"},
		{"other company's hub", "95001", nil, smarthome.ErrNotFound, "Hub not found"},
		{"offline hub", serial, func() { must(t, e.sim.SetHubOnline(s.hub.ID, false)) }, smarthome.ErrRejected,
			"Sorry, code could not be generated for " + serial},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.prepare != nil {
				tt.prepare()
			}
			pin, _, err := c.Unlocks.HubUnlock(ctx, smarthome.HubUnlockRequest{Serial: tt.serial})
			checkErr(t, err, tt.target, tt.msg)
			if pin != "" {
				t.Error("a code next to the error")
			}
		})
	}
	t.Run("serial missing", func(t *testing.T) {
		before := c.rec.total()
		_, _, err := c.Unlocks.HubUnlock(ctx, smarthome.HubUnlockRequest{Name: "x"})
		checkLocal(t, c, before, err)
		e.wantRaw(e.token(c), "POST", "/api/hubs/mls_unlock", smarthome.HubUnlockRequest{Name: "x"}, 422, "serial is required")
	})
}

func TestContractLockboxUnlock(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	token := e.token(c)
	box, loc := e.lockbox("lockbox")
	blue, _ := e.lockbox("blue")
	bolt, _ := e.lockbox("smart_bolt")
	now := e.sim.Now()
	tests := []struct {
		name   string
		req    smarthome.LockboxUnlockRequest
		local  bool
		target error // nil: a code
		msg    string
	}{
		{"lockbox for today", smarthome.NewLockboxUnlock(box, now, loc), false, nil, ""},
		{"Blue lock for an afternoon", smarthome.NewBlueLockUnlock(blue, now.Add(time.Hour), now.Add(5*time.Hour)), false, nil, ""},
		{"Smart Bolt one-time", smarthome.NewSmartBoltUnlock(bolt, now.Add(time.Hour)), false, nil, ""},
		{"Blue lock without end", smarthome.NewSmartBoltUnlock(blue, now.Add(time.Hour)), false, smarthome.ErrValidation,
			"End Time is required in epoch format"},
		{"lockbox date for a Blue lock", smarthome.NewLockboxUnlock(blue, now, loc), false, smarthome.ErrValidation,
			"Start Time is required in epoch format"},
		{"unknown serial", smarthome.NewLockboxUnlock("123", now, loc), false, smarthome.ErrNotFound, "Lock not found"},
		{"lockbox day already over", smarthome.NewLockboxUnlock(box, now.AddDate(0, 0, -2), loc), false, smarthome.ErrRejected,
			"Sorry, code could not be generated for " + box},
		{"Smart Bolt window over", smarthome.NewSmartBoltUnlock(bolt, now.Add(-4*time.Hour)), false, smarthome.ErrRejected,
			"Sorry, code could not be generated for " + bolt},
		{"Blue end before start", smarthome.NewBlueLockUnlock(blue, now.Add(5*time.Hour), now.Add(time.Hour)), true, nil,
			"End Time must be after Start Time"},
		{"lockbox date not a date", smarthome.LockboxUnlockRequest{Serial: box, Date: "06/16/2027"}, true, nil,
			"Date is required in YYYY-MM-DD format"},
		{"Blue start not epoch", smarthome.LockboxUnlockRequest{Serial: blue, StartTime: "soon", EndTime: "1"}, true, nil,
			"Start Time is required in epoch format"},
		{"serial missing", smarthome.LockboxUnlockRequest{Date: "2030-01-01"}, true, nil, "serial is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := c.rec.total()
			pin, _, err := c.Unlocks.LockboxUnlock(t.Context(), tt.req)
			switch {
			case tt.local:
				checkLocal(t, c, before, err)
				e.wantRaw(token, "POST", "/api/lockboxes/mls_unlock", tt.req, 422, tt.msg)
			case tt.target != nil:
				checkErr(t, err, tt.target, tt.msg)
			default:
				must(t, err)
				if !validPIN6(pin) {
					t.Errorf("code %q", pin.Reveal())
				}
			}
		})
	}
}

func TestContractUnlockV2(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	token := e.token(c)
	box, _ := e.lockbox("lockbox")
	blue, _ := e.lockbox("blue")
	bolt, _ := e.lockbox("smart_bolt")
	now := e.sim.Now()
	tests := []struct {
		name   string
		req    smarthome.UnlockV2Request
		target error // nil: a code
		msg    string
	}{
		{"lockbox, one day", smarthome.UnlockV2Request{Serial: box, Start: now, Name: "Agent", Phone: "+15125550100"}, nil, ""},
		{"Blue, a period", smarthome.UnlockV2Request{Serial: blue, Start: now, End: now.Add(3 * time.Hour)}, nil, ""},
		{"Blue, to the end of the day", smarthome.UnlockV2Request{Serial: blue, Start: now}, nil, ""},
		{"Smart Bolt", smarthome.UnlockV2Request{Serial: bolt, Start: now.Add(time.Hour)}, nil, ""},
		{"unknown serial", smarthome.UnlockV2Request{Serial: "123", Start: now}, smarthome.ErrNotFound, "Lock not found"},
		{"window already over", smarthome.UnlockV2Request{Serial: blue, Start: now.Add(-5 * time.Hour), End: now.Add(-time.Hour)},
			smarthome.ErrRejected, "Sorry, code could not be generated for " + blue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pin, _, err := c.Unlocks.UnlockV2(t.Context(), tt.req)
			if tt.target != nil {
				checkErr(t, err, tt.target, tt.msg)
				return
			}
			must(t, err)
			if !validPIN6(pin) {
				t.Errorf("code %q", pin.Reveal())
			}
		})
	}
	local := []struct {
		name string
		req  smarthome.UnlockV2Request
		raw  any
		msg  string
	}{
		{"start time missing", smarthome.UnlockV2Request{Serial: blue}, map[string]any{"serial": blue},
			"Start Time is required in epoch format"},
		{"end before start", smarthome.UnlockV2Request{Serial: blue, Start: now.Add(time.Hour), End: now},
			smarthome.UnlockV2Request{Serial: blue, Start: now.Add(time.Hour), End: now}, "End Time must be after Start Time"},
		{"serial missing", smarthome.UnlockV2Request{Start: now}, smarthome.UnlockV2Request{Start: now}, "serial is required"},
	}
	for _, tt := range local {
		t.Run(tt.name, func(t *testing.T) {
			before := c.rec.total()
			_, _, err := c.Unlocks.UnlockV2(t.Context(), tt.req)
			checkLocal(t, c, before, err)
			e.wantRaw(token, "POST", "/api/v2/mls_unlock", tt.raw, 422, tt.msg)
		})
	}
	t.Run("start time not epoch", func(t *testing.T) {
		e.wantRaw(token, "POST", "/api/v2/mls_unlock", map[string]any{"serial": blue, "start_time": "tomorrow"}, 422,
			"Start Time is required in epoch format")
	})
	t.Run("no token", func(t *testing.T) {
		e.wantRaw("", "POST", "/api/v2/mls_unlock", map[string]any{"serial": blue, "start_time": now.Unix()}, 401,
			"Authorization token is missing")
	})
}
