package smarthome

import (
	"context"
	"net/http"
	"strconv"
)

// ClearCodeSlot asks a lock to empty one code slot, whatever PIN it holds: the way to remove a PIN programmed at
// the keypad, which no lock code of the API represents (a lock code is removed with LockCodes.Delete). The lock
// applies it after a delay and reports lock_code_deleted.
//
// API: DELETE /api/devices/{device_id}/codes/{slot} [INF: smarthome/CONTRACT.md]
func (s *DevicesService) ClearCodeSlot(ctx context.Context, deviceID string, slot int) (*Response, error) {
	if deviceID == "" {
		return nil, validationError("device id is required")
	}
	if slot < 1 {
		return nil, validationError("slot %d: slots are numbered from 1", slot)
	}
	return s.client.send(ctx, http.MethodDelete, path(nil, "devices", deviceID, "codes", strconv.Itoa(slot)), nil, nil)
}
