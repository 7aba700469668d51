package smarthome_test

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// jsonNames returns the keys a struct type decodes, lower-cased as encoding/json matches them, embedded structs
// included.
func jsonNames(typ reflect.Type, into map[string]bool) map[string]bool {
	for i := range typ.NumField() {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && name == "":
			jsonNames(f.Type, into)
		case !f.IsExported() || name == "-":
		case name == "":
			into[strings.ToLower(f.Name)] = true
		default:
			into[strings.ToLower(name)] = true
		}
	}
	return into
}

// rawObject GETs path with token and returns the JSON object found by walking keys and array indexes.
func (e *contractEnv) rawObject(token, path string, walk ...string) map[string]json.RawMessage {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), http.MethodGet, e.sim.URL+path, nil)
	must(e.t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Transport: e.tr, Timeout: 10 * time.Second}).Do(req)
	must(e.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(e.t, err)
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, b)
	}
	raw := json.RawMessage(b)
	for _, step := range walk {
		if i, err := strconv.Atoi(step); err == nil {
			var list []json.RawMessage
			must(e.t, json.Unmarshal(raw, &list))
			if i >= len(list) {
				e.t.Fatalf("GET %s: %v: index %d of %d", path, walk, i, len(list))
			}
			raw = list[i]
			continue
		}
		var obj map[string]json.RawMessage
		must(e.t, json.Unmarshal(raw, &obj))
		raw = obj[step]
	}
	var obj map[string]json.RawMessage
	must(e.t, json.Unmarshal(raw, &obj))
	return obj
}

// fieldCase is one object the simulator answers and the client type that decodes it.
type fieldCase struct {
	name string
	path string
	walk []string // keys and indexes leading to the object in the reply
	typ  any
}

