package simulator

import (
	"context"
	"testing"

	"github.com/keyless/dashboard/smarthome"
)

// TestIncludeDevice: a valve controller paired by hand is served like any device; unknown hubs and types are
// refused.
func TestIncludeDevice(t *testing.T) {
	sim, err := Start(context.Background(), Options{Properties: 2, CommandDelay: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	var hubID string
	for id := range sim.st.Hubs {
		hubID = id
		break
	}
	id, err := sim.IncludeDevice(hubID, "valve_controller")
	if err != nil {
		t.Fatal(err)
	}
	agent := DefaultAgents()[0]
	c, err := smarthome.NewClient(smarthome.WithBaseURL(sim.URL), smarthome.WithAgentLogin(agent.Username, agent.Password))
	if err != nil {
		t.Fatal(err)
	}
	dev, _, err := c.Devices.Get(t.Context(), id)
	if err != nil || dev.DeviceType != "valve_controller" {
		t.Fatalf("the paired valve: %+v %v", dev, err)
	}
	if _, err := sim.IncludeDevice("no-such-hub", "valve_controller"); err == nil {
		t.Error("an unknown hub paired a device")
	}
	if _, err := sim.IncludeDevice(hubID, "toaster"); err == nil {
		t.Error("an unknown type was paired")
	}
}
