package handlers

import (
	"bytes"
	"cmp"
	"context"
	"log/slog"
	"net/url"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/handlers/live"
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
		Deleted: c.DeletedAt != nil, CanManage: p.can(auth.ManageAccess)}
	if v, err := lcValidityOf(c); err == nil {
		r.Validity, r.Ended = v.summary(loc), v.ended(now)
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

// publishChanges pushes the per-lock states of cur that differ from prev (all of them when prev is nil) to the
// pages showing them. The fragment carries the state only: no PIN, no code name.
func (s *lockCodeService) publishChanges(ctx context.Context, prev *db.LockCode, cur db.LockCode) {
	if s.d.Broker == nil {
		return
	}
	old := map[string]db.LockCodeDevice{}
	if prev != nil {
		for _, d := range prev.Devices {
			old[d.DeviceID] = d
		}
	}
	var loc *time.Location
	for _, dv := range cur.Devices {
		if o, ok := old[dv.DeviceID]; ok && o.Status == dv.Status && o.Error == dv.Error && lcEqualSlot(o.Slot, dv.Slot) &&
			o.ReportedAt.Equal(dv.ReportedAt) {
			continue
		}
		if loc == nil {
			p, _ := s.d.Store.Property(ctx, cur.PropertyID)
			loc = tz.Load(p.TimeZone)
		}
		st := lcStatusData(cur.ID, dv, "", loc)
		if dv.Status == db.LockCodeFailed { // the row's actions must now offer Retry, for whoever may use it
			st.ActionsURL = "/lock-codes/" + url.PathEscape(cur.ID) + "/actions"
		}
		var buf bytes.Buffer
		if err := views.LockCodeStatusBody(st).Render(ctx, &buf); err != nil {
			s.d.Logger.Error("render lock-code state", slog.String("code_id", cur.ID), slog.Any("err", err))
			return
		}
		hubID := ""
		if dev, err := s.d.Store.Device(ctx, dv.DeviceID); err == nil {
			hubID = dev.HubID
		}
		s.d.Broker.Publish(live.Event{Name: st.EventName(), Data: buf.Bytes(), PropertyID: cur.PropertyID,
			HubID: hubID, DeviceID: dv.DeviceID, Kind: kindState})
	}
}

func lcEqualSlot(a, b *int) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
