package simulator

import (
	"fmt"
	"testing"
	"time"
)

func TestGuessedRoutesSwitchOff(t *testing.T) {
	t.Parallel()
	e := start(t, Options{DisableGuessed: true})
	agent := e.installer()
	lock := e.firstOf("lock").ID
	for _, path := range []string{"/api/properties/101", "/api/lock_codes", "/api/reservations", "/api/schedules",
		"/api/v2/invitations", "/api/devices/" + lock + "/desired_activities?events=Lock"} {
		if status, _ := e.do("GET", path, agent, nil); status != 404 {
			t.Errorf("GET %s answers %d with guessed routes off", path, status)
		}
	}
	e.call("PUT", "/api/devices/"+lock, agent, `{"device_name":"x"}`, 422, nil)
	e.call("GET", "/api/hubs", agent, nil, 200, nil) // documented routes stay
	e.call("PUT", "/api/devices/"+lock, agent, `{"commands":{"mode":"lock"}}`, 200, nil)
}

func TestPropertyCRUD(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	body := `{"name":"Maple Court 12","street_address":"12 Maple Court","city":"Austin","state":"TX","zipcode":"78701","time_zone":"America/Chicago"}`
	var p propertyJSON
	e.call("POST", "/api/properties", agent, body, 201, &p)
	if p.ID != 113 || p.Address != "12 Maple Court, Austin, TX, 78701" || len(p.HubIDs) != 0 {
		t.Fatalf("created %+v", p)
	}
	path := fmt.Sprintf("/api/properties/%d", p.ID)
	tests := []struct {
		name, method, path, body string
		want                     int
	}{
		{"missing city", "POST", "/api/properties", `{"name":"x","street_address":"1 A St","state":"TX","zipcode":"1","time_zone":"America/Chicago"}`, 422},
		{"bad zone", "POST", "/api/properties", `{"name":"x","street_address":"1 A St","city":"c","state":"TX","zipcode":"1","time_zone":"Mars/Base"}`, 422},
		{"get", "GET", path, "", 200},
		{"update", "PUT", path, `{"name":"Maple Court 12B"}`, 200},
		{"update empty name", "PUT", path, `{"name":""}`, 422},
		{"resident cannot create", "POST", "/api/properties", body, 403},
		{"unknown", "GET", "/api/properties/99999", "", 404},
	}
	resident := e.resident()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok := agent
			if tt.name == "resident cannot create" {
				tok = resident
			}
			if status, b := e.do(tt.method, tt.path, tok, tt.body); status != tt.want {
				t.Errorf("status %d, want %d: %s", status, tt.want, b)
			}
		})
	}

	// Deleting a property unassigns its hubs and devices and removes its codes from the locks.
	lock := e.firstOf("lock")
	createCode(e, agent, lock.ID, "112233")
	e.advance(DefaultCommandDelay)
	e.call("DELETE", "/api/properties/101", agent, nil, 200, nil)
	e.advance(DefaultCommandDelay)
	var h map[string]any
	e.call("GET", "/api/hubs/"+lock.HubID, agent, nil, 200, &h)
	if h["property_id"] != nil {
		t.Errorf("hub still at property %v", h["property_id"])
	}
	codes, _ := lockStatus(e, agent, lock.ID)
	for _, pin := range codes {
		if pin != nil {
			t.Errorf("code left on the lock of a deleted property: %v", codes)
		}
	}
	e.call("GET", "/api/properties/101", agent, nil, 404, nil)
}

