package simulator

import (
	"strconv"
	"testing"
	"time"
)

// TestClearSlot: DELETE /api/devices/{id}/codes/{slot} empties a keypad slot after the command delay and reports it;
// it refuses slots of API codes, empty or out-of-range slots, other devices, and locks behind an offline hub.
func TestClearSlot(t *testing.T) {
	t.Parallel()
	e := start(t, Options{CommandDelay: time.Second})
	agent := e.installer()
	lock := e.firstOf("lock")
	keypad, err := e.sim.AddLockCodeAtKeypad(lock.ID, "55038217", 0)
	if err != nil {
		t.Fatal(err)
	}
	if status, body := e.do("POST", "/api/lock_codes", agent, `{"device_id":"`+lock.ID+`","name":"API code","code":"419305","validity_type":"Never Expires"}`); status != 201 {
		t.Fatalf("create: %d %s", status, body)
	}
	e.advance(time.Second)
	apiSlot := keypad + 1
	path := func(slot string) string { return "/api/devices/" + lock.ID + "/codes/" + slot }
	tests := []struct {
		name string
		path string
		want int
	}{
		{"an API code's slot", path(strconv.Itoa(apiSlot)), 409},
		{"an empty slot", path("30"), 404},
		{"slot 0", path("0"), 422},
		{"not a number", path("x"), 422},
		{"not a lock", "/api/devices/" + e.firstOf("thermostat").ID + "/codes/1", 422},
		{"unknown device", "/api/devices/00000000-0000-4000-8000-000000000000/codes/1", 404},
		{"no token", path(strconv.Itoa(keypad)), 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := agent
			if tt.want == 401 {
				token = ""
			}
			if status, body := e.do("DELETE", tt.path, token, nil); status != tt.want {
				t.Errorf("status %d, want %d: %s", status, tt.want, body)
			}
		})
	}
	if status, body := e.do("DELETE", path(strconv.Itoa(keypad)), agent, nil); status != 200 {
		t.Fatalf("clear: %d %s", status, body)
	}
	e.sim.mu.Lock()
	still := e.sim.st.Devices[lock.ID].Codes[strconv.Itoa(keypad)] != nil
	e.sim.mu.Unlock()
	if !still {
		t.Error("the slot was cleared before the command delay")
	}
	e.advance(time.Second)
	e.sim.mu.Lock()
	gone := e.sim.st.Devices[lock.ID].Codes[strconv.Itoa(keypad)] == nil
	e.sim.mu.Unlock()
	if !gone {
		t.Error("the slot still holds the keypad PIN")
	}
	if n := len(e.events("lock_code_deleted")); n != 1 {
		t.Errorf("%d lock_code_deleted events, want 1", n)
	}
	if err := e.sim.SetHubOnline(lock.HubID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sim.AddLockCodeAtKeypad(lock.ID, "66120873", 0); err != nil {
		t.Fatal(err)
	}
	if status, _ := e.do("DELETE", path(strconv.Itoa(keypad)), agent, nil); status != 409 {
		t.Errorf("offline hub: %d, want 409", status)
	}
}
