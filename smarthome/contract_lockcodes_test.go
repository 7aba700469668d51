package smarthome_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

func clock(h, m int) smarthome.TimeOfDay { return smarthome.TimeOfDay{Hour: h, Minute: m} }

func deviceIDs(lc *smarthome.LockCode) []string {
	var ids []string
	for _, d := range lc.Devices {
		ids = append(ids, d.DeviceID)
	}
	slices.Sort(ids)
	return ids
}

func TestContractLockCodeCreate(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	a, b := e.site(c, 101), e.site(c, 102)
	lockA, lockB := a.first(t, "lock").ID, b.first(t, "lock").ID
	now := a.localNow(e)
	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }

	period := smarthome.LockCodeRequest{Name: "Jane Doe", Code: "48291375", DeviceID: lockA}
	period.SetSpecificPeriod(now.Add(time.Hour), now.AddDate(0, 0, 3), a.loc)
	weekly := smarthome.LockCodeRequest{Name: "Cleaner", Code: "5150", HubID: a.hub.ID}
	weekly.SetDayOfWeek(smarthome.DayOfWeekEntry(time.Monday, clock(9, 0), clock(17, 0)),
		smarthome.DayOfWeekEntry(time.Saturday, clock(10, 0), clock(12, 30)))
	daily := smarthome.LockCodeRequest{Name: "Dog walker", Code: "707070", PropertyID: 102}
	daily.SetDailyRepeating(smarthome.DailyEntry([]time.Weekday{time.Monday, time.Wednesday, time.Friday}, clock(8, 0), clock(18, 0)))
	never := smarthome.LockCodeRequest{Name: "Owner", Code: "31415926", DeviceIDs: []string{lockA, lockB}, CodeType: smarthome.CodeTypeVacancy}
	never.SetNeverExpires()

	tests := []struct {
		name     string
		req      smarthome.LockCodeRequest
		devices  []string
		property int64
		codeType string
	}{
		{"specific period on a device", period, []string{lockA}, 101, "Guest Code"},
		{"by day of week on a hub", weekly, []string{lockA}, 101, "Guest Code"},
		{"daily repeating on a property", daily, []string{lockB}, 102, "Guest Code"},
		{"never expires vacancy code on two devices", never, sorted(lockA, lockB), 101, smarthome.CodeTypeVacancy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lc, resp, err := c.LockCodes.Create(t.Context(), tt.req)
			must(t, err)
			r := tt.req
			if resp.StatusCode != http.StatusCreated || lc.ID == "" || lc.Name != r.Name || lc.Code != r.Code ||
				lc.ValidityType != r.ValidityType || lc.FromDate != r.FromDate || lc.ToDate != r.ToDate ||
				lc.CodeType != tt.codeType || lc.PropertyID == nil || *lc.PropertyID != tt.property ||
				!lc.CreatedAt.Equal(e.sim.Now()) {
				t.Errorf("created %d %+v", resp.StatusCode, lc)
			}
			if len(lc.ScheduleDetailsInfo) != len(r.ScheduleDetailsInfo) {
				t.Fatalf("schedule %+v, want %+v", lc.ScheduleDetailsInfo, r.ScheduleDetailsInfo)
			}
			for i, got := range lc.ScheduleDetailsInfo {
				want := r.ScheduleDetailsInfo[i]
				if got.From != want.From || got.To != want.To || !slices.Equal(got.Weekdays, want.Weekdays) ||
					(got.Day == nil) != (want.Day == nil) || (got.Day != nil && *got.Day != *want.Day) {
					t.Errorf("schedule entry %d: %+v, want %+v", i, got, want)
				}
			}
			if ids := deviceIDs(lc); !slices.Equal(ids, tt.devices) {
				t.Errorf("devices %v, want %v", ids, tt.devices)
			}
			for _, d := range lc.Devices {
				if d.Status != smarthome.CodeSetting || d.Slot != nil || d.Error != "" {
					t.Errorf("device %+v, want setting without a slot", d)
				}
			}
		})
	}
}

