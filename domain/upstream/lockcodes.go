package upstream

import (
	"context"

	"github.com/keyless/dashboard/smarthome"
)

// maxLockCodePages bounds one property's lock-code listing (100 a page): a runaway upstream cannot keep a sync going.
const maxLockCodePages = 50

// ListPropertyLockCodes returns every live lock code of a property, all pages.
func (u *API) ListPropertyLockCodes(ctx context.Context, propertyID int64) ([]smarthome.LockCode, error) {
	var all []smarthome.LockCode
	for page := 1; page <= maxLockCodePages; page++ {
		codes, resp, err := u.c.LockCodes.List(ctx, smarthome.LockCodeListOptions{PropertyID: propertyID, Page: page, PerPage: 100})
		if err != nil {
			return nil, u.fail(ctx, "ListPropertyLockCodes", err)
		}
		all = append(all, codes...)
		if len(codes) < 100 || (resp != nil && resp.TotalRecords > 0 && len(all) >= resp.TotalRecords) {
			break
		}
	}
	return all, nil
}

// GetLockCode returns one lock code with its per-lock states.
func (u *API) GetLockCode(ctx context.Context, id string) (*smarthome.LockCode, error) {
	lc, _, err := u.c.LockCodes.Get(ctx, id)
	return lc, u.fail(ctx, "GetLockCode", err)
}

// CreateLockCode creates a lock code; the locks take it asynchronously.
func (u *API) CreateLockCode(ctx context.Context, r smarthome.LockCodeRequest) (*smarthome.LockCode, error) {
	lc, _, err := u.c.LockCodes.Create(ctx, r)
	return lc, u.fail(ctx, "CreateLockCode", err)
}

// UpdateLockCode changes a lock code; its locks go back to setting (which is also how a failed code is retried).
func (u *API) UpdateLockCode(ctx context.Context, id string, up smarthome.LockCodeUpdate) (*smarthome.LockCode, error) {
	lc, _, err := u.c.LockCodes.Update(ctx, id, up)
	return lc, u.fail(ctx, "UpdateLockCode", err)
}

// DeleteLockCode starts removing a lock code from its locks.
func (u *API) DeleteLockCode(ctx context.Context, id string) error {
	_, err := u.c.LockCodes.Delete(ctx, id)
	return u.fail(ctx, "DeleteLockCode", err)
}

// ReadLockSlots reads a lock's code slots as the lock reports them now (slot → PIN; nil for an empty slot).
func (u *API) ReadLockSlots(ctx context.Context, deviceID string) (smarthome.CodeSlots, error) {
	dev, _, err := u.c.Devices.Get(ctx, deviceID)
	if err != nil {
		return nil, u.fail(ctx, "ReadLockSlots", err)
	}
	st, err := dev.LockStatus()
	if err != nil {
		return nil, err
	}
	return st.Codes, nil
}

// IssueHubUnlock asks for a one-off hub unlock code (mls_unlock).
func (u *API) IssueHubUnlock(ctx context.Context, r smarthome.HubUnlockRequest) (smarthome.PIN, error) {
	pin, _, err := u.c.Unlocks.HubUnlock(ctx, r)
	return pin, u.fail(ctx, "IssueHubUnlock", err)
}

// IssueUnlockV2 asks for a one-off lockbox, Rently Blue or Smart Bolt code (v2 mls_unlock).
func (u *API) IssueUnlockV2(ctx context.Context, r smarthome.UnlockV2Request) (smarthome.PIN, error) {
	pin, _, err := u.c.Unlocks.UnlockV2(ctx, r)
	return pin, u.fail(ctx, "IssueUnlockV2", err)
}

// ClearLockSlot empties one slot of a lock, whatever PIN it holds: the drift page's remedy for a PIN nobody issued.
func (u *API) ClearLockSlot(ctx context.Context, deviceID string, slot int) error {
	_, err := u.c.Devices.ClearCodeSlot(ctx, deviceID, slot)
	return u.fail(ctx, "ClearLockSlot", err)
}
