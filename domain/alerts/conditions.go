package alerts

import (
	"encoding/json"
	"strconv"

	"github.com/keyless/dashboard/db"
)

// condition is one alert kind a device's state shows, with the detail its record carries.
type condition struct {
	kind   string
	detail string
}

// alarmDetail is the detail of each alarm kind.
var alarmDetail = map[string]string{
	db.AlertLeak:   "Water leak detected",
	db.AlertSmoke:  "Smoke detected",
	db.AlertTamper: "Tampered with",
	db.AlertJammed: "Lock jammed",
}

func findCondition(cs []condition, kind string) (condition, bool) {
	for _, c := range cs {
		if c.kind == kind {
			return c, true
		}
	}
	return condition{}, false
}

func batteryConditions(percent int, lim Limits) []condition {
	if percent >= lim.LowBatteryPercent {
		return nil
	}
	return []condition{{db.AlertLowBattery, "Battery " + strconv.Itoa(percent) + "% (below " +
		strconv.Itoa(lim.LowBatteryPercent) + "%)"}}
}

func temperatureConditions(f int, lim Limits) []condition {
	switch {
	case f > lim.TempHighF:
		return []condition{{db.AlertTemperatureHigh, "Room " + strconv.Itoa(f) + " °F (above " + strconv.Itoa(lim.TempHighF) + " °F)"}}
	case f < lim.TempLowF:
		return []condition{{db.AlertTemperatureLow, "Room " + strconv.Itoa(f) + " °F (below " + strconv.Itoa(lim.TempLowF) + " °F)"}}
	}
	return nil
}

// deviceConditions are the conditions a mirrored device shows now. known lists the kinds the state can speak
// for: the mirror keeps one alarm per device (leak over smoke over jam over tamper), so a device showing one alarm
// says nothing about the others, and a thermostat without a room temperature nothing about temperature.
func deviceConditions(d db.Device, lim Limits) (found []condition, known []string) {
	if d.Alert != "" {
		found = append(found, condition{d.Alert, alarmDetail[d.Alert]})
		known = append(known, d.Alert)
	} else {
		known = append(known, db.AlertLeak, db.AlertSmoke, db.AlertTamper, db.AlertJammed)
	}
	known = append(known, db.AlertLowBattery)
	if d.Battery != nil {
		found = append(found, batteryConditions(*d.Battery, lim)...)
	}
	if f, ok := roomTemp(d.State); ok {
		found = append(found, temperatureConditions(f, lim)...)
		known = append(known, db.AlertTemperatureHigh, db.AlertTemperatureLow)
	}
	return found, known
}

// roomTemp reads a thermostat's room_temp (°F) from its status JSON.
func roomTemp(state string) (int, bool) {
	if state == "" {
		return 0, false
	}
	var st struct {
		RoomTemp *json.Number `json:"room_temp"`
	}
	if json.Unmarshal([]byte(state), &st) != nil || st.RoomTemp == nil {
		return 0, false
	}
	f, err := st.RoomTemp.Float64()
	if err != nil {
		return 0, false
	}
	return int(f), true
}
