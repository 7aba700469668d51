package handlers

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/bulk"
	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/views"
)

// bulkScope is the properties a bulk form is about, with their locks.
type bulkScope struct {
	props []db.Property
	locks map[int64][]db.Device // property → its locks, by name
}

// bulkProperties reads the chosen properties (values of "property"); unknown ids are left out, more than
// bulk.MaxItems is refused before anything is read.
func (b *bulkRoutes) bulkProperties(r *http.Request, values []string) (bulkScope, error) {
	sc := bulkScope{locks: map[int64][]db.Device{}}
	if len(values) > bulk.MaxItems {
		return sc, &httpError{http.StatusUnprocessableEntity, fmt.Sprintf("%d properties chosen: one bulk action takes "+
			"at most %d. Nothing was sent.", len(values), bulk.MaxItems), nil}
	}
	for _, v := range values {
		id, err := parseID(v)
		if err != nil || sc.locks[id] != nil {
			continue
		}
		p, err := b.d.Store.Property(r.Context(), id)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return sc, err
		}
		devs, err := b.d.Store.DevicesByProperty(r.Context(), id)
		if err != nil {
			return sc, err
		}
		sc.locks[id] = []db.Device{}
		for _, dv := range devs {
			if lcIsLock(dv.Type) {
				sc.locks[id] = append(sc.locks[id], dv)
			}
		}
		sc.props = append(sc.props, p)
	}
	return sc, nil
}

// view is the form for scope sc with what was typed (never the PIN).
func (sc bulkScope) view(token string, f lcForm, problems map[string]string) views.BulkCodeFormData {
	v := views.BulkCodeFormData{Token: token, Name: f.name, Validity: f.validity, Starts: f.starts, Ends: f.ends,
		Errors: problems, MaxItems: bulk.MaxItems}
	for _, p := range sc.props {
		v.PropertyIDs = append(v.PropertyIDs, strconv.FormatInt(p.ID, 10))
		pl := views.BulkPropertyLocks{Name: p.Name, Zone: cmp.Or(p.TimeZone, "UTC")}
		for _, l := range sc.locks[p.ID] {
			pl.Locks = append(pl.Locks, views.BulkLockChoice{ID: l.ID, Name: deviceName(l), Info: lcLockInfo(l),
				Checked: f.devices == nil || slices.Contains(f.devices, l.ID)})
		}
		v.Properties = append(v.Properties, pl)
	}
	return v
}

// handleBulkCodeForm is GET /bulk/code?property=…: the chosen properties' locks (all ticked) and the code's fields.
func handleBulkCodeForm(b *bulkRoutes) http.Handler {
	return withErrors(b.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		sc, err := b.bulkProperties(r, r.URL.Query()["property"])
		if err != nil {
			return err
		}
		v := sc.view(bulkToken(), lcForm{validity: smarthome.ValidityNeverExpires}, nil)
		if len(sc.props) == 0 {
			v.Problem = "Choose at least one property on the bulk access page."
		}
		return render(w, r, http.StatusOK, views.BulkCodePage(pageMeta(r, "One code on many locks", views.NavBulk), v))
	})
}

// bulkGroups splits the chosen locks by property and hub (one upstream code each, its dates in the hub's zone).
func (b *bulkRoutes) bulkGroups(r *http.Request, sc bulkScope, f lcForm, pin smarthome.PIN, problems map[string]string) ([]bulk.CodeGroup, int) {
	var groups []bulk.CodeGroup
	n, now := 0, time.Now().UTC()
	for _, p := range sc.props {
		byHub := map[string][]db.Device{}
		var hubs []string
		for _, l := range sc.locks[p.ID] {
			if slices.Contains(f.devices, l.ID) {
				if byHub[l.HubID] == nil {
					hubs = append(hubs, l.HubID)
				}
				byHub[l.HubID] = append(byHub[l.HubID], l)
				n++
			}
		}
		for _, h := range hubs {
			loc, err := access.TargetZone(r.Context(), b.d.Store, p.TimeZone, byHub[h])
			if err != nil {
				problems["device"] = "The zone of the locks of " + p.Name + " could not be read. Reload the form."
				continue
			}
			v, field, problem := f.validateValidity(loc, now)
			if problem != "" {
				problems[field] = problem + " (" + p.Name + ")"
				continue
			}
			g := bulk.CodeGroup{PropertyID: p.ID, Request: smarthome.LockCodeRequest{Name: f.name, Code: pin}}
			v.Request(&g.Request, loc)
			for _, l := range byHub[h] {
				g.Locks = append(g.Locks, bulk.Lock{ID: l.ID, Label: deviceName(l)})
			}
			groups = append(groups, g)
		}
	}
	return groups, n
}
