package handlers

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/views"
)

// driftReport compares the scope's locks with the codes issued for its property (access.Service.Drift) and words
// the result for the drift page.
func (s *lockCodeRoutes) driftReport(ctx context.Context, sc lcScope) (views.DriftPageData, error) {
	dr, err := s.svc.Drift(ctx, sc.property.ID, sc.locks)
	d := views.DriftPageData{PropertyID: sc.propertyID(), PropertyName: sc.property.Name,
		TimeZone: cmp.Or(sc.property.TimeZone, "UTC")}
	d.Checked, d.CheckedISO = localTimes(&dr.Checked, sc.loc)
	if dr.SyncErr != nil {
		_, msg := classify(dr.SyncErr)
		d.Notice = "The code list could not be refreshed first (" + msg + "); it is compared as last known."
	}
	if err != nil {
		return d, err
	}
	if dr.Unreadable > 0 {
		d.Notice = fmt.Sprintf("%d issued code(s) could not be read here; a slot holding one of them shows as unknown. "+
			"Check again after the next sync.", dr.Unreadable)
	}
	for _, ld := range dr.Locks {
		dl := driftLockData(ld, sc, dr.CanClear)
		d.Differences += len(dl.Items)
		d.Locks = append(d.Locks, dl)
	}
	return d, nil
}

// driftLockData words one lock's differences and offers their remedies.
func driftLockData(ld access.LockDrift, sc lcScope, clearer bool) views.DriftLockData {
	dl := views.DriftLockData{DeviceID: ld.Lock.ID, Name: deviceName(ld.Lock), SlotsTotal: ld.SlotsTotal}
	if ld.Err != nil {
		_, msg := classify(ld.Err)
		dl.Error = "This lock could not be read: " + msg
		return dl
	}
	dl.SlotsUsed, dl.Matched, dl.Pending = ld.SlotsUsed, ld.Matched, ld.Pending
	base := lcPropertyPath(sc.property.ID) + "/drift/"
	for _, df := range ld.Diffs {
		it := views.DriftItemData{Kind: string(df.Kind), Slot: df.Slot, DeviceID: ld.Lock.ID, CodeID: df.Code.ID,
			CodeName: df.Code.Name}
		switch df.Kind {
		case access.DriftExpired:
			local, _ := localTimes(&df.Ended, sc.loc)
			it.EndedLocal, it.Remedy, it.RemedyURL = local, "Remove from the lock", base+"remove"
			it.Detail = "Its window ended " + local + ", but the lock still opens with it."
		case access.DriftUnknown:
			n := strconv.Itoa(df.Slot)
			it.Detail = "Slot " + n + " holds a PIN that no live code issued here accounts for: someone may have added it at the keypad."
			if clearer {
				it.Remedy, it.RemedyURL = "Remove from the lock", base+"clear-slot"
				it.AdoptURL = base + "adopt?" + url.Values{"device": {ld.Lock.ID}, "slot": {n}}.Encode()
			} else {
				it.Manual = "Clear slot " + n + " at the lock's keypad with the master code: this Smart Home service offers no remote way to clear a slot."
			}
		case access.DriftMissing:
			it.Remedy, it.RemedyURL = "Send again", base+"resend"
			it.Detail = "Reported set on this lock, but the lock does not hold its PIN (cleared at the keypad?)."
		}
		dl.Items = append(dl.Items, it)
	}
	return dl
}

func driftURL(propertyID int64) string {
	return "/properties/" + url.PathEscape(strconv.FormatInt(propertyID, 10)) + "/drift"
}
