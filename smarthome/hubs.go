package smarthome

import (
	"context"
	"net/http"
	"time"
)

// HubsService handles /hubs.
type HubsService service

// List returns one page of hubs; SearchKey matches the home name or the serial number. opts may be nil.
//
// API: GET /api/hubs [CLIENT C-openly; shape FIXTURE; query INF]
func (s *HubsService) List(ctx context.Context, opts *ListOptions) ([]HubSummary, *Response, error) {
	q, err := opts.values()
	if err != nil {
		return nil, nil, err
	}
	var page struct {
		Hubs []HubSummary `json:"hubs"`
	}
	resp, err := s.client.get(ctx, path(q, "hubs"), &page)
	return page.Hubs, resp, err
}

// Get returns a hub's detail, including its reported status object.
//
// API: GET /api/hubs/{hub_id} [CLIENT C-openly; shape FIXTURE]
func (s *HubsService) Get(ctx context.Context, id string) (*HubDetail, *Response, error) {
	h := new(HubDetail)
	resp, err := s.client.get(ctx, path(nil, "hubs", id), h)
	return nilOnErr(h, err), resp, err
}

// Update changes the fields set in u.
//
// API: PUT /api/hubs/{hub_id} [exists DOC D-overview; path and body INF]
func (s *HubsService) Update(ctx context.Context, id string, u HubUpdate) (*HubDetail, *Response, error) {
	h := new(HubDetail)
	resp, err := s.client.send(ctx, http.MethodPut, path(nil, "hubs", id), u, h)
	return nilOnErr(h, err), resp, err
}

// Devices returns the devices of a hub keyed by device type.
//
// API: GET /api/hubs/{hub_id}/devices [CLIENT C-openly; shape FIXTURE]
func (s *HubsService) Devices(ctx context.Context, id string) (DeviceSet, *Response, error) {
	var set DeviceSet
	resp, err := s.client.get(ctx, path(nil, "hubs", id, "devices"), &set)
	return set, resp, err
}

// ResetMasterCode replaces an exposed master code and returns the new one. Only agents with the "Hub Installer"
// role may call it; others get an error matching ErrForbidden.
//
// API: PUT /api/hubs/{hub_id}/reset_master_code [exists DOC D-overview; path INF]
func (s *HubsService) ResetMasterCode(ctx context.Context, id string) (PIN, *Response, error) {
	var reply struct {
		MasterCode PIN `json:"master_code"`
	}
	resp, err := s.client.send(ctx, http.MethodPut, path(nil, "hubs", id, "reset_master_code"), nil, &reply)
	return reply.MasterCode, resp, err
}

// Hub commands accepted by HubsService.Command.
const (
	HubRefresh        = "refresh"
	HubReboot         = "reboot"
	HubAddDevice      = "add_device"    // start Z-Wave inclusion
	HubRemoveDevice   = "remove_device" // exclude the node in NodeID
	HubUpdateFirmware = "update_firmware"
)

// HubCommand is a hub hardware command. NodeID (a Z-Wave node id, digits) goes only with HubRemoveDevice;
// DeviceType (one of DeviceTypes, optional) only with HubAddDevice, naming the type being paired [INF].
type HubCommand struct {
	Command    string `json:"command"`
	NodeID     string `json:"node_id,omitempty"`
	DeviceType string `json:"device_type,omitempty"`
}

// Validate checks the command name, the node id rule and the device type rule.
func (c HubCommand) Validate() error {
	if c.DeviceType != "" && (c.Command != HubAddDevice || !IsDeviceType(c.DeviceType)) {
		return validationError("device_type %q goes only with add_device and must be one of DeviceTypes", c.DeviceType)
	}
	switch c.Command {
	case HubRefresh, HubReboot, HubAddDevice, HubUpdateFirmware:
		if c.NodeID != "" {
			return validationError("hub command %q takes no node_id", c.Command)
		}
	case HubRemoveDevice:
		if !allDigits(c.NodeID) {
			return validationError("remove_device needs a numeric node_id")
		}
	default:
		return validationError("unknown hub command %q", c.Command)
	}
	return nil
}

// HubCommandResult acknowledges a hub command; the outcome arrives later as the hub's MQTT response.
type HubCommandResult struct {
	Message   string `json:"message"`
	CommandID string `json:"command_id"`
}

// Command sends a hub command after validating it. An offline hub answers an error matching ErrConflict.
//
// API: POST /api/hubs/{hub_id}/commands [exists DOC D-overview; path INF]
func (s *HubsService) Command(ctx context.Context, id string, cmd HubCommand) (*HubCommandResult, *Response, error) {
	if err := cmd.Validate(); err != nil {
		return nil, nil, err
	}
	r := new(HubCommandResult)
	resp, err := s.client.send(ctx, http.MethodPost, path(nil, "hubs", id, "commands"), cmd, r)
	return nilOnErr(r, err), resp, err
}

// MQTTResponse is the last message a hub published in reply to a command.
type MQTTResponse struct {
	HubID      string    `json:"hub_id"`
	CommandID  string    `json:"command_id"`
	Command    string    `json:"command"`
	ReceivedAt time.Time `json:"received_at"`
	Response   struct {
		Status  string `json:"status"` // "ok" or "error"
		Message string `json:"message"`
	} `json:"response"`
}

// MQTTResponse returns the hub's last command reply; before any command it is an error matching ErrNotFound.
//
// API: GET /api/hubs/{hub_id}/mqtt_response [exists DOC D-overview; path INF]
func (s *HubsService) MQTTResponse(ctx context.Context, id string) (*MQTTResponse, *Response, error) {
	m := new(MQTTResponse)
	resp, err := s.client.get(ctx, path(nil, "hubs", id, "mqtt_response"), m)
	return nilOnErr(m, err), resp, err
}

// CognitoCredentials is an AWS Cognito developer-authenticated identity for the hub's MQTT topics. Token is a
// credential: String masks it.
type CognitoCredentials struct {
	IdentityID string `json:"identity_id"`
	Token      string `json:"token"`
}

// String masks the token.
func (c CognitoCredentials) String() string {
	return "CognitoCredentials(" + c.IdentityID + ", token ****)"
}

// CognitoCredentials returns the MQTT identity of a hub.
//
// API: GET /api/hubs/{hub_id}/get_cognito_credentials [CLIENT C-mqttdemo]
func (s *HubsService) CognitoCredentials(ctx context.Context, id string) (*CognitoCredentials, *Response, error) {
	c := new(CognitoCredentials)
	resp, err := s.client.get(ctx, path(nil, "hubs", id, "get_cognito_credentials"), c)
	return nilOnErr(c, err), resp, err
}
