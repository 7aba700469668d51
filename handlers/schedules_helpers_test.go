package handlers

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// deviceOfType returns the first mirrored device of the type that belongs to a property (n: skip the first n).
func deviceOfType(t *testing.T, env *testEnv, typ string, n int) db.Device {
	t.Helper()
	ctx := t.Context()
	props, err := env.store.ListProperties(ctx, db.PropertyFilter{PerPage: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range props.Items {
		devs, err := env.store.DevicesByProperty(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			if d.Type == typ {
				if n == 0 {
					return d
				}
				n--
			}
		}
	}
	t.Fatalf("the mirror has no %s on a property", typ)
	return db.Device{}
}

// scheduleForm encodes the editor as a browser posts it.
func scheduleForm(name string, rows ...views.ScheduleBlockFormData) url.Values {
	v := url.Values{"name": {name}, "rows": {strconv.Itoa(len(rows))}}
	for i, r := range rows {
		for d, on := range r.Days {
			if on {
				v.Add(fmt.Sprintf("days-%d", i), strconv.Itoa(d))
			}
		}
		for k, val := range map[string]string{"from": r.From, "to": r.To, "mode": r.Mode, "heat": r.Heat, "cool": r.Cool, "power": r.Power} {
			v.Set(fmt.Sprintf("%s-%d", k, i), val)
		}
	}
	return v
}

// upstreamDeviceSchedules asks the simulator (through the client) what the device may run and runs.
func upstreamDeviceSchedules(t *testing.T, env *testEnv, deviceID string) ([]smarthome.Schedule, string) {
	t.Helper()
	ds, _, err := env.api.Schedules.ListForDevice(t.Context(), deviceID)
	if err != nil {
		t.Fatalf("upstream schedules of %s: %v", deviceID, err)
	}
	return ds.Schedules, ds.ActiveScheduleID
}

// auditOf returns the audit entries of one action, newest first.
func auditOf(t *testing.T, env *testEnv, action string) []db.AuditEntry {
	t.Helper()
	es, err := env.store.ListAudit(t.Context(), db.AuditFilter{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// upstreamSchedule creates a schedule directly upstream, as another dashboard or the vendor's app would.
func upstreamSchedule(t *testing.T, env *testEnv, dev db.Device, name string) *smarthome.Schedule {
	t.Helper()
	block := smarthome.ScheduleBlock{Days: []int{1, 2, 3, 4, 5}, From: "07:00", To: "22:00", Mode: "on"}
	if dev.Type == "thermostat" {
		heat := 68
		block.Mode, block.HeatingSetpoint = "heat", &heat
	}
	sc, _, err := env.api.Schedules.Create(t.Context(), smarthome.ScheduleRequest{Name: &name, DeviceType: &dev.Type,
		PropertyID: dev.PropertyID, Blocks: []smarthome.ScheduleBlock{block}})
	if err != nil {
		t.Fatalf("create schedule upstream: %v", err)
	}
	return sc
}
