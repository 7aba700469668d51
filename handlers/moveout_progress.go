package handlers

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// loadMoveOut reads the path's move-out and its property.
func (a *access) loadMoveOut(r *http.Request) (db.MoveOut, db.Property, error) {
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

// moveOutProgress reads, for every removal not yet confirmed, its code's state from the upstream; removals the
// hardware has now confirmed are recorded, so a finished move-out stops asking.
func (a *access) moveOutProgress(ctx context.Context, m db.MoveOut, p db.Property) (views.MoveOutPageData, error) {
	ctx, cancel := context.WithTimeout(ctx, moveOutTimeout)
	defer cancel()
	loc := tz.Load(p.TimeZone)
	m, statuses, err := a.confirmRemovals(ctx, m, p, loc)
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
		item := views.MoveOutItemData{Kind: it.Kind, Label: it.Label, Confirmed: it.ConfirmedAt != nil, CodeStatus: statuses[i]}
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

// confirmRemovals reads the state of each unconfirmed removal's code and records the ones now gone from every
// lock; it returns the move-out as stored afterwards and each item's code state.
func (a *access) confirmRemovals(ctx context.Context, m db.MoveOut, p db.Property, loc *time.Location) (db.MoveOut, []views.CodeStatusData, error) {
	names, err := a.lockNames(ctx, p.ID)
	if err != nil {
		return m, nil, err
	}
	var confirmed []string
	statuses := make([]views.CodeStatusData, len(m.Items))
	for i, it := range m.Items {
		if it.ConfirmedAt != nil {
			continue
		}
		statuses[i] = a.codeStatus(ctx, it.LockCodeID, names, loc, "", "")
		if st, err := a.readCodeState(ctx, it.LockCodeID); err == nil && st.removed() {
			confirmed = append(confirmed, it.LockCodeID)
		}
	}
	if len(confirmed) == 0 {
		return m, statuses, nil
	}
	if err := a.Store.ConfirmMoveOutCodes(ctx, m.ID, confirmed, a.now()); err != nil {
		return m, nil, err
	}
	m, err = a.Store.MoveOut(ctx, m.ID)
	return m, statuses, err
}

// handleMoveOutPage is GET /move-outs/{id}: the move-out's progress page.
func handleMoveOutPage(a *access) http.Handler {
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
func handleMoveOutProgress(a *access) http.Handler {
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
