package simulator

import (
	"testing"
	"time"
)

func TestScheduleValidation(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	tests := []struct {
		name, body string
		want       int
	}{
		{"thermostat", `{"name":"Winter","device_type":"thermostat","blocks":[{"days":[1,2,3,4,5],"from":"07:00","to":"22:00","mode":"heat","heating_setpoint":68}]}`, 201},
		{"switch", `{"name":"Porch","device_type":"switch","property_id":101,"blocks":[{"days":[0,6],"from":"18:00","to":"23:00","mode":"on"}]}`, 201},
		{"dimmer", `{"name":"Dim","device_type":"dimmable_switch","blocks":[{"days":[0],"from":"18:00","to":"23:00","mode":"on","power":30}]}`, 201},
		{"no name", `{"device_type":"switch","blocks":[{"days":[0],"from":"18:00","to":"23:00","mode":"on"}]}`, 422},
		{"lock schedules unsupported", `{"name":"x","device_type":"lock","blocks":[{"days":[0],"from":"18:00","to":"23:00","mode":"lock"}]}`, 422},
		{"no blocks", `{"name":"x","device_type":"switch","blocks":[]}`, 422},
		{"day 7", `{"name":"x","device_type":"switch","blocks":[{"days":[7],"from":"18:00","to":"23:00","mode":"on"}]}`, 422},
		{"from after to", `{"name":"x","device_type":"switch","blocks":[{"days":[1],"from":"23:00","to":"18:00","mode":"on"}]}`, 422},
		{"overlap", `{"name":"x","device_type":"switch","blocks":[{"days":[1],"from":"08:00","to":"12:00","mode":"on"},{"days":[1,2],"from":"11:00","to":"13:00","mode":"off"}]}`, 422},
		{"adjacent is fine", `{"name":"x","device_type":"switch","blocks":[{"days":[1],"from":"08:00","to":"12:00","mode":"on"},{"days":[1],"from":"12:00","to":"13:00","mode":"off"}]}`, 201},
		{"bad mode", `{"name":"x","device_type":"switch","blocks":[{"days":[1],"from":"08:00","to":"12:00","mode":"dim"}]}`, 422},
		{"setpoint on a switch", `{"name":"x","device_type":"switch","blocks":[{"days":[1],"from":"08:00","to":"12:00","mode":"on","heating_setpoint":68}]}`, 422},
		{"setpoints too close", `{"name":"x","device_type":"thermostat","blocks":[{"days":[1],"from":"08:00","to":"12:00","mode":"auto","heating_setpoint":70,"cooling_setpoint":72}]}`, 422},
		{"power out of range", `{"name":"x","device_type":"dimmable_switch","blocks":[{"days":[1],"from":"08:00","to":"12:00","mode":"on","power":101}]}`, 422},
		{"unknown property", `{"name":"x","device_type":"switch","property_id":99999,"blocks":[{"days":[1],"from":"08:00","to":"12:00","mode":"on"}]}`, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, b := e.do("POST", "/api/schedules", agent, tt.body); status != tt.want {
				t.Errorf("status %d, want %d: %s", status, tt.want, b)
			}
		})
	}
}