// TestContractLockCodeRules walks the create route's 422 list (CONTRACT.md, Lock codes): the client refuses each
// before sending, and the simulator refuses the same body sent raw.
func TestContractLockCodeRules(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	token := e.token(c)
	s := e.site(c, 101)
	lock := s.first(t, "lock").ID
	now := s.localNow(e)
	valid := func() smarthome.LockCodeRequest {
		r := smarthome.LockCodeRequest{Name: "Guest", Code: "246813", DeviceID: lock}
		r.SetSpecificPeriod(now, now.Add(48*time.Hour), s.loc)
		return r
	}
	weekly := func(entries ...smarthome.ScheduleEntry) func(*smarthome.LockCodeRequest) {
		return func(r *smarthome.LockCodeRequest) { r.SetDayOfWeek(entries...) }
	}
	dailyOn := func(wd ...string) func(*smarthome.LockCodeRequest) {
		return func(r *smarthome.LockCodeRequest) {
			r.SetDailyRepeating(smarthome.ScheduleEntry{Weekdays: wd, From: "08:00", To: "09:00"})
		}
	}
	tests := []struct {
		name   string
		change func(r *smarthome.LockCodeRequest)
		msg    string // the simulator's 422
	}{
		{"code too short", func(r *smarthome.LockCodeRequest) { r.Code = "123" }, "code must be 4 to 8 digits"},
		{"code too long", func(r *smarthome.LockCodeRequest) { r.Code = "123456789" }, "code must be 4 to 8 digits"},
		{"code not digits", func(r *smarthome.LockCodeRequest) { r.Code = "12ab" }, "code must be 4 to 8 digits"},
		{"name missing", func(r *smarthome.LockCodeRequest) { r.Name = "" }, "name is required"},
		{"name too long", func(r *smarthome.LockCodeRequest) { r.Name = strings.Repeat("n", 65) }, "at most 64 characters"},
		{"no lock targeted", func(r *smarthome.LockCodeRequest) { r.DeviceID = "" }, "No lock targeted"},
		{"unknown validity type", func(r *smarthome.LockCodeRequest) { r.ValidityType = "Sometimes" }, "validity_type must be one of"},
		{"period without to_date", func(r *smarthome.LockCodeRequest) { r.ToDate = "" }, "from_date and to_date are required"},
		{"period time with a colon", func(r *smarthome.LockCodeRequest) { r.FromDate = r.FromDate[:10] + " 10:00" },
			"from_date must be in YYYY-MM-DD HH-MM format"},
		{"period from not before to", func(r *smarthome.LockCodeRequest) { r.FromDate, r.ToDate = r.ToDate, r.FromDate },
			"from_date must be before to_date"},
		{"weekly without entries", weekly(), "schedule_details_info is required"},
		{"weekly day 7", weekly(smarthome.ScheduleEntry{Day: smarthome.Ptr(7), From: "09:00", To: "10:00"}), "d must be a day number 0..6"},
		{"weekly f after t", weekly(smarthome.DayOfWeekEntry(time.Friday, clock(18, 0), clock(9, 0))), "from must be before to"},
		{"weekly time not HH:MM", weekly(smarthome.ScheduleEntry{Day: smarthome.Ptr(1), From: "9:00", To: "10:00"}), "times must be HH:MM"},
		{"daily day 7", dailyOn("1", "7"), `wd must list week days "0".."6"`},
		{"daily day as a name", dailyOn("Mon"), `wd must list week days "0".."6"`},
		{"daily without days", dailyOn(), `wd must list week days "0".."6"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := valid()
			tt.change(&r)
			before := c.rec.total()
			lc, _, err := c.LockCodes.Create(t.Context(), r)
			checkLocal(t, c, before, err)
			if lc != nil {
				t.Errorf("lock code %v next to the error", lc)
			}
			if pin := r.Code.Reveal(); len(pin) >= 4 && strings.Contains(err.Error(), pin) {
				t.Errorf("the PIN is in the error text %q", err)
			}
			e.wantRaw(token, "POST", "/api/lock_codes", r, 422, tt.msg)
		})
	}

	foreignHub, foreignLock := e.foreign()
	server := []struct {
		name   string
		client *apiClient
		change func(r *smarthome.LockCodeRequest)
		target error
		msg    string
	}{
		{"unknown device", c, func(r *smarthome.LockCodeRequest) { r.DeviceID = "no-such-device" }, smarthome.ErrNotFound, "Device not found"},
		{"unknown hub", c, func(r *smarthome.LockCodeRequest) { r.DeviceID, r.HubID = "", "no-such-hub" }, smarthome.ErrNotFound, "Hub not found"},
		{"unknown property", c, func(r *smarthome.LockCodeRequest) { r.DeviceID, r.PropertyID = "", 9999 }, smarthome.ErrNotFound, "Property not found"},
		{"not a lock", c, func(r *smarthome.LockCodeRequest) { r.DeviceID = s.first(t, "thermostat").ID }, smarthome.ErrValidation, "is not a lock"},
		{"other company's lock", c, func(r *smarthome.LockCodeRequest) { r.DeviceID = foreignLock }, smarthome.ErrForbidden, "do not have access"},
		{"other company's hub", c, func(r *smarthome.LockCodeRequest) { r.DeviceID, r.HubID = "", foreignHub },
			smarthome.ErrForbidden, "do not have access"},
		{"resident", e.resident(), func(*smarthome.LockCodeRequest) {}, smarthome.ErrForbidden, "only available to agents"},
		{"blank name", c, func(r *smarthome.LockCodeRequest) { r.Name = "   " }, smarthome.ErrValidation, "name is required"},
	}
	for _, tt := range server {
		t.Run(tt.name, func(t *testing.T) {
			r := valid()
			tt.change(&r)
			_, _, err := tt.client.LockCodes.Create(t.Context(), r)
			checkErr(t, err, tt.target, tt.msg)
		})
	}
	t.Run("same PIN twice on a lock", func(t *testing.T) {
		_, _, err := c.LockCodes.Create(t.Context(), valid())
		must(t, err)
		again := valid()
		again.Name = "Someone else"
		_, _, err = c.LockCodes.Create(t.Context(), again)
		checkErr(t, err, smarthome.ErrConflict, "already in use")
		if strings.Contains(err.Error(), again.Code.Reveal()) {
			t.Error("the PIN is in the error text")
		}
	})
}

// TestContractLockCodeTargetsAndExtras: several targets, and fields a validity type does not use, are refused by the
// client before sending (LockCodeRequest.Validate, smarthome/lockcode_request.go) and by the simulator with 422
// (CONTRACT.md, Lock codes), rather than unioned or silently dropped.
func TestContractLockCodeTargetsAndExtras(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	token := e.token(c)
	s := e.site(c, 101)
	lock := s.first(t, "lock").ID
	entry := smarthome.DayOfWeekEntry(time.Monday, clock(9, 0), clock(10, 0))
	daily := smarthome.DailyEntry([]time.Weekday{time.Monday}, clock(9, 0), clock(10, 0))
	const (
		oneTarget = "Give only one of device_id, device_ids, hub_id and property_id"
		noDates   = "from_date and to_date are only allowed for Specific Period"
		noSched   = "schedule_details_info is only allowed for By Day of Week and Daily Repeating"
	)
	tests := []struct {
		name string
		req  smarthome.LockCodeRequest
		msg  string
	}{
		{"device and hub", smarthome.LockCodeRequest{DeviceID: lock, HubID: s.hub.ID, ValidityType: smarthome.ValidityNeverExpires}, oneTarget},
		{"device and property", smarthome.LockCodeRequest{DeviceID: lock, PropertyID: 101, ValidityType: smarthome.ValidityNeverExpires}, oneTarget},
		{"device_ids and hub", smarthome.LockCodeRequest{DeviceIDs: []string{lock}, HubID: s.hub.ID,
			ValidityType: smarthome.ValidityNeverExpires}, oneTarget},
		{"never expires with dates", smarthome.LockCodeRequest{DeviceID: lock, ValidityType: smarthome.ValidityNeverExpires,
			FromDate: "2030-01-01 10-00", ToDate: "2030-01-02 10-00"}, noDates},
		{"specific period with a schedule", smarthome.LockCodeRequest{DeviceID: lock, ValidityType: smarthome.ValiditySpecificPeriod,
			FromDate: "2030-01-01 10-00", ToDate: "2030-01-02 10-00", ScheduleDetailsInfo: []smarthome.ScheduleEntry{entry}}, noSched},
		{"never expires with a schedule", smarthome.LockCodeRequest{DeviceID: lock, ValidityType: smarthome.ValidityNeverExpires,
			ScheduleDetailsInfo: []smarthome.ScheduleEntry{entry}}, noSched},
		{"daily repeating with dates", smarthome.LockCodeRequest{DeviceID: lock, ValidityType: smarthome.ValidityDailyRepeating,
			FromDate: "2030-01-01 10-00", ScheduleDetailsInfo: []smarthome.ScheduleEntry{daily}}, noDates},
		{"by day of week with dates", smarthome.LockCodeRequest{DeviceID: lock, ValidityType: smarthome.ValidityDayOfWeek,
			FromDate: "2030-01-01 10-00", ToDate: "2030-01-02 10-00", ScheduleDetailsInfo: []smarthome.ScheduleEntry{entry}}, noDates},
		{"by day of week entry with wd", smarthome.LockCodeRequest{DeviceID: lock, ValidityType: smarthome.ValidityDayOfWeek,
			ScheduleDetailsInfo: []smarthome.ScheduleEntry{{Day: smarthome.Ptr(1), Weekdays: []string{"2"}, From: "09:00", To: "10:00"}}},
			"a By Day of Week entry takes d, not wd"},
		{"by day of week entry with only wd", smarthome.LockCodeRequest{DeviceID: lock, ValidityType: smarthome.ValidityDayOfWeek,
			ScheduleDetailsInfo: []smarthome.ScheduleEntry{daily}}, "a By Day of Week entry takes d, not wd"},
		{"daily entry with d", smarthome.LockCodeRequest{DeviceID: lock, ValidityType: smarthome.ValidityDailyRepeating,
			ScheduleDetailsInfo: []smarthome.ScheduleEntry{{Day: smarthome.Ptr(1), Weekdays: daily.Weekdays, From: "09:00", To: "10:00"}}},
			"a Daily Repeating entry takes wd, not d"},
		{"daily entry with only d", smarthome.LockCodeRequest{DeviceID: lock, ValidityType: smarthome.ValidityDailyRepeating,
			ScheduleDetailsInfo: []smarthome.ScheduleEntry{entry}}, "a Daily Repeating entry takes wd, not d"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.req
			r.Name, r.Code = "Guest", smarthome.PIN(fmt.Sprintf("8642%02d", i))
			before := c.rec.total()
			_, _, err := c.LockCodes.Create(t.Context(), r)
			checkLocal(t, c, before, err)
			e.wantRaw(token, "POST", "/api/lock_codes", r, 422, tt.msg)
		})
	}
}
