package simulator

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLockCodeValidation(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	lock := e.firstOf("lock")
	base := `"device_id":"` + lock.ID + `","name":"Jane Doe"`
	tests := []struct {
		name string
		body string
		want int
	}{
		{"never expires", `{` + base + `,"code":"4821","validity_type":"Never Expires"}`, 201},
		{"specific period", `{` + base + `,"code":"48210","validity_type":"Specific Period","from_date":"2026-12-01 15-00","to_date":"2026-12-05 11-00"}`, 201},
		{"period without to_date", `{` + base + `,"code":"4822","validity_type":"Specific Period","from_date":"2026-12-01 15-00"}`, 422},
		{"period with colon times", `{` + base + `,"code":"4822","validity_type":"Specific Period","from_date":"2026-12-01 15:00","to_date":"2026-12-05 11:00"}`, 422},
		{"period from after to", `{` + base + `,"code":"4822","validity_type":"Specific Period","from_date":"2026-12-05 15-00","to_date":"2026-12-01 11-00"}`, 422},
		{"period from equals to", `{` + base + `,"code":"4822","validity_type":"Specific Period","from_date":"2026-12-05 15-00","to_date":"2026-12-05 15-00"}`, 422},
		{"by day of week", `{` + base + `,"code":"48211","validity_type":"By Day of Week","schedule_details_info":[{"d":1,"f":"09:00","t":"17:00"},{"d":0,"f":"10:00","t":"12:00"}]}`, 201},
		{"by day without schedule", `{` + base + `,"code":"4822","validity_type":"By Day of Week"}`, 422},
		{"by day 7", `{` + base + `,"code":"4822","validity_type":"By Day of Week","schedule_details_info":[{"d":7,"f":"09:00","t":"17:00"}]}`, 422},
		{"by day missing d", `{` + base + `,"code":"4822","validity_type":"By Day of Week","schedule_details_info":[{"f":"09:00","t":"17:00"}]}`, 422},
		{"by day f after t", `{` + base + `,"code":"4822","validity_type":"By Day of Week","schedule_details_info":[{"d":1,"f":"18:00","t":"17:00"}]}`, 422},
		{"by day bad time", `{` + base + `,"code":"4822","validity_type":"By Day of Week","schedule_details_info":[{"d":1,"f":"9:00","t":"17:00"}]}`, 422},
		{"daily repeating", `{` + base + `,"code":"48212","validity_type":"Daily Repeating","schedule_details_info":[{"wd":["1","2","3"],"f":"08:00","t":"18:00"}]}`, 201},
		{"daily without wd", `{` + base + `,"code":"4822","validity_type":"Daily Repeating","schedule_details_info":[{"f":"08:00","t":"18:00"}]}`, 422},
		{"daily wd out of range", `{` + base + `,"code":"4822","validity_type":"Daily Repeating","schedule_details_info":[{"wd":["7"],"f":"08:00","t":"18:00"}]}`, 422},
		{"daily wd as numbers", `{` + base + `,"code":"4822","validity_type":"Daily Repeating","schedule_details_info":[{"wd":[1],"f":"08:00","t":"18:00"}]}`, 422},
		{"unknown validity", `{` + base + `,"code":"4822","validity_type":"Forever"}`, 422},
		{"code too short", `{` + base + `,"code":"123","validity_type":"Never Expires"}`, 422},
		{"code too long", `{` + base + `,"code":"123456789","validity_type":"Never Expires"}`, 422},
		{"code not digits", `{` + base + `,"code":"12a4","validity_type":"Never Expires"}`, 422},
		{"code as number", `{` + base + `,"code":48213,"validity_type":"Never Expires"}`, 201},
		{"name missing", `{"device_id":"` + lock.ID + `","code":"4822","validity_type":"Never Expires"}`, 422},
		{"name too long", `{"device_id":"` + lock.ID + `","name":"` + strings.Repeat("x", 65) + `","code":"4822","validity_type":"Never Expires"}`, 422},
		{"no target", `{"name":"A","code":"4822","validity_type":"Never Expires"}`, 422},
		{"unknown device", `{"device_id":"00000000-0000-4000-8000-000000000000","name":"A","code":"4822","validity_type":"Never Expires"}`, 404},
		{"unknown hub", `{"hub_id":"00000000-0000-4000-8000-000000000000","name":"A","code":"4822","validity_type":"Never Expires"}`, 404},
		{"unknown property", `{"property_id":99999,"name":"A","code":"4822","validity_type":"Never Expires"}`, 404},
		{"not a lock", `{"device_id":"` + e.firstOf("thermostat").ID + `","name":"A","code":"4822","validity_type":"Never Expires"}`, 422},
		{"by property", `{"property_id":101,"name":"A","code":"48214","validity_type":"Never Expires"}`, 201},
		{"by hub", `{"hub_id":"` + lock.HubID + `","name":"A","code":"48215","validity_type":"Never Expires","code_type":"Vacancy Code"}`, 201},
		{"duplicate PIN on the same lock", `{` + base + `,"code":"4821","validity_type":"Never Expires"}`, 409},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.do("POST", "/api/lock_codes", agent, tt.body)
			if status != tt.want {
				t.Fatalf("status %d, want %d: %s", status, tt.want, body)
			}
			if status == 201 {
				var lc lockCodeJSON
				e.call("GET", "/api/lock_codes/"+decode(t, body)["id"].(string), agent, nil, 200, &lc)
				if len(lc.Devices) == 0 || lc.Devices[0].Status != codeSetting || lc.Devices[0].Slot != nil {
					t.Errorf("new code devices %+v", lc.Devices)
				}
			}
		})
	}
	e.call("POST", "/api/lock_codes", e.resident(), `{`+base+`,"code":"9999","validity_type":"Never Expires"}`, 403, nil)
}

