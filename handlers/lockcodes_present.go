package handlers

import (
	"cmp"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// lcFailureText turns the upstream's reason for a failed code into words and what to do about it.
func lcFailureText(reason string) (string, string) {
	switch reason {
	case "hub offline":
		return "Hub offline", "Retry once the hub is back online."
	case "slots full":
		return "No free slot on the lock", "Delete a code from this lock, then retry."
	case "duplicate code":
		return "The lock already holds this PIN", "Choose another PIN, or remove the other one (see Code drift)."
	case "":
		return "Failed (no reason given)", "Retry; if it fails again, check the lock and its hub."
	}
	return "Smart Home error: " + clip.String(reason, 120), "Retry; if it fails again, check the lock and its hub."
}

// lcStatusData is a code's state on one lock, with times in loc.
func lcStatusData(codeID string, dv db.LockCodeDevice, lockName string, loc *time.Location) views.LockCodeStatusData {
	s := views.LockCodeStatusData{CodeID: codeID, DeviceID: dv.DeviceID, LockName: lockName, Status: dv.Status}
	if dv.Slot != nil {
		s.Slot = *dv.Slot
	}
	when := dv.ReportedAt
	s.When, s.WhenISO = localTimes(&when, loc)
	if dv.Status == db.LockCodeFailed {
		s.Reason, s.Advice = lcFailureText(dv.Error)
	}
	return s
}

// lcRowData is a code's row for the viewer p. deviceID narrows it to one lock's list; names maps lock ids to names.
func lcRowData(p *principal, c db.LockCode, names map[string]string, loc *time.Location, deviceID string, now time.Time) views.LockCodeRowData {
	r := views.LockCodeRowData{ID: c.ID, Name: c.Name, Kind: c.ValidityType, CodeType: c.CodeType, DeviceID: deviceID,
		Deleted: c.DeletedAt != nil, CanManage: p.can(auth.ManageAccess), CodeKind: cmp.Or(c.Kind, db.CodeKindStandard),
		Company: c.Company, MaxUses: c.MaxUses, Uses: c.Uses, Adopted: c.AdoptedFrom != ""}
	if v, err := access.ValidityOf(c); err == nil {
		r.Validity, r.Ended = v.Summary(loc), v.Ended(now)
		if v.Kind == smarthome.ValidityNeverExpires {
			r.Kind = "" // the summary says it all
		}
	} else {
		r.Validity = "Unreadable validity"
	}
	switch {
	case c.CreatedBy != nil && c.CreatedByName != "":
		r.IssuedBy = "Issued here by " + c.CreatedByName
	case c.CreatedBy != nil:
		r.IssuedBy = "Issued here"
	default:
		r.IssuedBy = "Made in the Smart Home service (" + cmp.Or(c.CodeType, "code") + ")"
	}
	r.CanReveal = p.can(auth.ManageAccess) && (p.can(auth.RevealAnyCode) || (c.CreatedBy != nil && *c.CreatedBy == p.user.ID))
	for _, dv := range c.Devices {
		if dv.Status == db.LockCodeFailed {
			r.Failed = true
		}
		if deviceID != "" && dv.DeviceID != deviceID {
			continue
		}
		r.Statuses = append(r.Statuses, lcStatusData(c.ID, dv, cmp.Or(names[dv.DeviceID], "Lock"), loc))
	}
	return r
}
