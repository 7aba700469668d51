package upstream

import (
	"context"

	"github.com/keyless/dashboard/smarthome"
)

// portfolioMaxListPages bounds the pages read when a whole list is needed (100 per page: 5,000 items).
const portfolioMaxListPages = 50

// CreateProperty creates a property.
func (u *API) CreateProperty(ctx context.Context, r smarthome.PropertyRequest) (*smarthome.Property, error) {
	p, _, err := u.c.Properties.Create(ctx, r)
	return p, u.fail(ctx, "CreateProperty", err)
}

// UpdateProperty changes the fields set in r.
func (u *API) UpdateProperty(ctx context.Context, id int64, r smarthome.PropertyRequest) (*smarthome.Property, error) {
	p, _, err := u.c.Properties.Update(ctx, id, r)
	return p, u.fail(ctx, "UpdateProperty", err)
}

// DeleteProperty deletes a property with its reservations, invitations, schedules and lock codes.
func (u *API) DeleteProperty(ctx context.Context, id int64) error {
	_, err := u.c.Properties.Delete(ctx, id)
	return u.fail(ctx, "DeleteProperty", err)
}

// UpdateHub changes a hub's descriptive fields and returns its detail.
func (u *API) UpdateHub(ctx context.Context, id string, h smarthome.HubUpdate) (*smarthome.HubDetail, error) {
	d, _, err := u.c.Hubs.Update(ctx, id, h)
	return d, u.fail(ctx, "UpdateHub", err)
}

// AssignDevice moves a device to a property and returns the device as the upstream now has it.
func (u *API) AssignDevice(ctx context.Context, id string, propertyID int64) (*smarthome.Device, error) {
	d, _, err := u.c.Devices.Update(ctx, id, smarthome.DeviceUpdate{PropertyID: &propertyID})
	return d, u.fail(ctx, "AssignDevice", err)
}

// PropertyLockCodes returns every lock code of a property that is not removed, reading all pages.
func (u *API) PropertyLockCodes(ctx context.Context, propertyID int64) ([]smarthome.LockCode, error) {
	var all []smarthome.LockCode
	for page := 1; page <= portfolioMaxListPages; page++ {
		codes, resp, err := u.c.LockCodes.List(ctx, smarthome.LockCodeListOptions{PropertyID: propertyID, Page: page, PerPage: 100})
		if err != nil {
			return nil, u.fail(ctx, "PropertyLockCodes", err)
		}
		all = append(all, codes...)
		if len(codes) < 100 || len(all) >= resp.TotalRecords {
			break
		}
	}
	return all, nil
}

// PropertyInvitations returns every active invitation of a property, reading all pages.
func (u *API) PropertyInvitations(ctx context.Context, propertyID int64) ([]smarthome.Invitation, error) {
	var all []smarthome.Invitation
	seen := 0
	for page := 1; page <= portfolioMaxListPages; page++ {
		invs, resp, err := u.c.Invitations.List(ctx, smarthome.InvitationListOptions{PropertyID: propertyID, Page: page, PerPage: 100})
		if err != nil {
			return nil, u.fail(ctx, "PropertyInvitations", err)
		}
		seen += len(invs)
		for _, inv := range invs {
			if inv.Status != "removed" {
				all = append(all, inv)
			}
		}
		if len(invs) < 100 || seen >= resp.TotalRecords {
			break
		}
	}
	return all, nil
}

// UpdateDeviceDetails renames a device (device_name) and sets its resident-facing name (occupant_setting); nil
// fields are not sent. It returns the device as the upstream now has it.
func (u *API) UpdateDeviceDetails(ctx context.Context, id string, name, occupantSetting *string) (*smarthome.Device, error) {
	d, _, err := u.c.Devices.Update(ctx, id, smarthome.DeviceUpdate{DeviceName: name, OccupantSetting: occupantSetting})
	return d, u.fail(ctx, "UpdateDeviceDetails", err)
}
