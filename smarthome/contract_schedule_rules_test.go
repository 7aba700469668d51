package smarthome_test

import (
	"encoding/json"
	"slices"
	"strconv"
	"testing"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// TestContractScheduleRules: block rules (CONTRACT.md, Schedules) the client checks before sending are refused raw
// by the simulator too; the rest only the simulator can judge.
func TestContractScheduleRules(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	token := e.token(c)
	request := func(kind string, blocks ...smarthome.ScheduleBlock) smarthome.ScheduleRequest {
		return smarthome.ScheduleRequest{Name: smarthome.Ptr("Rules"), DeviceType: smarthome.Ptr(kind),
			PropertyID: smarthome.Ptr(int64(richSite)), Blocks: blocks}
	}
	on := func(from, to string) smarthome.ScheduleBlock {
		return smarthome.ScheduleBlock{Days: []int{1}, From: from, To: to, Mode: "on"}
	}
	tests := []struct {
		name  string
		req   smarthome.ScheduleRequest
		local bool
		msg   string
	}{
		{"overlapping blocks", request("switch", on("08:00", "10:00"), on("09:30", "11:00")), true, "blocks overlap on day 1"},
		{"day 7", request("switch", smarthome.ScheduleBlock{Days: []int{7}, From: "08:00", To: "09:00", Mode: "on"}), true, "days must list days 0..6"},
		{"no days", request("switch", smarthome.ScheduleBlock{From: "08:00", To: "09:00", Mode: "on"}), true, "days must list days 0..6"},
		{"from after to", request("switch", on("10:00", "09:00")), true, "from must be before to"},
		{"time not HH:MM", request("switch", on("8:00", "09:00")), true, "times must be HH:MM"},
		{"switch mode dim", request("switch", smarthome.ScheduleBlock{Days: []int{1}, From: "08:00", To: "09:00", Mode: "dim"}), true,
			"mode must be one of [on off]"},
		{"switch with power", request("switch", smarthome.ScheduleBlock{Days: []int{1}, From: "08:00", To: "09:00", Mode: "on",
			Power: smarthome.Ptr(50)}), true, "power is for dimmable_switch schedules only"},
		{"dimmer power 101", request("dimmable_switch", smarthome.ScheduleBlock{Days: []int{1}, From: "08:00", To: "09:00", Mode: "on",
			Power: smarthome.Ptr(101)}), true, "power must be between 0 and 100"},
		{"thermostat setpoint 95", request("thermostat", thermostatBlock("08:00", "09:00", 95)), true, "setpoints must be between 50 and 90"},
		{"thermostat heating above cooling-3", request("thermostat", smarthome.ScheduleBlock{Days: []int{1}, From: "08:00", To: "09:00",
			Mode: "auto", HeatingSetpoint: smarthome.Ptr(75), CoolingSetpoint: smarthome.Ptr(76)}), true, "at least 3 below cooling_setpoint"},
		{"lock schedule", request("lock", on("08:00", "09:00")), true, "device_type must be one of"},
		{"no blocks", request("switch"), true, "blocks must hold 1 to 100 blocks"},
		{"thermostat block with power", request("thermostat", smarthome.ScheduleBlock{Days: []int{1}, From: "08:00", To: "09:00",
			Mode: "heat", Power: smarthome.Ptr(10)}), false, "power is for dimmable_switch schedules only"},
		{"switch block with a setpoint", request("switch", smarthome.ScheduleBlock{Days: []int{1}, From: "08:00", To: "09:00",
			Mode: "on", HeatingSetpoint: smarthome.Ptr(70)}), false, "setpoints are for thermostat schedules only"},
		{"unknown property", smarthome.ScheduleRequest{Name: smarthome.Ptr("x"), DeviceType: smarthome.Ptr("switch"),
			PropertyID: smarthome.Ptr(int64(9999)), Blocks: []smarthome.ScheduleBlock{on("08:00", "09:00")}}, false, "Property not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := c.rec.total()
			_, _, err := c.Schedules.Create(t.Context(), tt.req)
			switch {
			case tt.local:
				checkLocal(t, c, before, err)
				e.wantRaw(token, "POST", "/api/schedules", tt.req, 422, tt.msg)
			case tt.msg == "Property not found":
				checkErr(t, err, smarthome.ErrNotFound, tt.msg)
			default:
				checkErr(t, err, smarthome.ErrValidation, tt.msg)
			}
		})
	}
}

// TestContractScheduleRequestStored: every field ScheduleRequest sends is one the simulator stores. Devices are not
// among them: CONTRACT.md (Schedules) attaches devices only through activate, so a new schedule has none.
func TestContractScheduleRequestStored(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	req := smarthome.ScheduleRequest{Name: smarthome.Ptr("Listed"), DeviceType: smarthome.Ptr("thermostat"),
		PropertyID: smarthome.Ptr(int64(richSite)), Blocks: []smarthome.ScheduleBlock{thermostatBlock("08:00", "09:00", 68)}}
	sc, _, err := c.Schedules.Create(t.Context(), req)
	must(t, err)
	if len(sc.DeviceIDs) != 0 {
		t.Errorf("new schedule has devices %v, want none until activate", sc.DeviceIDs)
	}
	var list []map[string]json.RawMessage
	page := e.rawObject(e.token(c), "/api/schedules?property_id="+strconv.Itoa(richSite))
	must(t, json.Unmarshal(page["schedules"], &list))
	i := slices.IndexFunc(list, func(o map[string]json.RawMessage) bool { return string(o["id"]) == strconv.Quote(sc.ID) })
	if i < 0 {
		t.Fatalf("schedule %s not listed", sc.ID)
	}
	wantStored(t, req, list[i])
}
