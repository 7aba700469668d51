package handlers

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/mirror"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

func renderHubForm(w http.ResponseWriter, r *http.Request, status int, f views.HubFormData) error {
	return render(w, r, status, views.HubFormPage(pageMeta(r, "Edit "+cmp.Or(f.HomeName, "hub"), views.NavHubs), f))
}

// handleHubEditForm shows the hub form. The mirror keeps only the hub's one-line address, so the address fields
// come from the upstream; if it cannot be read the form still works and says that empty fields stay unchanged.
func handleHubEditForm(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		h, err := d.Store.Hub(r.Context(), r.PathValue("id"))
		if err != nil {
			return err
		}
		f := views.HubFormData{ID: h.ID, Serial: h.SerialNo, HomeName: h.HomeName, TimeZone: h.TimeZone, Zones: editTimeZones}
		if up, err := d.Upstream.Hub(r.Context(), h.ID); err != nil {
			f.Notice = "The hub's current address could not be read from the Smart Home service (" + upstream.ErrorText(err) +
				"). Fields left empty keep their current value."
		} else {
			f.HomeName, f.StreetAddress, f.City, f.State = up.HomeName, up.StreetAddress, up.City, up.State
			f.Zipcode, f.TimeZone = up.Zipcode.String(), cmp.Or(up.Settings.TimeZone, up.TimeZone, h.TimeZone)
		}
		return renderHubForm(w, r, http.StatusOK, f)
	})
}

// readHubForm validates the hub form: home name and time zone are required, address fields are optional (empty
// keeps the upstream's value).
func readHubForm(form url.Values, f views.HubFormData) (views.HubFormData, smarthome.HubUpdate, []string) {
	f.HomeName, f.StreetAddress = strings.TrimSpace(form.Get("home_name")), strings.TrimSpace(form.Get("street_address"))
	f.City, f.State = strings.TrimSpace(form.Get("city")), strings.TrimSpace(form.Get("state"))
	f.Zipcode, f.TimeZone = strings.TrimSpace(form.Get("zipcode")), strings.TrimSpace(form.Get("time_zone"))
	var problems []string
	for _, p := range []string{
		checkEditText("Home name", f.HomeName, maxPropertyName, true),
		checkEditText("Street address", f.StreetAddress, maxStreet, false),
		checkEditText("City", f.City, maxCity, false),
		checkEditText("State", f.State, maxState, false),
		checkEditZipcode(f.Zipcode, false),
		checkEditTimeZone(f.TimeZone),
	} {
		if p != "" {
			problems = append(problems, p)
		}
	}
	opt := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	u := smarthome.HubUpdate{HomeName: &f.HomeName, StreetAddress: opt(f.StreetAddress), City: opt(f.City),
		State: opt(f.State), Zipcode: opt(f.Zipcode), Settings: &smarthome.HubSettingsUpdate{TimeZone: &f.TimeZone}}
	return f, u, problems
}

// handleHubUpdate saves the hub upstream, mirrors the detail it answers with, audits, and goes back to the hub.
func handleHubUpdate(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		old, err := d.Store.Hub(ctx, r.PathValue("id"))
		if err != nil {
			return err
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxPortfolioForm)
		if err := r.ParseForm(); err != nil {
			return badRequest("The form could not be read (is it too large?). Nothing was changed.", err)
		}
		f, u, problems := readHubForm(r.PostForm, views.HubFormData{ID: old.ID, Serial: old.SerialNo, Zones: editTimeZones})
		if len(problems) > 0 {
			f.Errors = problems
			return renderHubForm(w, r, http.StatusUnprocessableEntity, f)
		}
		rec := auditRecord{action: "hub.update", targetType: "hub", targetID: old.ID, propertyID: old.PropertyID,
			detail: hubChanges(old, f)}
		detail, err := d.Upstream.UpdateHub(ctx, old.ID, u)
		if err != nil {
			rec.outcome, rec.detail = "failed", rec.detail+": "+clip.String(writeRefusal(err), 200)
			audit(r, d.Store, d.Logger, rec)
			status, msg := writeFailure(err)
			f.Errors = []string{msg}
			return renderHubForm(w, r, status, f)
		}
		rec.outcome = "ok"
		h := mirror.Hub(smarthome.HubSummary{Status: old.Status}, detail)
		if h.PropertyID != nil {
			if _, err := d.Store.Property(ctx, *h.PropertyID); errors.Is(err, db.ErrNotFound) {
				h.PropertyID = nil // a property the mirror lacks: as the sync does, keep the hub unassigned until it arrives
			}
		}
		if err := d.Store.UpsertHub(ctx, h); err != nil {
			rec.detail += "; local copy not updated"
			audit(r, d.Store, d.Logger, rec)
			return editMirrorLag(err)
		}
		audit(r, d.Store, d.Logger, rec)
		redirect(w, r, "/hubs/"+url.PathEscape(old.ID)+"?flash=hub-saved")
		return nil
	})
}

// hubChanges names what the form changes, for the audit log.
func hubChanges(old db.Hub, f views.HubFormData) string {
	var changed []string
	if old.HomeName != f.HomeName {
		changed = append(changed, "home name")
	}
	if f.StreetAddress != "" || f.City != "" || f.State != "" || f.Zipcode != "" {
		changed = append(changed, "address")
	}
	if old.TimeZone != f.TimeZone {
		changed = append(changed, "time zone "+old.TimeZone+" → "+f.TimeZone)
	}
	if len(changed) == 0 {
		return "no field changed"
	}
	return "changed " + strings.Join(changed, ", ")
}
