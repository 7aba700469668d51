package upstream

import (
	"context"

	"github.com/keyless/dashboard/smarthome"
)

// The Smart Home calls of the commands, history and MQTT features: a few lines each over the client.

// SendDeviceCommand sends a validated hardware command; the device applies it later, or never (hub offline).
func (u *API) SendDeviceCommand(ctx context.Context, deviceID string, cmd smarthome.Command) error {
	_, err := u.c.Devices.Command(ctx, deviceID, cmd)
	return u.fail(ctx, "SendDeviceCommand", err)
}

// DeviceState reads a device with its current status, to see whether a command took effect.
func (u *API) DeviceState(ctx context.Context, deviceID string) (*smarthome.Device, error) {
	d, _, err := u.c.Devices.Get(ctx, deviceID)
	return d, u.fail(ctx, "DeviceState", err)
}

// SendHubCommand sends a hub command and returns the upstream's command id; its outcome arrives later as the
// hub's MQTT response. An offline hub is an error matching smarthome.ErrConflict.
func (u *API) SendHubCommand(ctx context.Context, hubID string, cmd smarthome.HubCommand) (string, error) {
	res, _, err := u.c.Hubs.Command(ctx, hubID, cmd)
	if err != nil {
		return "", u.fail(ctx, "SendHubCommand", err)
	}
	return res.CommandID, nil
}

// HubMQTTResponse returns the hub's reply to its last command; before any command it matches ErrNotFound.
func (u *API) HubMQTTResponse(ctx context.Context, hubID string) (*smarthome.MQTTResponse, error) {
	m, _, err := u.c.Hubs.MQTTResponse(ctx, hubID)
	return m, u.fail(ctx, "HubMQTTResponse", err)
}

// ResetHubMasterCode replaces a hub's master code and returns the new one; agents without the "Hub Installer"
// role get an error matching smarthome.ErrForbidden.
func (u *API) ResetHubMasterCode(ctx context.Context, hubID string) (smarthome.PIN, error) {
	pin, _, err := u.c.Hubs.ResetMasterCode(ctx, hubID)
	return pin, u.fail(ctx, "ResetHubMasterCode", err)
}

// HubActivityHistory returns a hub's add_device/remove_device activities keyed by event.
func (u *API) HubActivityHistory(ctx context.Context, hubID string, q smarthome.ActivityQuery) (map[string][]smarthome.HubActivity, error) {
	out, _, err := u.c.Hubs.DesiredActivities(ctx, hubID, q)
	return out, u.fail(ctx, "HubActivityHistory", err)
}

// DeviceActivityHistory returns a device's activities keyed by message type.
func (u *API) DeviceActivityHistory(ctx context.Context, deviceID string, q smarthome.ActivityQuery) (map[string][]smarthome.DeviceActivity, error) {
	out, _, err := u.c.Devices.DesiredActivities(ctx, deviceID, q)
	return out, u.fail(ctx, "DeviceActivityHistory", err)
}
