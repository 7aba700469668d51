package smarthome_test

import (
	"strings"
	"testing"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

func TestContractHubCommands(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	s := e.site(c, richSite)
	hubID := s.hub.ID

	_, _, err := c.Hubs.MQTTResponse(ctx, hubID)
	checkErr(t, err, smarthome.ErrNotFound, "No MQTT response for this hub")

	victim := s.first(t, "switch")
	tests := []struct {
		name  string
		cmd   smarthome.HubCommand
		reply string                     // part of the hub's MQTT answer
		check func(t *testing.T, h site) // the command's effect, read back through the client
	}{
		{"refresh", smarthome.HubCommand{Command: smarthome.HubRefresh}, "Refresh complete", nil},
		{"reboot", smarthome.HubCommand{Command: smarthome.HubReboot}, "Reboot complete", func(t *testing.T, h site) {
			// The reboot stamps heartBeat; a regular beat due in the same step may follow it.
			if beat, err := h.hub.Status.HeartBeatTime(); err != nil || !beat.After(e.sim.Now().Add(-commandDelay)) {
				t.Errorf("heartBeat %v (%v), want after the command at %v", beat, err, e.sim.Now().Add(-commandDelay))
			}
		}},
		{"update firmware", smarthome.HubCommand{Command: smarthome.HubUpdateFirmware}, "Firmware updated to", func(t *testing.T, h site) {
			if h.hub.Status.FwVer == s.hub.Status.FwVer {
				t.Errorf("firmware still %s", h.hub.Status.FwVer)
			}
		}},
		{"add device", smarthome.HubCommand{Command: smarthome.HubAddDevice}, "Device included at node", func(t *testing.T, h site) {
			if len(h.devs["switch"]) != len(s.devs["switch"])+1 {
				t.Errorf("%d switches, want one more than %d", len(h.devs["switch"]), len(s.devs["switch"]))
			}
		}},
		{"add a garage door", smarthome.HubCommand{Command: smarthome.HubAddDevice, DeviceType: "garage_door"},
			"(garage_door)", func(t *testing.T, h site) {
				if len(h.devs["garage_door"]) != len(s.devs["garage_door"])+1 || len(h.devs["switch"]) != len(s.devs["switch"])+1 {
					t.Errorf("%d garage doors, %d switches; want one more garage door than %d, the switch of the case before",
						len(h.devs["garage_door"]), len(h.devs["switch"]), len(s.devs["garage_door"]))
				}
			}},
		{"remove device", smarthome.HubCommand{Command: smarthome.HubRemoveDevice, NodeID: victim.RemoteDeviceID.String()},
			"excluded", func(t *testing.T, h site) {
				_, _, err := c.Devices.Get(ctx, victim.ID)
				checkErr(t, err, smarthome.ErrNotFound, "Device not found")
				if h.hub.Status.RemoveDevice[victim.RemoteDeviceID.String()] != "delete" {
					t.Errorf("remove_device %v", h.hub.Status.RemoveDevice)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _, err := c.Hubs.Command(ctx, hubID, tt.cmd)
			must(t, err)
			if res.Message != "Command sent" || res.CommandID == "" {
				t.Fatalf("result %+v", res)
			}
			if m, _, err := c.Hubs.MQTTResponse(ctx, hubID); err == nil && m.CommandID == res.CommandID {
				t.Fatal("the hub answered before the command delay")
			}
			e.advance(commandDelay)
			m, _, err := c.Hubs.MQTTResponse(ctx, hubID)
			must(t, err)
			if m.HubID != hubID || m.CommandID != res.CommandID || m.Command != tt.cmd.Command || m.Response.Status != "ok" ||
				!strings.Contains(m.Response.Message, tt.reply) || !m.ReceivedAt.Equal(e.sim.Now()) {
				t.Errorf("mqtt response %+v, want %s ok %q at %v", m, tt.cmd.Command, tt.reply, e.sim.Now())
			}
			if tt.check != nil {
				tt.check(t, e.site(c, richSite))
			}
		})
	}
}

func TestContractHubCommandErrors(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	s := e.site(c, 101)
	token := e.token(c)
	path := "/api/hubs/" + s.hub.ID + "/commands"

	local := []struct {
		name string
		cmd  smarthome.HubCommand
		msg  string // the simulator's 422
	}{
		{"unknown command", smarthome.HubCommand{Command: "self_destruct"}, "Unknown command"},
		{"remove_device without node", smarthome.HubCommand{Command: smarthome.HubRemoveDevice}, "node_id is required"},
		{"node with another command", smarthome.HubCommand{Command: smarthome.HubReboot, NodeID: "7"}, "node_id is only used with remove_device"},
		{"unknown device type", smarthome.HubCommand{Command: smarthome.HubAddDevice, DeviceType: "toaster"}, "Unknown device_type"},
		{"device type with another command", smarthome.HubCommand{Command: smarthome.HubReboot, DeviceType: "lock"}, "device_type is only used with add_device"},
	}
	for _, tt := range local {
		t.Run(tt.name, func(t *testing.T) {
			before := c.rec.total()
			_, _, err := c.Hubs.Command(ctx, s.hub.ID, tt.cmd)
			checkLocal(t, c, before, err)
			e.wantRaw(token, "POST", path, tt.cmd, 422, tt.msg)
		})
	}
	server := []struct {
		name   string
		client *apiClient
		hub    string
		target error
		msg    string
	}{
		{"unknown hub", c, "no-such-hub", smarthome.ErrNotFound, "Hub not found"},
		{"resident", e.resident(), s.hub.ID, smarthome.ErrForbidden, "only available to agents"},
		{"offline hub", c, s.hub.ID, smarthome.ErrConflict, "Hub is offline"}, // last: takes the hub offline
	}
	for _, tt := range server {
		t.Run(tt.name, func(t *testing.T) {
			if tt.target == smarthome.ErrConflict {
				must(t, e.sim.SetHubOnline(tt.hub, false))
			}
			res, _, err := tt.client.Hubs.Command(ctx, tt.hub, smarthome.HubCommand{Command: smarthome.HubRefresh})
			checkErr(t, err, tt.target, tt.msg)
			if res != nil {
				t.Errorf("result %+v next to an error", res)
			}
		})
	}
	_, _, err := c.Hubs.MQTTResponse(ctx, "no-such-hub")
	checkErr(t, err, smarthome.ErrNotFound, "Hub not found")
}