// TestContractNoDroppedFields: every key the simulator answers is a field of the client type that decodes it, so
// nothing the API sends is silently lost. Envelope keys (success, paging) are read by the transport.
func TestContractNoDroppedFields(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	token := e.token(c)
	s := e.addDevices(c, e.site(c, richSite), extraTypes...)
	lock, th := s.first(t, "lock").ID, s.first(t, "thermostat").ID
	period := smarthome.LockCodeRequest{Name: "Guest", Code: "48291375", DeviceID: lock}
	period.SetDayOfWeek(smarthome.DayOfWeekEntry(time.Monday, clock(9, 0), clock(10, 0)))
	lc, _, err := c.LockCodes.Create(ctx, period)
	must(t, err)
	in := e.sim.Now().AddDate(0, 0, 1)
	res, _, err := c.Reservations.Create(ctx, smarthome.ReservationRequest{PropertyID: smarthome.Ptr(int64(richSite)),
		GuestName: smarthome.Ptr("Ana"), CheckIn: &in, CheckOut: smarthome.Ptr(in.AddDate(0, 0, 1))})
	must(t, err)
	sc, _, err := c.Schedules.Create(ctx, smarthome.ScheduleRequest{Name: smarthome.Ptr("S"), DeviceType: smarthome.Ptr("thermostat"),
		PropertyID: smarthome.Ptr(int64(richSite)), Blocks: []smarthome.ScheduleBlock{thermostatBlock("08:00", "09:00", 68)}})
	must(t, err)
	_, err = c.Schedules.Activate(ctx, th, sc.ID)
	must(t, err)
	_, _, err = c.Invitations.Create(ctx, smarthome.InvitationRequest{Email: "sam@example.com", PropertyID: richSite})
	must(t, err)
	_, _, err = c.Hubs.Command(ctx, s.hub.ID, smarthome.HubCommand{Command: smarthome.HubAddDevice})
	must(t, err)
	_, err = c.Devices.Command(ctx, lock, smarthome.LockCommand(false))
	must(t, err)
	e.advance(commandDelay)

	hub, dev := "/api/hubs/"+s.hub.ID, "/api/devices/"
	tests := []fieldCase{
		{"property", "/api/properties/101", nil, smarthome.Property{}},
		{"property list item", "/api/properties", []string{"properties", "0"}, smarthome.Property{}},
		{"hub list item", "/api/hubs", []string{"hubs", "0"}, smarthome.HubSummary{}},
		{"hub detail", hub, nil, smarthome.HubDetail{}},
		{"hub settings", hub, []string{"settings"}, smarthome.HubSettings{}},
		{"hub signal query", hub, []string{"status", "signal_query"}, smarthome.SignalQuery{}},
		{"mqtt response", hub + "/mqtt_response", nil, smarthome.MQTTResponse{}},
		{"cognito credentials", hub + "/get_cognito_credentials", nil, smarthome.CognitoCredentials{}},
		{"hub activity", hub + "/desired_activities?events=add_device", []string{"add_device", "0"}, smarthome.HubActivity{}},
		{"device activity", dev + lock + "/desired_activities?events=Unlock", []string{"Unlock", "0"}, smarthome.DeviceActivity{}},
		{"lock code", "/api/lock_codes/" + lc.ID, nil, smarthome.LockCode{}},
		{"lock code device", "/api/lock_codes/" + lc.ID, []string{"devices", "0"}, smarthome.LockCodeDevice{}},
		{"lock code schedule entry", "/api/lock_codes/" + lc.ID, []string{"schedule_details_info", "0"}, smarthome.ScheduleEntry{}},
		{"lock code list item", "/api/lock_codes", []string{"lock_codes", "0"}, smarthome.LockCode{}},
		{"reservation", "/api/reservations/" + strconv.FormatInt(res.ID, 10), nil, smarthome.Reservation{}},
		{"schedule", "/api/schedules", []string{"schedules", "0"}, smarthome.Schedule{}},
		{"schedule block", "/api/schedules", []string{"schedules", "0", "blocks", "0"}, smarthome.ScheduleBlock{}},
		{"device schedules", dev + th + "/schedules", nil, smarthome.DeviceSchedules{}},
		{"invitation", "/api/v2/invitations", []string{"invitations", "0"}, smarthome.Invitation{}},
	}
	for _, typ := range keys(s.devs) {
		id := s.devs[typ][0].ID
		tests = append(tests, fieldCase{"device " + typ, dev + id, nil, smarthome.Device{}})
		if st := statusType(typ); st != nil {
			tests = append(tests, fieldCase{"status of " + typ, dev + id, []string{"status"}, st})
		}
	}
	envelope := map[string]bool{"success": true, "total_records": true, "page": true, "per_page": true}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			known := jsonNames(reflect.TypeOf(tt.typ), map[string]bool{})
			var lost []string
			for key := range e.rawObject(token, tt.path, tt.walk...) {
				if !known[strings.ToLower(key)] && !envelope[key] {
					lost = append(lost, key)
				}
			}
			if len(lost) > 0 {
				t.Errorf("%T drops %v", tt.typ, lost)
			}
		})
	}
}

// statusType is the typed status a device type decodes into; nil for types without an accessor.
func statusType(deviceType string) any {
	switch deviceType {
	case "lock", "access_panel":
		return smarthome.LockStatus{}
	case "thermostat":
		return smarthome.ThermostatStatus{}
	case "switch", "garage_door", "valve_controller", "siren":
		return smarthome.SwitchStatus{}
	case "dimmable_switch", "lightbulb":
		return smarthome.DimmerStatus{}
	case "leakage_sensor", "contact_sensor", "motion_sensor", "smoke_alarm":
		return smarthome.SensorStatus{}
	}
	return nil
}

// wantStored is the reverse of TestContractNoDroppedFields for a write: every field of the request type must be set
// in sent (so a field added to the type is covered), and each must come back unchanged in stored, the object the
// simulator keeps. A field the client sends that the simulator neither stores nor refuses silently has no effect.
func wantStored(t *testing.T, sent any, stored map[string]json.RawMessage) {
	t.Helper()
	enc, err := json.Marshal(sent)
	must(t, err)
	var fields map[string]json.RawMessage
	must(t, json.Unmarshal(enc, &fields))
	for name := range jsonNames(reflect.TypeOf(sent), map[string]bool{}) {
		if _, ok := fields[name]; !ok {
			t.Errorf("%T.%s is not set: set every field so each is checked", sent, name)
		}
	}
	for name, v := range fields {
		var want, got any
		must(t, json.Unmarshal(v, &want))
		raw, ok := stored[name]
		if ok {
			must(t, json.Unmarshal(raw, &got))
		}
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%T sends %s = %s; the simulator stored %s", sent, name, v, raw)
		}
	}
}
