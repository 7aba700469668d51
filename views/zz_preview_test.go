package views

import (
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/keyless/dashboard/static"
)

func TestZZPreview(t *testing.T) {
	if os.Getenv("PREVIEW") == "" {
		t.Skip()
	}
	prop := PropertyDetailData{
		ID: "101", Name: "Maple Court 12", Address: "12 Maple Court, Austin, TX 78701", TimeZone: "America/Chicago",
		Sync: SyncData{OK: true, LastSynced: "Nov 29, 3:04 PM", Ago: "3 min ago", CanSync: true},
		Hubs: []HubRowData{{ID: "h-1", Name: "Front hub", Serial: "30011", Online: true, LastHeartbeat: "Nov 29, 3:01 PM",
			LastHeartbeatISO: "2026-11-29T21:01:00Z", Battery: BatteryData{Percent: 87, Known: true}, Devices: 3}},
		Devices: []DeviceGroupData{
			{Type: "lock", Devices: []DeviceRowData{{ID: "d-1", Name: "Front door", Type: "lock",
				State: DeviceStateData{ID: "d-1", Online: true, Battery: BatteryData{Percent: 9, Known: true, Low: true},
					Lock: &LockStateData{State: "jammed", CodesInUse: 2}}}, {ID: "d-3", Name: "Back door", Type: "lock",
				State: DeviceStateData{ID: "d-3", Online: true, Battery: BatteryData{Percent: 70, Known: true},
					Lock: &LockStateData{State: "locked", CodesInUse: 1}}}}},
			{Type: "dimmable_switch", Devices: []DeviceRowData{{ID: "d-2", Name: "Hall light", Type: "dimmable_switch",
				State: DeviceStateData{ID: "d-2", Online: false, Dimmer: &DimmerStateData{On: true, Level: 40}}}}},
			{Type: "leakage_sensor", Devices: []DeviceRowData{{ID: "d-4", Name: "Kitchen sink", Type: "leakage_sensor",
				State: DeviceStateData{ID: "d-4", Online: true, Battery: BatteryData{Percent: 55, Known: true}, Sensor: &SensorStateData{Leak: "no"}}}}},
		},
	}
	dim := DeviceDetailData{ID: "d-2", Name: "Hall light", Type: "dimmable_switch", HubID: "h-1", HubName: "Front hub",
		State: DeviceStateData{ID: "d-2", Online: true, Dimmer: &DimmerStateData{On: true, Level: 40}}, Sync: SyncData{OK: true, LastSynced: "3 PM"}}
	mux := http.NewServeMux()
	mux.Handle("/static/", static.Handler())
	mux.Handle("/property", templ.Handler(PropertyPage(signedIn(NavProperties, true), prop)))
	mux.Handle("/dimmer", templ.Handler(DevicePage(signedIn(NavProperties, true), dim)))
	ln, err := net.Listen("tcp", "127.0.0.1:8765")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	time.Sleep(25 * time.Second)
	srv.Close()
}
