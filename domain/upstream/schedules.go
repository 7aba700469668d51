package upstream

import (
	"context"

	"github.com/keyless/dashboard/smarthome"
)

// DeviceSchedules returns the schedules that fit a device and the one it runs ("" for none).
func (u *API) DeviceSchedules(ctx context.Context, deviceID string) ([]smarthome.Schedule, string, error) {
	ds, _, err := u.c.Schedules.ListForDevice(ctx, deviceID)
	if err != nil {
		return nil, "", u.fail(ctx, "DeviceSchedules", err)
	}
	return ds.Schedules, ds.ActiveScheduleID, nil
}

// CreateSchedule creates a schedule; the client validates it against the device type's rules first.
func (u *API) CreateSchedule(ctx context.Context, r smarthome.ScheduleRequest) (*smarthome.Schedule, error) {
	sc, _, err := u.c.Schedules.Create(ctx, r)
	return sc, u.fail(ctx, "CreateSchedule", err)
}

// UpdateSchedule changes the fields set in r.
func (u *API) UpdateSchedule(ctx context.Context, id string, r smarthome.ScheduleRequest) (*smarthome.Schedule, error) {
	sc, _, err := u.c.Schedules.Update(ctx, id, r)
	return sc, u.fail(ctx, "UpdateSchedule", err)
}

// DeleteSchedule deletes a schedule; the devices running it stop.
func (u *API) DeleteSchedule(ctx context.Context, id string) error {
	_, err := u.c.Schedules.Delete(ctx, id)
	return u.fail(ctx, "DeleteSchedule", err)
}

// ActivateSchedule makes a schedule the device's active one.
func (u *API) ActivateSchedule(ctx context.Context, deviceID, scheduleID string) error {
	_, err := u.c.Schedules.Activate(ctx, deviceID, scheduleID)
	return u.fail(ctx, "ActivateSchedule", err)
}
