package smarthome

import (
	"encoding/json"
	"testing"
)

func TestLenientDecoding(t *testing.T) {
	t.Parallel()
	var devices []Device
	body := `[{"id": "d1", "device_type": "lock", "shared_area": "yes", "last_activity": "soon", "property_id": "x",
	           "device_name": "Front", "status": {"mode": {"type": "locked"}}},
	          {"id": "d2", "device_type": "switch"}]`
	if err := json.Unmarshal([]byte(body), &devices); err != nil {
		t.Fatalf("one odd field failed the list: %v", err)
	}
	d := devices[0]
	if d.ID != "d1" || d.DeviceName != "Front" || d.SharedArea || d.LastActivity != 0 || d.PropertyID != nil || devices[1].ID != "d2" {
		t.Errorf("devices = %s", dump(devices))
	}
	if ls, err := d.LockStatus(); err != nil || !ls.Locked() {
		t.Errorf("status lost: %v", err)
	}

	var hubs []HubSummary
	if err := json.Unmarshal([]byte(`[{"id": "h1", "status": {"unexpected": "object"}, "serial_no": 30011, "camera": "no"}]`), &hubs); err != nil {
		t.Fatal(err)
	}
	if hubs[0].ID != "h1" || hubs[0].SerialNo != "30011" || hubs[0].Status != "" {
		t.Errorf("hubs = %s", dump(hubs))
	}
	var hub HubDetail
	if err := json.Unmarshal([]byte(`{"id": "h1", "settings": "none", "status": {"battery": 9}}`), &hub); err != nil {
		t.Fatal(err)
	}
	if hub.ID != "h1" || hub.Status.Battery != 9 {
		t.Errorf("hub = %s", dump(hub))
	}

	// Not an object at all is still an error.
	for _, bad := range []string{`"device"`, `[1]`, `{"id": `} {
		var d Device
		if err := json.Unmarshal([]byte(bad), &d); err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
		}
	}
}

func TestFlexTypes(t *testing.T) {
	t.Parallel()
	strs := map[string]string{`"a"`: "a", `30011`: "30011", `-1.5`: "-1.5", `null`: "", `""`: ""}
	for in, want := range strs {
		var f FlexString
		if err := json.Unmarshal([]byte(in), &f); err != nil || string(f) != want {
			t.Errorf("FlexString(%s) = %q, %v", in, f, err)
		}
	}
	for _, bad := range []string{`true`, `{}`, `[]`} {
		var f FlexString
		if err := json.Unmarshal([]byte(bad), &f); err == nil {
			t.Errorf("FlexString(%s) accepted", bad)
		}
	}
	ints := map[string]FlexInt{`42`: 42, `"60"`: 60, `" 7 "`: 7, `null`: 0, `""`: 0, `-3`: -3}
	for in, want := range ints {
		var f FlexInt
		if err := json.Unmarshal([]byte(in), &f); err != nil || f != want {
			t.Errorf("FlexInt(%s) = %d, %v", in, f, err)
		}
	}
	for _, bad := range []string{`1.5`, `"x"`, `true`, `99999999999999999999`} {
		var f FlexInt
		if err := json.Unmarshal([]byte(bad), &f); err == nil {
			t.Errorf("FlexInt(%s) accepted", bad)
		}
	}
}
