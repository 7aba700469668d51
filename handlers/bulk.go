package handlers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/bulk"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// bulkRoutes serves the bulk access pages; svc runs the actions in the background.
type bulkRoutes struct {
	d   Deps
	lc  *lockCodeRoutes
	svc *bulk.Service
}

func newBulkRoutes(d Deps, lc *lockCodeRoutes) *bulkRoutes {
	return &bulkRoutes{d: d, lc: lc, svc: bulk.New(d.Logger, d.Store, lc.svc, d.Stays)}
}

func bulkURL(id int64) string { return "/bulk/" + strconv.FormatInt(id, 10) }

// bulkToken is a fresh one-time form token: a double submit of one form finds the action the first made.
func bulkToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// bulkFormToken reads a submitted token: 32 hex digits, as bulkToken makes them.
func bulkFormToken(r *http.Request) (string, error) {
	t := r.PostForm.Get("token")
	if _, err := hex.DecodeString(t); err != nil || len(t) != 32 {
		return "", badRequest("The form has expired. Reload it and submit again. Nothing was sent.", nil)
	}
	return t, nil
}

// bulkStartError turns a refusal of the bulk service into what the person is told; nothing was sent in any case.
func bulkStartError(err error, n int, what string) (int, string) {
	switch {
	case errors.Is(err, bulk.ErrTooMany):
		return http.StatusUnprocessableEntity, fmt.Sprintf("%d %s chosen: one bulk action takes at most %d. "+
			"Nothing was sent; split the action.", n, what, bulk.MaxItems)
	case errors.Is(err, bulk.ErrEmpty):
		return http.StatusUnprocessableEntity, "Nothing was chosen. Nothing was sent."
	}
	return 0, ""
}

// handleBulkIndex is GET /bulk: properties searched like the property list (?q= name, address or city).
func handleBulkIndex(b *bulkRoutes) http.Handler {
	return withErrors(b.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		q := strings.TrimSpace(r.URL.Query().Get("q"))
		if len(q) > 200 {
			q = q[:200]
		}
		page, err := b.d.Store.ListProperties(r.Context(), db.PropertyFilter{Query: q, PerPage: db.MaxPerPage})
		if err != nil {
			return err
		}
		d := views.BulkIndexData{Query: q, More: page.Total - len(page.Items), MaxItems: bulk.MaxItems, Parallel: bulk.Concurrency}
		for _, p := range page.Items {
			d.Properties = append(d.Properties, views.BulkPropertyChoice{ID: strconv.FormatInt(p.ID, 10), Name: p.Name, City: p.City})
		}
		recent, err := b.d.Store.RecentBulkActions(r.Context(), 20)
		if err != nil {
			return err
		}
		for _, a := range recent {
			l := views.BulkActionLink{URL: bulkURL(a.ID), What: bulkTitle(a)}
			l.When, l.WhenISO = localTimes(&a.RequestedAt, tz.Load(""))
			d.Recent = append(d.Recent, l)
		}
		return render(w, r, http.StatusOK, views.BulkIndexPage(pageMeta(r, "Bulk access", views.NavBulk), d))
	})
}

func bulkTitle(a db.BulkAction) string {
	switch a.Kind {
	case db.BulkRevoke:
		return "Revoke everywhere: " + a.Label
	case db.BulkMoveOut:
		return "Bulk move-out: " + moveOutWhoText(a.Label)
	}
	return "Code “" + a.Label + "” on many locks"
}

func (b *bulkRoutes) load(r *http.Request) (bulk.Progress, error) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		return bulk.Progress{}, notFound()
	}
	return b.svc.Progress(r.Context(), id)
}

// handleBulkPage is GET /bulk/{id}: the action's summary and items, refreshing itself while anything is pending.
func handleBulkPage(b *bulkRoutes) http.Handler {
	return withErrors(b.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		p, err := b.load(r)
		if err != nil {
			return err
		}
		d := views.BulkPageData{Title: bulkTitle(p.Action), Progress: b.progressData(r.Context(), p)}
		d.Requested, d.ISO = localTimes(&p.Action.RequestedAt, tz.Load(""))
		return render(w, r, http.StatusOK, views.BulkPage(pageMeta(r, d.Title, views.NavBulk), d))
	})
}

// handleBulkProgress is the fragment the page polls.
func handleBulkProgress(b *bulkRoutes) http.Handler {
	return withErrors(b.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		p, err := b.load(r)
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-store")
		return render(w, r, http.StatusOK, views.BulkProgress(b.progressData(r.Context(), p)))
	})
}

// handleBulkRetry is POST /bulk/{id}/retry: the failed items, sent again (audited as one action).
func handleBulkRetry(b *bulkRoutes) http.Handler {
	return withErrors(b.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		n, err := b.svc.Retry(r.Context(), id, currentUser(r.Context()).user.ID)
		note := ""
		switch {
		case errors.Is(err, bulk.ErrRunning):
			note = "The action is still sending: retry once it has finished."
		case errors.Is(err, bulk.ErrNoRetry):
			note = "Nothing failed: there is nothing to retry."
		case errors.Is(err, bulk.ErrNoPIN):
			note = "No lock took the code, so its PIN was not kept: issue the code again."
		case err != nil:
			return err
		default:
			audit(r, b.d.Store, b.d.Logger, auditRecord{action: "bulk.retry", targetType: "bulk",
				targetID: strconv.FormatInt(id, 10), outcome: db.OutcomeOK,
				detail: fmt.Sprintf("%s of %s sent again", plural(n, "item"), bulkURL(id))})
		}
		if !isHTMX(r) {
			redirect(w, r, bulkURL(id))
			return nil
		}
		p, err := b.svc.Progress(r.Context(), id)
		if err != nil {
			return err
		}
		d := b.progressData(r.Context(), p)
		if note != "" {
			d.Note = note
		}
		return render(w, r, http.StatusOK, views.BulkProgress(d))
	})
}

// propertyNames caches property names for one page.
type propertyNames struct {
	ctx   context.Context
	store *db.Store
	names map[int64]string
}

func (p *propertyNames) name(id int64) string {
	if n, ok := p.names[id]; ok {
		return n
	}
	n := "property " + strconv.FormatInt(id, 10)
	if prop, err := p.store.Property(p.ctx, id); err == nil {
		n = prop.Name
	}
	p.names[id] = n
	return n
}