func TestScheduleRunsInHubZone(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	thermo := e.firstOf("thermostat") // property 101: America/New_York; testStart is 11:00 EDT on a Tuesday
	var sc scheduleJSON
	e.call("POST", "/api/schedules", agent, `{"name":"Weekdays","device_type":"thermostat","blocks":[
		{"days":[2],"from":"12:00","to":"18:00","mode":"heat","heating_setpoint":70},
		{"days":[2],"from":"18:00","to":"23:00","mode":"cool","cooling_setpoint":78}]}`, 201, &sc)
	e.call("PUT", "/api/devices/"+thermo.ID+"/schedules/"+sc.ID+"/activate", agent, nil, 200, nil)

	var mine struct {
		Schedules []scheduleJSON `json:"schedules"`
		Active    *string        `json:"active_schedule_id"`
	}
	e.call("GET", "/api/devices/"+thermo.ID+"/schedules", agent, nil, 200, &mine)
	if mine.Active == nil || *mine.Active != sc.ID || len(mine.Schedules) != 1 {
		t.Fatalf("device schedules %+v", mine)
	}
	var dev map[string]any
	e.call("GET", "/api/devices/"+thermo.ID, agent, nil, 200, &dev)
	if dev["status"].(map[string]any)["schedule_id"] != sc.ID || dev["settings"].(map[string]any)["schedule"] == nil {
		t.Errorf("device after activation %v %v", dev["status"], dev["settings"])
	}

	e.advance(59 * time.Minute) // 11:59 local: nothing yet
	if ev := e.events("thermostat_mode_changed"); len(ev) != 0 {
		t.Fatalf("block applied early: %v", ev)
	}
	e.advance(time.Minute) // 12:00 local
	if ev := e.events("thermostat_mode_changed"); len(ev) != 1 || ev[0]["details"] != "heat" ||
		int64(ev[0]["activity_time"].(float64)) != testStart.Add(time.Hour).UnixMilli() {
		t.Fatalf("at 12:00 local: %v", ev)
	}
	if ev := e.events("heating_setpoint_changed"); len(ev) != 1 || ev[0]["details"] != float64(70) {
		t.Errorf("setpoint %v", ev)
	}
	e.advance(6 * time.Hour) // 18:00 local
	if ev := e.events("thermostat_mode_changed"); len(ev) != 2 || ev[1]["details"] != "cool" {
		t.Errorf("at 18:00 local: %v", ev)
	}

	agent = e.installer()
	e.call("PUT", "/api/devices/"+e.firstOf("lock").ID+"/schedules/"+sc.ID+"/activate", agent, nil, 422, nil)
	e.call("POST", "/api/schedules/"+sc.ID+"/activate", agent, `{}`, 422, nil)
	e.call("POST", "/api/schedules/"+sc.ID+"/activate", agent, `{"device_id":"`+thermo.ID+`"}`, 200, nil)
	e.call("PUT", "/api/schedules/"+sc.ID, agent, `{"device_type":"switch"}`, 422, nil)
	e.call("PUT", "/api/schedules/"+sc.ID, agent, `{"name":"Renamed"}`, 200, nil)
	e.call("DELETE", "/api/schedules/"+sc.ID, agent, nil, 200, nil)
	e.call("GET", "/api/devices/"+thermo.ID+"/schedules", agent, nil, 200, &mine)
	if mine.Active != nil {
		t.Errorf("active schedule after delete: %v", *mine.Active)
	}
	e.call("DELETE", "/api/schedules/"+sc.ID, agent, nil, 404, nil)
}

func TestLatestBlockStart(t *testing.T) {
	t.Parallel()
	loc := (&zoneCache{}).get("America/Phoenix")
	mode := "on"
	blocks := []scheduleBlock{{Days: []int{1, 3}, From: "08:00", To: "09:00", Mode: &mode}}
	monday8 := time.Date(2026, 3, 9, 8, 0, 0, 0, loc)
	tests := []struct {
		name      string
		last, now time.Time
		want      time.Time
	}{
		{"exact start", monday8.Add(-time.Second), monday8, monday8},
		{"start excluded when equal to last", monday8, monday8.Add(time.Hour), time.Time{}},
		{"latest of several", monday8.Add(-time.Hour), monday8.AddDate(0, 0, 2).Add(time.Hour), monday8.AddDate(0, 0, 2)},
		{"long jump looks back eight days only", monday8.AddDate(0, 0, -60), monday8, monday8},
		{"no block day", monday8.Add(time.Hour), monday8.Add(20 * time.Hour), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, at, found := latestBlockStart(blocks, loc, tt.last, tt.now)
			if found != !tt.want.IsZero() || (found && !at.Equal(tt.want)) {
				t.Errorf("got %v %v, want %v", at, found, tt.want)
			}
		})
	}
}
