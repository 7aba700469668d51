package simulator

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestControlAPI(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	lock := e.firstOf("lock")
	leak := e.firstOf("leakage_sensor")

	t.Run("advance runs due work before answering", func(t *testing.T) {
		e.call("PUT", "/api/devices/"+lock.ID, agent, `{"commands":{"mode":"unlock"}}`, 200, nil)
		var got struct {
			Now string `json:"now"`
		}
		e.call("POST", "/_sim/clock/advance", "", `{"seconds": 2}`, 200, &got)
		if got.Now != "2026-03-10T15:00:02Z" {
			t.Errorf("now %q", got.Now)
		}
		var d map[string]any
		e.call("GET", "/api/devices/"+lock.ID, agent, nil, 200, &d)
		if d["status"].(map[string]any)["mode"].(map[string]any)["type"] != "unlocked" {
			t.Errorf("lock not unlocked after advance: %v", d["status"])
		}
		e.call("POST", "/_sim/clock/advance", "", `{"seconds": -1}`, 422, nil)
	})
	t.Run("events apply state and deliver", func(t *testing.T) {
		e.call("POST", "/_sim/events", "", map[string]any{"device_id": leak.ID, "message_type": "leak_detected"}, 200, nil)
		var d map[string]any
		e.call("GET", "/api/devices/"+leak.ID, agent, nil, 200, &d)
		if d["status"].(map[string]any)["leakage"] != "yes" {
			t.Errorf("leakage %v", d["status"])
		}
		e.call("POST", "/_sim/events", "", map[string]any{"device_id": lock.ID, "message_type": "low_battery", "details": 9}, 200, nil)
		e.call("POST", "/_sim/events", "", map[string]any{"hub_id": lock.HubID, "message_type": "offline"}, 200, nil)
		var h map[string]any
		e.call("GET", "/api/hubs/"+lock.HubID, agent, nil, 200, &h)
		if h["status"].(map[string]any)["online"] != false {
			t.Errorf("hub still online: %v", h["status"])
		}
		e.call("POST", "/_sim/hubs/"+lock.HubID+"/online", "", nil, 200, nil)
		for _, bad := range []map[string]any{
			{"device_id": lock.ID, "message_type": "leak_detected"},
			{"device_id": lock.ID, "message_type": "low_battery", "details": "low"},
			{"message_type": "online"},
			{"device_id": "nope", "message_type": "Lock"},
		} {
			if status, body := e.do("POST", "/_sim/events", "", bad); status != 422 && status != 404 {
				t.Errorf("%v: status %d %s", bad, status, body)
			}
		}
		var hooks struct {
			Webhooks []Delivery `json:"webhooks"`
		}
		e.call("GET", "/_sim/webhooks", "", nil, 200, &hooks)
		var types []string
		for _, w := range hooks.Webhooks {
			types = append(types, w.MessageType)
		}
		want := []string{"Unlock", "leak_detected", "low_battery", "offline", "online"}
		if len(types) != len(want) {
			t.Fatalf("webhooks %v, want %v", types, want)
		}
		for i := range want {
			if types[i] != want[i] {
				t.Fatalf("webhooks %v, want %v (newest last)", types, want)
			}
		}
	})
	t.Run("keypad codes", func(t *testing.T) {
		var got struct {
			Slot int `json:"slot"`
		}
		e.call("POST", "/_sim/locks/"+lock.ID+"/codes", "", `{"code":"5555","slot":5}`, 200, &got)
		if got.Slot != 5 {
			t.Fatalf("slot %d", got.Slot)
		}
		e.call("POST", "/_sim/locks/"+lock.ID+"/codes", "", `{"code":"5555"}`, 409, nil)
		e.call("POST", "/_sim/locks/"+lock.ID+"/codes", "", `{"code":"6666","slot":5}`, 409, nil)
		e.call("POST", "/_sim/locks/"+lock.ID+"/codes", "", `{"code":"66"}`, 422, nil)
		e.call("DELETE", "/_sim/locks/"+lock.ID+"/codes/5", "", nil, 200, nil)
		e.call("DELETE", "/_sim/locks/"+lock.ID+"/codes/5", "", nil, 404, nil)
		added, deleted := e.events("lock_code_added"), e.events("lock_code_deleted")
		if len(added) != 1 || added[0]["User"] != "Keypad" || added[0]["details"] != float64(5) || len(deleted) != 1 {
			t.Errorf("keypad webhooks %v %v", added, deleted)
		}
	})
	t.Run("faults over HTTP", func(t *testing.T) {
		e.call("POST", "/_sim/faults", "", `{"route":"GET /api/hubs","rate":1,"status":502}`, 200, nil)
		e.call("GET", "/api/hubs", agent, nil, 502, nil)
		e.call("POST", "/_sim/faults", "", `{"route":"GET /nope","rate":1}`, 422, nil)
		e.call("DELETE", "/_sim/faults", "", nil, 200, nil)
		e.call("GET", "/api/hubs", agent, nil, 200, nil)
	})
	t.Run("state round trip", func(t *testing.T) {
		b := e.call("GET", "/_sim/state", "", nil, 200, nil)
		e.call("POST", "/_sim/hubs/"+lock.HubID+"/offline", "", nil, 200, nil)
		e.call("PUT", "/_sim/state", "", b, 200, nil)
		var h map[string]any
		e.call("GET", "/api/hubs/"+lock.HubID, agent, nil, 200, &h)
		if h["status"].(map[string]any)["online"] != true {
			t.Error("replacing the state did not restore the hub")
		}
		e.call("PUT", "/_sim/state", "", `{"version": 99}`, 422, nil)
	})
}

func TestControlNeedsOption(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Clock: NewFakeClock(testStart), Properties: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	srv := start(t, Options{}) // for comparison: with Control the route exists
	if status, _ := srv.do("GET", "/_sim/clock", "", nil); status != 200 {
		t.Fatalf("control route answers %d with Control", status)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/_sim/clock", nil))
	if rec.Code != 404 {
		t.Errorf("control route answers %d without Control", rec.Code)
	}
}

func TestAdvanceNeedsFakeClock(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Properties: 1, CommandDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Advance(time.Second); err != ErrRealClock {
		t.Errorf("Advance on the wall clock: %v", err)
	}
}
