package handlers

import (
	"context"
	"net/http"
	"strconv"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// loadMoveOut reads the path's move-out and its property.
func (a *stayPages) loadMoveOut(r *http.Request) (db.MoveOut, db.Property, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return db.MoveOut{}, db.Property{}, notFound()
	}
	m, err := a.Store.MoveOut(r.Context(), id)
	if err != nil {
		return db.MoveOut{}, db.Property{}, err
	}
	p, err := a.Store.Property(r.Context(), m.PropertyID)
	return m, p, err
}

// moveOutProgress has the stays service confirm the removals the hardware has finished, and shows each item's code
// state as just read.
func (a *stayPages) moveOutProgress(ctx context.Context, m db.MoveOut, p db.Property) (views.MoveOutPageData, error) {
	loc := tz.Load(p.TimeZone)
	names, err := a.lockNames(ctx, p.ID)
	if err != nil {
		return views.MoveOutPageData{}, err
	}
	m, readings, err := a.Stays.ConfirmRemovals(ctx, m)
	if err != nil {
		return views.MoveOutPageData{}, err
	}
	id := strconv.FormatInt(m.ID, 10)
	d := views.MoveOutPageData{ID: id, PropertyID: strconv.FormatInt(p.ID, 10), Property: p.Name,
		Who: moveOutWhoText(m.Email), Complete: m.CompletedAt != nil}
	d.Requested, d.RequestedISO = localTimes(&m.RequestedAt, loc)
	d.Completed, _ = localTimes(m.CompletedAt, loc)
	if !d.Complete {
		d.PollURL = "/move-outs/" + id + "/progress"
	}
	for i, it := range m.Items {
		item := views.MoveOutItemData{Kind: it.Kind, Label: it.Label, Confirmed: it.ConfirmedAt != nil}
		if readings[i].Taken() {
			item.CodeStatus = codeStatusOf(readings[i], it.LockCodeID, names, loc, "", "")
		}
		item.ConfirmedAt, _ = localTimes(it.ConfirmedAt, loc)
		if item.Confirmed {
			item.CodeStatus.Summary, item.CodeStatus.Kind = "Removed from every lock", "ok"
			if it.LockCodeID == "" {
				item.CodeStatus.Summary = "There was no code"
			}
		}
		d.Items = append(d.Items, item)
	}
	return d, nil
}

// handleMoveOutPage is GET /move-outs/{id}: the move-out's progress page.
func handleMoveOutPage(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		m, p, err := a.loadMoveOut(r)
		if err != nil {
			return err
		}
		d, err := a.moveOutProgress(r.Context(), m, p)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.MoveOutPage(a.meta(r, "Move-out", views.NavProperties), d))
	})
}

// handleMoveOutProgress is the fragment the progress page polls until every removal is confirmed.
func handleMoveOutProgress(a *stayPages) http.Handler {
	return withErrors(a.Logger, func(w http.ResponseWriter, r *http.Request) error {
		m, p, err := a.loadMoveOut(r)
		if err != nil {
			return err
		}
		d, err := a.moveOutProgress(r.Context(), m, p)
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.MoveOutProgress(d))
	})
}
