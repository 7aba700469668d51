package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/views"
)

// loadSync describes the mirror's freshness: when it was last synced well, and whether the latest attempt failed.
func (d Deps) loadSync(ctx context.Context) (views.SyncData, error) {
	p := currentUser(ctx)
	s := views.SyncData{OK: true, CanSync: p.can(auth.Sync)}
	last, good, err := d.Syncer.LastRuns(ctx)
	if err != nil || last == nil {
		return s, err
	}
	if !last.OK {
		s.OK, s.Error = false, last.Error
	}
	if good == nil {
		return s, nil
	}
	now := time.Now()
	s.LastSynced, s.LastSyncedISO = localTimes(&good.FinishedAt, time.Local)
	s.Ago = ago(now.Sub(good.FinishedAt))
	s.Stale = now.Sub(good.FinishedAt) > 2*d.Syncer.Interval()
	return s, nil
}

// upstreamNotice is the standing warning on portfolio pages while the latest sync failed: the page still shows
// the mirrored data, and says how old it is.
func upstreamNotice(s views.SyncData) []views.NoticeData {
	if s.OK {
		return nil
	}
	msg := "The Smart Home service could not be read: " + s.Error + "."
	if s.LastSynced != "" {
		msg += " Showing data from the last good sync, " + s.Ago + "."
	} else {
		msg += " Nothing has been synced yet."
	}
	return []views.NoticeData{{Kind: "warn", Message: msg}}
}

func handleSyncStatus(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		s, err := d.loadSync(r.Context())
		if err != nil {
			return err
		}
		return render(w, r, http.StatusOK, views.SyncStatus(s))
	})
}

// handleSyncNow runs a sync (or joins the running one) and answers with the refreshed sync widget. A failed sync is
// not an error page: the widget shows what failed, and the mirror is unchanged.
func handleSyncNow(d Deps) http.Handler {
	return withErrors(d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
		defer cancel()
		run, err := d.Syncer.SyncNow(ctx)
		outcome := "ok"
		if err != nil {
			outcome = "failed"
			d.Logger.WarnContext(r.Context(), "sync now failed", slog.Any("err", err))
		}
		audit(r, d.Store, d.Logger, auditRecord{action: "mirror.sync", targetType: "mirror", outcome: outcome, detail: run.Error})
		s, err := d.loadSync(r.Context())
		if err != nil {
			return err
		}
		if !isHTMX(r) {
			http.Redirect(w, r, refererPath(r), http.StatusSeeOther)
			return nil
		}
		return render(w, r, http.StatusOK, views.SyncStatus(s))
	})
}

// refererPath is where a plain form post goes back to: the page it came from on this site, else home.
func refererPath(r *http.Request) string {
	u, err := url.Parse(r.Referer())
	if err != nil || u.Host != r.Host {
		return "/"
	}
	return safeNext(u.RequestURI())
}
