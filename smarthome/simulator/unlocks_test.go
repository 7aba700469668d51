package simulator

import (
	"fmt"
	"strconv"
	"testing"
	"time"
)

func TestHubUnlock(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	var online, offline int64
	e.with(func(st *state) {
		for _, h := range st.idx().sortedHubs {
			if h.PropertyID != 0 && h.Online && online == 0 {
				online = h.Serial
			}
		}
		h := st.idx().hubBySerial[30002]
		h.Online, offline = false, h.Serial
	})
	tests := []struct {
		name    string
		token   string
		body    string
		want    int
		success bool
		message string
	}{
		{"string serial", agent, fmt.Sprintf(`{"serial":"%d","name":"Agent Smith","phone":"5125550100"}`, online), 200, true, ""},
		{"numeric serial", agent, fmt.Sprintf(`{"serial":%d}`, online), 200, true, ""},
		{"missing serial", agent, `{"name":"x"}`, 422, false, "serial is required"},
		{"unknown serial", agent, `{"serial":"1"}`, 404, false, "Hub not found"},
		{"offline hub", agent, fmt.Sprintf(`{"serial":"%d"}`, offline), 200, false, fmt.Sprintf("Sorry, code could not be generated for %d", offline)},
		{"resident", e.resident(), fmt.Sprintf(`{"serial":"%d"}`, online), 403, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.do("POST", "/api/hubs/mls_unlock", tt.token, tt.body)
			m := decode(t, body)
			if status != tt.want || m["success"] != tt.success || (tt.message != "" && m["message"] != tt.message) {
				t.Fatalf("status %d body %s, want %d success=%v %q", status, body, tt.want, tt.success, tt.message)
			}
			if tt.success {
				if code, _ := m["code"].(string); len(code) != 6 || !validCode(code) {
					t.Errorf("code %v", m["code"])
				}
			}
		})
	}
	e.advance(DefaultCommandDelay)
	if added := e.events("lock_code_added"); len(added) == 0 || added[0]["User"] != "Agent Smith" {
		t.Errorf("the MLS code did not reach the hub's locks: %v", added)
	}
}

func TestLockboxUnlock(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	e.with(func(st *state) {
		for serial, kind := range map[string]string{"800001": "lockbox", "800002": "blue", "800003": "smart_bolt"} {
			st.Lockboxes[serial] = &lockbox{Serial: serial, Kind: kind, PropertyID: 101, TimeZone: "America/Chicago"}
		}
	})
	start := strconv.FormatInt(testStart.Add(time.Hour).Unix(), 10)
	end := strconv.FormatInt(testStart.Add(5*time.Hour).Unix(), 10)
	past := strconv.FormatInt(testStart.Add(-5*time.Hour).Unix(), 10)
	v1 := "/api/lockboxes/mls_unlock"
	v2 := "/api/v2/mls_unlock"
	tests := []struct {
		name, path, body string
		want             int
		success          bool
		message          string
	}{
		{"v1 lockbox", v1, `{"serial":"800001","name":"A","phone":"1","date":"2026-03-10"}`, 200, true, ""},
		{"v1 lockbox without date", v1, `{"serial":"800001"}`, 422, false, "Date is required in YYYY-MM-DD format"},
		{"v1 lockbox bad date", v1, `{"serial":"800001","date":"03/10/2026"}`, 422, false, "Date is required in YYYY-MM-DD format"},
		{"v1 lockbox past date", v1, `{"serial":"800001","date":"2026-03-01"}`, 200, false, "Sorry, code could not be generated for 800001"},
		{"v1 blue", v1, `{"serial":"800002","starttime":"` + start + `","endtime":"` + end + `"}`, 200, true, ""},
		{"v1 blue without starttime", v1, `{"serial":"800002","endtime":"` + end + `"}`, 422, false, msgStartEpoch},
		{"v1 blue without endtime", v1, `{"serial":"800002","starttime":"` + start + `"}`, 422, false, msgEndEpoch},
		{"v1 blue end before start", v1, `{"serial":"800002","starttime":"` + end + `","endtime":"` + start + `"}`, 422, false, msgEndOrder},
		{"v1 smart bolt", v1, `{"serial":"800003","starttime":"` + start + `"}`, 200, true, ""},
		{"v1 smart bolt window over", v1, `{"serial":"800003","starttime":"` + past + `"}`, 200, false, "Sorry, code could not be generated for 800003"},
		{"v1 unknown", v1, `{"serial":"1","date":"2026-03-10"}`, 404, false, "Lock not found"},
		{"v2 lockbox", v2, `{"serial":"800001","start_time":` + start + `}`, 200, true, ""},
		{"v2 missing start_time", v2, `{"serial":"800001"}`, 422, false, msgStartEpoch},
		{"v2 start_time not epoch", v2, `{"serial":"800002","start_time":"2026-03-10"}`, 422, false, msgStartEpoch},
		{"v2 blue default end of day", v2, `{"serial":"800002","start_time":"` + start + `"}`, 200, true, ""},
		{"v2 blue end before start", v2, `{"serial":"800002","start_time":` + end + `,"end_time":` + start + `}`, 422, false, msgEndOrder},
		{"v2 blue bad end", v2, `{"serial":"800002","start_time":` + start + `,"end_time":"soon"}`, 422, false, msgEndEpoch},
		{"v2 smart bolt", v2, `{"serial":"800003","start_time":` + start + `,"name":"Tour"}`, 200, true, ""},
		{"v2 missing serial", v2, `{"start_time":` + start + `}`, 422, false, "serial is required"},
		{"v2 unknown", v2, `{"serial":"999","start_time":` + start + `}`, 404, false, "Lock not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.do("POST", tt.path, agent, tt.body)
			m := decode(t, body)
			if status != tt.want || m["success"] != tt.success || (tt.message != "" && m["message"] != tt.message) {
				t.Fatalf("status %d body %s, want %d success=%v %q", status, body, tt.want, tt.success, tt.message)
			}
			if tt.success && len(m["code"].(string)) != 6 {
				t.Errorf("code %v", m["code"])
			}
		})
	}
	e.call("POST", v2, e.resident(), `{"serial":"800001","start_time":`+start+`}`, 403, nil)
}