func TestHubGuessedRoutes(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent, leasing := e.installer(), e.leasing()
	hub := e.firstOf("lock").HubID

	var d hubDetailJSON
	e.call("PUT", "/api/hubs/"+hub, agent, `{"home_name":"Renamed","settings":{"time_zone":"America/Denver"}}`, 200, &d)
	if d.HomeName != "Renamed" || d.TimeZone != "America/Denver" || d.Settings.TimeZone != "America/Denver" {
		t.Errorf("updated hub %+v", d.hubCommonJSON)
	}
	e.call("PUT", "/api/hubs/"+hub, agent, `{"settings":{"time_zone":"Nowhere"}}`, 422, nil)

	var reset struct {
		Success    bool   `json:"success"`
		MasterCode string `json:"master_code"`
	}
	e.call("PUT", "/api/hubs/"+hub+"/reset_master_code", agent, nil, 200, &reset)
	if !reset.Success || len(reset.MasterCode) != 6 || reset.MasterCode == d.MasterCode {
		t.Errorf("reset %+v (old %s)", reset, d.MasterCode)
	}
	var denied failure
	e.call("PUT", "/api/hubs/"+hub+"/reset_master_code", leasing, nil, 403, &denied)
	if denied.Message != "Only Hub Installer can reset master code" {
		t.Errorf("403 message %q", denied.Message)
	}
	e.call("PUT", "/api/hubs/"+hub+"/reset_master_code", e.resident(), nil, 403, nil)

	e.call("GET", "/api/hubs/"+hub+"/mqtt_response", agent, nil, 404, nil)
	for _, tt := range []struct{ body string }{{`{"command":"dance"}`}, {`{"command":"remove_device"}`}, {`{"command":"reboot","node_id":"3"}`}} {
		e.call("POST", "/api/hubs/"+hub+"/commands", agent, tt.body, 422, nil)
	}
	var sent struct {
		CommandID string `json:"command_id"`
	}
	e.call("POST", "/api/hubs/"+hub+"/commands", agent, `{"command":"add_device"}`, 200, &sent)
	e.advance(DefaultCommandDelay)
	var mqtt struct {
		CommandID string            `json:"command_id"`
		Response  map[string]string `json:"response"`
	}
	e.call("GET", "/api/hubs/"+hub+"/mqtt_response", agent, nil, 200, &mqtt)
	if mqtt.CommandID != sent.CommandID || mqtt.Response["status"] != "ok" {
		t.Fatalf("mqtt response %+v", mqtt)
	}
	added := e.events("add_device")
	if len(added) != 1 || added[0]["device_type"] != "hub" || added[0]["device_id"] == nil {
		t.Fatalf("add_device webhook %v", added)
	}
	node := added[0]["details"].(string)
	e.call("POST", "/api/hubs/"+hub+"/commands", agent, `{"command":"remove_device","node_id":"`+node+`"}`, 200, nil)
	e.advance(DefaultCommandDelay)
	if removed := e.events("remove_device"); len(removed) != 1 || removed[0]["details"] != node {
		t.Errorf("remove_device webhook %v", removed)
	}
	e.call("GET", "/api/devices/"+added[0]["device_id"].(string), agent, nil, 404, nil)
	local := testStart.In(e.sim.zones.get("America/Denver")).Format(activityDateLayout)
	var acts map[string][]hubActivityJSON
	e.call("GET", "/api/hubs/"+hub+"/desired_activities?events=add_device,remove_device&from_date="+local+"&to_date="+local, agent, nil, 200, &acts)
	if len(acts["add_device"]) != 1 || len(acts["remove_device"]) != 1 {
		t.Errorf("activities after include/exclude %+v", acts)
	}

	if err := e.sim.SetHubOnline(hub, false); err != nil {
		t.Fatal(err)
	}
	e.call("POST", "/api/hubs/"+hub+"/commands", agent, `{"command":"refresh"}`, 409, nil)
}