// codeState reads the per-lock state of a lock code through the API.
func codeState(e *env, token, id string) (codeDeviceJSON, int) {
	e.t.Helper()
	var lc lockCodeJSON
	status, body := e.do("GET", "/api/lock_codes/"+id, token, nil)
	if status != 200 {
		return codeDeviceJSON{}, status
	}
	if err := json.Unmarshal(body, &lc); err != nil || len(lc.Devices) != 1 {
		e.t.Fatalf("lock code %s: %v", body, err)
	}
	return lc.Devices[0], status
}

// lockStatus reads a lock's codes and setting errors through the API.
func lockStatus(e *env, token, id string) (codes map[string]*string, errs map[string]any) {
	e.t.Helper()
	var d struct {
		Status struct {
			Codes         map[string]*string `json:"codes"`
			SettingErrors struct {
				LockCodes map[string]any `json:"lock_codes"`
			} `json:"setting_errors"`
		} `json:"status"`
	}
	e.call("GET", "/api/devices/"+id, token, nil, 200, &d)
	return d.Status.Codes, d.Status.SettingErrors.LockCodes
}

func createCode(e *env, token, deviceID, pin string) string {
	e.t.Helper()
	var lc lockCodeJSON
	e.call("POST", "/api/lock_codes", token, map[string]any{"device_id": deviceID, "name": "Jane Doe", "code": pin,
		"validity_type": "Specific Period", "from_date": "2026-03-10 09-00", "to_date": "2026-03-11 11-00"}, 201, &lc)
	return lc.ID
}

func TestLockCodeLifecycle(t *testing.T) {
	t.Parallel()
	e := start(t, Options{CommandDelay: 5 * time.Second})
	agent := e.installer()
	lock := e.firstOf("lock").ID
	id := createCode(e, agent, lock, "482913")

	e.advance(4 * time.Second)
	if st, _ := codeState(e, agent, id); st.Status != codeSetting {
		t.Fatalf("before the delay: %+v", st)
	}
	e.advance(time.Second)
	st, _ := codeState(e, agent, id)
	if st.Status != codeSet || st.Slot == nil {
		t.Fatalf("after the delay: %+v", st)
	}
	codes, _ := lockStatus(e, agent, lock)
	if pin := codes[strconv.Itoa(*st.Slot)]; pin == nil || *pin != "482913" {
		t.Fatalf("lock codes %v, want the PIN in slot %d", codes, *st.Slot)
	}
	added := e.events("lock_code_added")
	if len(added) != 1 || added[0]["details"] != float64(*st.Slot) || added[0]["User"] != "Jane Doe" {
		t.Fatalf("lock_code_added %v", added)
	}
	for _, d := range e.sim.Deliveries() {
		if strings.Contains(string(d.Body), "482913") {
			t.Fatalf("a webhook carries the PIN: %s", d.Body)
		}
	}

	// The window ends: real locks keep the code until told.
	e.advance(48 * time.Hour)
	agent = e.installer() // the first token expired meanwhile
	if codes, _ := lockStatus(e, agent, lock); codes[strconv.Itoa(*st.Slot)] == nil {
		t.Fatal("an expired code was removed without a delete")
	}

	e.call("DELETE", "/api/lock_codes/"+id, agent, nil, 200, nil)
	if st, _ := codeState(e, agent, id); st.Status != codeRemoving {
		t.Fatalf("after delete: %+v", st)
	}
	e.advance(5 * time.Second)
	if _, status := codeState(e, agent, id); status != 404 {
		t.Fatalf("removed code answers %d, want 404", status)
	}
	if codes, _ := lockStatus(e, agent, lock); codes[strconv.Itoa(*st.Slot)] != nil {
		t.Errorf("slot still holds a PIN: %v", codes)
	}
	if del := e.events("lock_code_deleted"); len(del) != 1 || del[0]["details"] != float64(*st.Slot) || del[0]["User"] != "Jane Doe" {
		t.Errorf("lock_code_deleted %v", del)
	}
}

func TestLockCodeFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		arrange func(e *env, lock *device)
		reason  string
	}{
		{"hub offline", func(e *env, lock *device) {
			if err := e.sim.SetHubOnline(lock.HubID, false); err != nil {
				e.t.Fatal(err)
			}
		}, errHubOffline},
		{"slots full", func(e *env, lock *device) {
			e.with(func(st *state) { st.Devices[lock.ID].MaxSlots = 2 })
			for _, pin := range []string{"1111", "2222"} {
				if _, err := e.sim.AddLockCodeAtKeypad(lock.ID, pin, 0); err != nil {
					e.t.Fatal(err)
				}
			}
		}, errSlotsFull},
		{"duplicate code set at the keypad", func(e *env, lock *device) {
			if _, err := e.sim.AddLockCodeAtKeypad(lock.ID, "482913", 7); err != nil {
				e.t.Fatal(err)
			}
		}, errDuplicateCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := start(t, Options{})
			agent := e.installer()
			lock := e.firstOf("lock")
			tt.arrange(e, lock)
			id := createCode(e, agent, lock.ID, "482913")
			e.advance(DefaultCommandDelay)
			st, _ := codeState(e, agent, id)
			if st.Status != codeFailed || st.Error != tt.reason {
				t.Fatalf("code state %+v, want failed %q", st, tt.reason)
			}
			_, errs := lockStatus(e, agent, lock.ID)
			if errs[id] != tt.reason {
				t.Errorf("setting_errors.lock_codes %v", errs)
			}
			failed := e.events("lock_code_failed")
			if len(failed) != 1 || failed[0]["details"] != tt.reason || failed[0]["User"] != "Jane Doe" {
				t.Errorf("lock_code_failed %v", failed)
			}
			// Deleting a code that never reached the lock removes it at once, with no lock_code_deleted.
			e.call("DELETE", "/api/lock_codes/"+id, agent, nil, 200, nil)
			e.advance(DefaultCommandDelay)
			if _, status := codeState(e, agent, id); status != 404 {
				t.Errorf("failed code after delete answers %d", status)
			}
			if _, errs := lockStatus(e, agent, lock.ID); errs[id] != nil {
				t.Errorf("setting error kept after delete: %v", errs)
			}
		})
	}
}

func TestCodeRemovalWaitsForHub(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	lock := e.firstOf("lock")
	id := createCode(e, agent, lock.ID, "246810")
	e.advance(DefaultCommandDelay)
	if err := e.sim.SetHubOnline(lock.HubID, false); err != nil {
		t.Fatal(err)
	}
	e.call("DELETE", "/api/lock_codes/"+id, agent, nil, 200, nil)
	e.advance(time.Hour)
	if st, _ := codeState(e, agent, id); st.Status != codeRemoving {
		t.Fatalf("removal through an offline hub: %+v", st)
	}
	if err := e.sim.SetHubOnline(lock.HubID, true); err != nil {
		t.Fatal(err)
	}
	e.advance(DefaultCommandDelay)
	if _, status := codeState(e, agent, id); status != 404 {
		t.Errorf("code still there after the hub came back: %d", status)
	}
}

func TestLockCodeUpdateAndList(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	lock := e.firstOf("lock").ID
	id := createCode(e, agent, lock, "135790")
	e.advance(DefaultCommandDelay)
	slot := *must(codeState(e, agent, id)).Slot

	var lc lockCodeJSON
	e.call("PUT", "/api/lock_codes/"+id, agent, `{"code":"975310","name":"Jane Smith"}`, 200, &lc)
	if lc.Devices[0].Status != codeSetting || lc.Name != "Jane Smith" || lc.ValidityType != validityPeriod {
		t.Fatalf("after update %+v", lc)
	}
	e.advance(DefaultCommandDelay)
	codes, _ := lockStatus(e, agent, lock)
	if pin := codes[strconv.Itoa(slot)]; pin == nil || *pin != "975310" {
		t.Errorf("slot %d after update: %v", slot, codes)
	}
	e.call("PUT", "/api/lock_codes/"+id, agent, `{"validity_type":"Specific Period","to_date":"bad"}`, 422, nil)

	var list struct {
		LockCodes []lockCodeJSON `json:"lock_codes"`
		Total     int            `json:"total_records"`
	}
	e.call("GET", "/api/lock_codes?device_id="+lock, agent, nil, 200, &list)
	if list.Total != 1 || list.LockCodes[0].ID != id {
		t.Errorf("list by device %+v", list)
	}
	e.call("GET", "/api/lock_codes?property_id=102", agent, nil, 200, &list)
	if list.Total != 0 {
		t.Errorf("list by other property: %d", list.Total)
	}
	e.call("GET", "/api/lock_codes?property_id=x", agent, nil, 422, nil)
	e.call("GET", "/api/lock_codes/nope", agent, nil, 404, nil)
}

func must[T any](v T, _ int) T { return v }
