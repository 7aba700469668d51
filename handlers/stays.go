package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/stays"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// accessFormBytes is the largest form body a reservation, invitation, guest-link or move-out form accepts.
const accessFormBytes = 64 << 10

// stayPages are the reservation, invitation, guest-link and move-out pages: the server's collaborators, of which
// Deps.Stays holds the rules.
type stayPages struct {
	Deps
}

// refreshNotice is what a page says when the upstream could not be read: the mirror it shows may be behind.
func (a *stayPages) refreshNotice(r *http.Request, err error) string {
	if err == nil {
		return ""
	}
	a.Logger.LogAttrs(r.Context(), slog.LevelWarn, "access refresh failed", slog.Any("err", err))
	return "The Smart Home service could not be read just now (" + upstream.ErrorText(err) +
		"); this shows what the dashboard last knew. Reload in a minute."
}

// upstreamProblem turns an upstream failure into the status and message a form shows: what failed and what to do.
// The upstream's own message is included where it explains a refusal (templ escapes it).
func upstreamProblem(err error) (int, string) {
	var apiErr *smarthome.ErrorResponse
	msg := strings.TrimSuffix(upstream.Message(err), ".")
	if !errors.As(err, &apiErr) && errors.Is(err, smarthome.ErrValidation) {
		msg = strings.TrimPrefix(err.Error(), smarthome.ErrValidation.Error()+": ") // the client's check, before sending
	}
	switch {
	case upstream.Class(err) != "":
		return faultAnswer(upstream.Class(err))
	case errors.Is(err, smarthome.ErrValidation):
		return http.StatusUnprocessableEntity, "The Smart Home service did not accept this: " + msg +
			". Nothing was changed; correct the form and send it again."
	case errors.Is(err, smarthome.ErrConflict):
		return http.StatusConflict, "The Smart Home service refused this because of a conflict: " + msg +
			". Nothing was changed; reload the page to see the current state."
	case errors.Is(err, smarthome.ErrNotFound):
		return http.StatusNotFound, "The Smart Home service no longer has this item (" + msg +
			"). Nothing was changed; reload the property page."
	case errors.Is(err, smarthome.ErrRateLimited):
		return http.StatusServiceUnavailable, "The Smart Home service is busy. Nothing was changed; send the form again in a minute."
	case errors.Is(err, smarthome.ErrUnauthorized):
		return http.StatusBadGateway, "The Smart Home service rejected the dashboard's credentials. Nothing was changed; " +
			"ask an administrator to check SMARTHOME_USERNAME and SMARTHOME_PASSWORD."
	case errors.Is(err, smarthome.ErrForbidden):
		return http.StatusForbidden, "The Smart Home service does not allow this for the dashboard's account: " + msg +
			". Nothing was changed; ask an administrator."
	default:
		return http.StatusBadGateway, "The Smart Home service failed or did not answer. Nothing was saved in the " +
			"dashboard; reload the page in a minute to check whether the change arrived before sending it again."
	}
}

// codeStatus reads a code's state and shows it; pollURL is kept while a change is in flight or the state could
// not be read, so the fragment asks again. names maps device ids to lock names.
func (a *stayPages) codeStatus(ctx context.Context, lockCodeID string, names map[string]string, loc *time.Location,
	domid, pollURL string) views.CodeStatusData {
	if lockCodeID == "" {
		return codeStatusOf(stays.Reading{}, lockCodeID, names, loc, domid, pollURL)
	}
	st, err := a.Stays.CodeState(ctx, lockCodeID)
	return codeStatusOf(stays.Reading{State: st, Err: err}, lockCodeID, names, loc, domid, pollURL)
}

// codeStatusOf shows a code's state as read.
func codeStatusOf(rd stays.Reading, lockCodeID string, names map[string]string, loc *time.Location,
	domid, pollURL string) views.CodeStatusData {
	out := views.CodeStatusData{DOMID: domid}
	if lockCodeID == "" {
		out.Summary, out.Kind = "No code: the property had no lock when this was made", "muted"
		return out
	}
	if rd.Err != nil {
		out.Error = "The code's state could not be read from the Smart Home service (" + upstream.ErrorText(rd.Err) + "); it is asked again."
		out.PollURL = pollURL
		return out
	}
	st := rd.State
	if st.Removed() {
		out.Summary, out.Kind = "Removed from every lock", "ok"
	}
	counts := map[string]int{}
	for _, d := range st.Devices {
		counts[d.Status]++
		l := views.CodeLockData{Name: names[d.DeviceID], Status: d.Status, Error: d.Error}
		if l.Name == "" {
			l.Name = "Lock " + clip.String(d.DeviceID, 8)
		}
		upd := d.UpdatedAt
		l.Updated, l.UpdatedISO = localTimes(&upd, loc)
		out.Locks = append(out.Locks, l)
	}
	n := len(st.Devices)
	switch {
	case out.Summary != "":
	case counts[smarthome.CodeRemoving] > 0:
		out.Summary, out.Kind = fmt.Sprintf("Being removed: %d of %d locks done", counts[smarthome.CodeRemoved], n), "warn"
	case counts[smarthome.CodeSetting] > 0:
		out.Summary, out.Kind = fmt.Sprintf("Being set: %d of %d locks done", counts[smarthome.CodeSet], n), "info"
	case counts[smarthome.CodeFailed] > 0:
		out.Summary, out.Kind = fmt.Sprintf("Failed on %d of %d locks", counts[smarthome.CodeFailed], n), "danger"
	case n == 0:
		out.Summary, out.Kind = "On no lock", "muted"
	default:
		out.Summary, out.Kind = fmt.Sprintf("Set on %d of %d locks", counts[smarthome.CodeSet], n), "ok"
	}
	if counts[smarthome.CodeRemoving] > 0 || counts[smarthome.CodeSetting] > 0 {
		out.PollURL = pollURL
	}
	return out
}

// lockNames maps the ids of a property's devices to their names, for the per-lock rows.
func (a *stayPages) lockNames(ctx context.Context, propertyID int64) (map[string]string, error) {
	devs, err := a.Store.DevicesByProperty(ctx, propertyID)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(devs))
	for _, d := range devs {
		names[d.ID] = deviceName(d)
	}
	return names, nil
}