func TestReservations(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	checkIn, checkOut := testStart.Add(24*time.Hour), testStart.Add(72*time.Hour)
	base := fmt.Sprintf(`"property_id":101,"guest_name":"Ana Ruiz","guest_email":"ana@example.com","check_in":"%s","check_out":"%s"`,
		checkIn.Format(time.RFC3339), checkOut.Format(time.RFC3339))
	tests := []struct {
		name, body string
		want       int
	}{
		{"check_out before check_in", fmt.Sprintf(`{"property_id":101,"guest_name":"A","check_in":"%s","check_out":"%s"}`,
			checkOut.Format(time.RFC3339), checkIn.Format(time.RFC3339)), 422},
		{"bad email", `{` + base + `,"guest_email":"nope"}`, 422},
		{"empty name", `{` + base + `,"guest_name":""}`, 422},
		{"buffer too long", `{` + base + `,"buffer_before_minutes":1441}`, 422},
		{"bad time", `{"property_id":101,"guest_name":"A","check_in":"tomorrow","check_out":"later"}`, 422},
		{"unknown property", `{` + base + `,"property_id":99999}`, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, b := e.do("POST", "/api/reservations", agent, tt.body); status != tt.want {
				t.Errorf("status %d, want %d: %s", status, tt.want, b)
			}
		})
	}
	var r reservationJSON
	e.call("POST", "/api/reservations", agent, `{`+base+`}`, 201, &r)
	if r.Status != "confirmed" || len(r.Code) != 6 || r.LockCodeID == nil || r.BufferBefore != 60 {
		t.Fatalf("reservation %+v", r)
	}
	var lc lockCodeJSON
	e.call("GET", "/api/lock_codes/"+*r.LockCodeID, agent, nil, 200, &lc)
	loc := e.sim.zones.get("America/New_York")
	wantFrom := checkIn.Add(-time.Hour).In(loc).Format(lockCodeDateLayout)
	if lc.Name != "Ana Ruiz" || lc.Code != r.Code || *lc.FromDate != wantFrom || lc.ValidityType != validityPeriod {
		t.Errorf("reservation code %+v, want from %s", lc, wantFrom)
	}
	e.call("PUT", fmt.Sprintf("/api/reservations/%d", r.ID), agent, `{"code":"778899"}`, 200, &r)
	e.call("GET", "/api/lock_codes/"+*r.LockCodeID, agent, nil, 200, &lc)
	if lc.Code != "778899" || lc.Devices[0].Status != codeSetting {
		t.Errorf("re-coded lock code %+v", lc)
	}
	var list struct {
		Reservations []reservationJSON `json:"reservations"`
	}
	e.call("GET", "/api/reservations?property_id=101", agent, nil, 200, &list)
	if len(list.Reservations) != 1 {
		t.Errorf("list %+v", list)
	}
	e.call("DELETE", fmt.Sprintf("/api/reservations/%d", r.ID), agent, nil, 200, nil)
	e.advance(DefaultCommandDelay)
	e.call("GET", fmt.Sprintf("/api/reservations/%d", r.ID), agent, nil, 200, &r)
	if r.Status != "cancelled" {
		t.Errorf("status %s", r.Status)
	}
	e.call("GET", "/api/lock_codes/"+*r.LockCodeID, agent, nil, 404, nil)
	e.call("PUT", fmt.Sprintf("/api/reservations/%d", r.ID), agent, `{"guest_name":"B"}`, 409, nil)
}

func TestDeviceDetailUpdate(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	sw := e.firstOf("thermostat").ID
	tests := []struct {
		name, body string
		want       int
		check      func(d deviceJSON) bool
	}{
		{"rename", `{"device_name":"Hall Thermostat","occupant_setting":"Hall"}`, 200,
			func(d deviceJSON) bool { return d.DeviceName == "Hall Thermostat" && d.OccupantSetting == "Hall" }},
		{"move to another property", `{"property_id":102}`, 200, func(d deviceJSON) bool { return d.PropertyID != nil && *d.PropertyID == 102 }},
		{"unassign", `{"property_id":null}`, 200, func(d deviceJSON) bool { return d.PropertyID == nil }},
		{"unknown property", `{"property_id":99999}`, 422, nil},
		{"empty name", `{"device_name":" "}`, 422, nil},
		{"not a number", `{"property_id":"abc"}`, 422, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, b := e.do("PUT", "/api/devices/"+sw, agent, tt.body)
			if status != tt.want {
				t.Fatalf("status %d, want %d: %s", status, tt.want, b)
			}
			if tt.check != nil {
				var d deviceJSON
				e.call("GET", "/api/devices/"+sw, agent, nil, 200, &d)
				if !tt.check(d) {
					t.Errorf("device after update %+v", d)
				}
			}
		})
	}
	var byType map[string][]deviceJSON
	e.call("GET", "/api/properties/101/devices", agent, nil, 200, &byType)
	if len(byType["thermostat"]) != 0 {
		t.Error("the unassigned thermostat is still listed at its old property")
	}
}
