package simulator

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// hubUpdateRequest is PUT /api/hubs/{id} (CONTRACT.md, Hubs); any subset.
type hubUpdateRequest struct {
	HomeName      *string `json:"home_name"`
	Address       *string `json:"address"` // accepted as street_address when that is absent
	StreetAddress *string `json:"street_address"`
	City          *string `json:"city"`
	State         *string `json:"state"`
	Zipcode       *string `json:"zipcode"`
	Settings      *struct {
		TimeZone *string `json:"time_zone"`
	} `json:"settings"`
}

// handleHubUpdate: PUT /api/hubs/{id} [INF] → HubDetail.
func (s *Simulator) handleHubUpdate(w http.ResponseWriter, r *http.Request, p principal) error {
	var req hubUpdateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.StreetAddress == nil {
		req.StreetAddress = req.Address
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.lookupHub(r, p)
	if err != nil {
		return err
	}
	updated := *h
	for _, f := range []struct {
		name string
		v    *string
		dst  *string
	}{{"home_name", req.HomeName, &updated.HomeName}, {"street_address", req.StreetAddress, &updated.StreetAddress},
		{"city", req.City, &updated.City}, {"state", req.State, &updated.State}, {"zipcode", req.Zipcode, &updated.Zipcode}} {
		if f.v == nil {
			continue
		}
		if v := strings.TrimSpace(*f.v); v == "" || len(v) > 200 {
			return unprocessable(f.name + " must be 1 to 200 characters")
		}
		*f.dst = strings.TrimSpace(*f.v)
	}
	if req.Settings != nil && req.Settings.TimeZone != nil {
		if !validZone(*req.Settings.TimeZone) {
			return unprocessable("settings.time_zone must be an IANA time zone, e.g. America/Chicago")
		}
		updated.TimeZone = *req.Settings.TimeZone
	}
	*h = updated
	s.changed()
	writeJSON(w, http.StatusOK, s.hubDetail(h))
	return nil
}

// handleResetMasterCode: PUT /api/hubs/{id}/reset_master_code [INF]; only the "Hub Installer" role [DOC D-overview].
func (s *Simulator) handleResetMasterCode(w http.ResponseWriter, r *http.Request, p principal) error {
	if !p.hasRole(RoleHubInstaller) {
		return forbidden("Only Hub Installer can reset master code")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.lookupHub(r, p)
	if err != nil {
		return err
	}
	code := randomDigits(s.st.rng, 6)
	for code == h.MasterCode {
		code = randomDigits(s.st.rng, 6)
	}
	h.MasterCode = code
	s.changed()
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "master_code": code})
	return nil
}

// hubCommandJob is a hub command waiting for the hub to carry it out.
type hubCommandJob struct {
	CommandID  string `json:"command_id"`
	Command    string `json:"command"`
	NodeID     string `json:"node_id,omitempty"`
	DeviceType string `json:"device_type,omitempty"` // add_device: the type to pair; empty pairs a switch
}

var hubCommands = []string{"refresh", "reboot", "add_device", "remove_device", "update_firmware"}

