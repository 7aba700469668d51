package handlers

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/domain/mirror"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// maxPortfolioForm bounds a posted portfolio form; its fields fit in a fraction of this.
const maxPortfolioForm = 16 << 10

// readPropertyForm reads and validates the property form; every field is required, as the upstream requires on
// create (an edit sends them all too, so the form always shows what will be stored).
func readPropertyForm(form url.Values) (views.PropertyFormData, []string) {
	f := views.PropertyFormData{Name: strings.TrimSpace(form.Get("name")), StreetAddress: strings.TrimSpace(form.Get("street_address")),
		City: strings.TrimSpace(form.Get("city")), State: strings.TrimSpace(form.Get("state")),
		Zipcode: strings.TrimSpace(form.Get("zipcode")), TimeZone: strings.TrimSpace(form.Get("time_zone")), Zones: editTimeZones}
	var problems []string
	for _, p := range []string{
		checkEditText("Name", f.Name, maxPropertyName, true),
		checkEditText("Street address", f.StreetAddress, maxStreet, true),
		checkEditText("City", f.City, maxCity, true),
		checkEditText("State", f.State, maxState, true),
		checkEditZipcode(f.Zipcode, true),
		checkEditTimeZone(f.TimeZone),
	} {
		if p != "" {
			problems = append(problems, p)
		}
	}
	return f, problems
}

// propertyRequest sends every field of the form.
func propertyRequest(f views.PropertyFormData) smarthome.PropertyRequest {
	return smarthome.PropertyRequest{Name: &f.Name, StreetAddress: &f.StreetAddress, City: &f.City, State: &f.State,
		Zipcode: &f.Zipcode, TimeZone: &f.TimeZone}
}

func renderPropertyForm(w http.ResponseWriter, r *http.Request, status int, f views.PropertyFormData) error {
	title := "New property"
	if f.ID != "" {
		title = "Edit " + f.Name
	}
	return render(w, r, status, views.PropertyFormPage(pageMeta(r, title, views.NavProperties), f))
}

// handlePropertyNew shows the empty property form.
func handlePropertyNew(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		return renderPropertyForm(w, r, http.StatusOK, views.PropertyFormData{Zones: editTimeZones})
	})
}

// handlePropertyCreate creates a property upstream, then mirrors and audits it, and opens its page.
func handlePropertyCreate(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		r.Body = http.MaxBytesReader(w, r.Body, maxPortfolioForm)
		if err := r.ParseForm(); err != nil {
			return badRequest("The form could not be read (is it too large?). Nothing was changed.", err)
		}
		f, problems := readPropertyForm(r.PostForm)
		if len(problems) > 0 {
			f.Errors = problems
			return renderPropertyForm(w, r, http.StatusUnprocessableEntity, f)
		}
		rec := auditRecord{action: "property.create", targetType: "property", detail: fmt.Sprintf("%q, %s", clip.String(f.Name, 100), f.TimeZone)}
		p, err := d.Upstream.CreateProperty(r.Context(), propertyRequest(f))
		if err != nil {
			rec.outcome, rec.detail = "failed", rec.detail+": "+clip.String(writeRefusal(err), 200)
			audit(r, d.Store, d.Logger, rec)
			status, msg := writeFailure(err)
			f.Errors = []string{msg}
			return renderPropertyForm(w, r, status, f)
		}
		rec.targetID, rec.propertyID, rec.outcome = strconv.FormatInt(p.ID, 10), &p.ID, "ok"
		if err := d.Store.UpsertProperty(r.Context(), mirror.Property(*p)); err != nil {
			rec.detail += "; local copy not updated"
			audit(r, d.Store, d.Logger, rec)
			return editMirrorLag(err)
		}
		audit(r, d.Store, d.Logger, rec)
		redirect(w, r, "/properties/"+strconv.FormatInt(p.ID, 10)+"?flash=property-created")
		return nil
	})
}

// handlePropertyEditForm shows the property form filled from the mirror.
func handlePropertyEditForm(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		p, err := d.Store.Property(r.Context(), id)
		if err != nil {
			return err
		}
		return renderPropertyForm(w, r, http.StatusOK, views.PropertyFormData{ID: strconv.FormatInt(p.ID, 10), Name: p.Name,
			StreetAddress: p.StreetAddress, City: p.City, State: p.State, Zipcode: p.Zipcode, TimeZone: p.TimeZone, Zones: editTimeZones})
	})
}

// handlePropertyUpdate saves the property upstream, then mirrors and audits it, and goes back to its page.
func handlePropertyUpdate(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		old, err := d.Store.Property(r.Context(), id)
		if err != nil {
			return err
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxPortfolioForm)
		if err := r.ParseForm(); err != nil {
			return badRequest("The form could not be read (is it too large?). Nothing was changed.", err)
		}
		f, problems := readPropertyForm(r.PostForm)
		f.ID = strconv.FormatInt(id, 10)
		if len(problems) > 0 {
			f.Errors = problems
			return renderPropertyForm(w, r, http.StatusUnprocessableEntity, f)
		}
		rec := auditRecord{action: "property.update", targetType: "property", targetID: f.ID, propertyID: &id,
			detail: propertyChanges(old.Name, old.StreetAddress, old.City, old.State, old.Zipcode, old.TimeZone, f)}
		p, err := d.Upstream.UpdateProperty(r.Context(), id, propertyRequest(f))
		if err != nil {
			rec.outcome, rec.detail = "failed", rec.detail+": "+clip.String(writeRefusal(err), 200)
			audit(r, d.Store, d.Logger, rec)
			status, msg := writeFailure(err)
			f.Errors = []string{msg}
			return renderPropertyForm(w, r, status, f)
		}
		rec.outcome = "ok"
		if err := d.Store.UpsertProperty(r.Context(), mirror.Property(*p)); err != nil {
			rec.detail += "; local copy not updated"
			audit(r, d.Store, d.Logger, rec)
			return editMirrorLag(err)
		}
		audit(r, d.Store, d.Logger, rec)
		redirect(w, r, "/properties/"+f.ID+"?flash=property-saved")
		return nil
	})
}

// propertyChanges names the changed fields for the audit log ("name, time zone Europe/Paris → America/Chicago").
func propertyChanges(name, street, city, state, zip, zone string, f views.PropertyFormData) string {
	var changed []string
	for _, c := range []struct{ label, old, new string }{{"name", name, f.Name}, {"street address", street, f.StreetAddress},
		{"city", city, f.City}, {"state", state, f.State}, {"zipcode", zip, f.Zipcode}} {
		if c.old != c.new {
			changed = append(changed, c.label)
		}
	}
	if zone != f.TimeZone {
		changed = append(changed, "time zone "+zone+" → "+f.TimeZone)
	}
	if len(changed) == 0 {
		return "no field changed"
	}
	return "changed " + strings.Join(changed, ", ")
}