// handleHubCommand: POST /api/hubs/{id}/commands {"command", "node_id", "device_type"} [INF]. device_type goes
// only with add_device and names the type the installer is pairing (a real hub learns it from the device).
func (s *Simulator) handleHubCommand(w http.ResponseWriter, r *http.Request, p principal) error {
	var req struct {
		Command    string     `json:"command"`
		NodeID     flexString `json:"node_id"`
		DeviceType string     `json:"device_type"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	switch {
	case !slices.Contains(hubCommands, req.Command):
		return unprocessable("Unknown command: command must be one of " + strings.Join(hubCommands, ", "))
	case req.Command == "remove_device" && req.NodeID == "":
		return unprocessable("node_id is required for remove_device")
	case req.Command != "remove_device" && req.NodeID != "":
		return unprocessable("node_id is only used with remove_device")
	case req.Command != "add_device" && req.DeviceType != "":
		return unprocessable("device_type is only used with add_device")
	case req.DeviceType != "" && !slices.Contains(allDeviceTypes, req.DeviceType):
		return unprocessable("Unknown device_type: device_type must be one of " + strings.Join(allDeviceTypes, ", "))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.lookupHub(r, p)
	if err != nil {
		return err
	}
	if !h.Online {
		return conflict("Hub is offline")
	}
	cmd := &hubCommandJob{CommandID: newUUID(s.st.rng), Command: req.Command, NodeID: string(req.NodeID),
		DeviceType: req.DeviceType}
	s.schedule(job{Due: s.clock.Now().Add(s.opts.CommandDelay), Kind: jobHubCommand, HubID: h.ID, HubCommand: cmd})
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "message": "Command sent", "command_id": cmd.CommandID})
	return nil
}

// applyHubCommand is the hub carrying out a command and publishing its reply (the MQTT response).
func (s *Simulator) applyHubCommand(j *job) {
	h := s.st.Hubs[j.HubID]
	if h == nil || !h.Online || j.HubCommand == nil {
		return // an offline hub never hears it, and so never answers
	}
	c, at := j.HubCommand, j.Due
	status, msg := "ok", ""
	switch c.Command {
	case "refresh":
		h.LastRefresh, msg = at, "Refresh complete"
	case "reboot":
		h.HeartBeat, msg = at, "Reboot complete"
	case "update_firmware":
		h.FwVer = bumpVersion(h.FwVer)
		msg = "Firmware updated to " + h.FwVer
	case "add_device":
		d := s.includeDevice(h, cmp.Or(c.DeviceType, "switch"), at)
		msg = fmt.Sprintf("Device included at node %d (%s)", d.NodeID, d.Type)
	case "remove_device":
		status, msg = s.excludeNode(h, c.NodeID, at)
	}
	h.MQTT = &mqttResponse{CommandID: c.CommandID, Command: c.Command, ReceivedAt: at, Status: status, Message: msg}
}

// bumpVersion increments the last number of a dotted version ("2.4.7" → "2.4.8").
func bumpVersion(v string) string {
	i := strings.LastIndex(v, ".")
	n, err := strconv.Atoi(v[i+1:])
	if err != nil {
		return v + ".1"
	}
	return v[:i+1] + strconv.Itoa(n+1)
}

// includeDevice adds a new device to h at its next node id and reports add_device. Callers hold s.mu.
func (s *Simulator) includeDevice(h *hub, deviceType string, at time.Time) *device {
	node := h.NextNode
	h.NextNode++
	d := newDevice(s.st.rng, h, deviceType, fmt.Sprintf("%s %d", typeName(deviceType), node), node, at)
	s.st.Devices[d.ID] = d
	s.st.invalidate()
	s.emit(target{hub: h, dev: d}, "hub", "add_device", strconv.Itoa(node), "", at)
	return d
}

// typeName is a device type as a name ("garage_door" → "Garage door"), for newly paired devices.
func typeName(t string) string {
	n := strings.ReplaceAll(t, "_", " ")
	if n == "" {
		return "Device"
	}
	return strings.ToUpper(n[:1]) + n[1:]
}

// excludeNode removes the device at node from h and reports remove_device.
func (s *Simulator) excludeNode(h *hub, node string, at time.Time) (status, msg string) {
	for _, d := range s.st.idx().devsByHub[h.ID] {
		if strconv.Itoa(d.NodeID) != node {
			continue
		}
		s.emit(target{hub: h, dev: d}, "hub", "remove_device", node, "", at)
		s.forgetDevice(d)
		if h.RemovedNodes == nil {
			h.RemovedNodes = map[string]string{}
		}
		h.RemovedNodes[node] = "delete"
		return "ok", "Device at node " + node + " excluded"
	}
	return "error", "Node " + node + " not found"
}

// forgetDevice deletes d and every reference to it. Callers hold s.mu.
func (s *Simulator) forgetDevice(d *device) {
	delete(s.st.Devices, d.ID)
	for _, lc := range s.st.LockCodes {
		for i := range lc.Devices {
			if e := &lc.Devices[i]; e.DeviceID == d.ID && e.Status != codeRemoved {
				e.Status, e.Slot = codeRemoved, 0
			}
		}
		s.dropIfRemoved(lc) // a code whose only lock left targets nothing
	}
	for _, sc := range s.st.Schedules {
		sc.DeviceIDs = slices.DeleteFunc(sc.DeviceIDs, func(id string) bool { return id == d.ID })
	}
	s.st.invalidate()
}

// handleMQTTResponse: GET /api/hubs/{id}/mqtt_response [INF] → the hub's reply to its last command.
func (s *Simulator) handleMQTTResponse(w http.ResponseWriter, r *http.Request, p principal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, err := s.lookupHub(r, p)
	if err != nil {
		return err
	}
	if h.MQTT == nil {
		return notFound("No MQTT response for this hub")
	}
	m := h.MQTT
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "hub_id": h.ID, "command_id": m.CommandID,
		"command": m.Command, "received_at": rfc3339(m.ReceivedAt),
		"response": map[string]string{"status": m.Status, "message": m.Message}})
	return nil
}
