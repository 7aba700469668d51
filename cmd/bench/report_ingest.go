package main

import (
	"fmt"
	"strings"
)

// verdict is how a figure stands against its target.
func verdict(met bool) string {
	if met {
		return "**met**"
	}
	return "**missed**"
}

func (r *report) ingestSection(p func(string, ...any)) {
	if len(r.Ingest) == 0 {
		return
	}
	p("## Webhook ingest throughput")
	p("")
	p("%d concurrent keep-alive senders for %s each (after a 1 s warm-up), documented envelopes about mirrored devices", r.Options.concurrency, r.Options.ingestFor)
	p("(unlocks, locks — which also update the mirror — door events, heartbeats), every one distinct. The bare handler")
	p("reads the body and answers 200; the webhook answers 200 only after its delivery is committed with an fsync")
	p("(SQLite `synchronous=FULL`; PostgreSQL `synchronous_commit=on`). With two PostgreSQL instances on one database,")
	p("half the senders post to each; the rate is their total.")
	p("")
	rows := r.Ingest
	if pg := r.PG; pg != nil && pg.One.Name != "" {
		rows = append(rows[:len(rows):len(rows)], pg.One, pg.Two)
	}
	bare := r.Ingest[0].PerSec
	p("| Endpoint | Requests/s | Of the bare handler | p50 ms | p99 ms | Requests | Errors |")
	p("|---|---:|---:|---:|---:|---:|---:|")
	for _, t := range rows {
		share := "—"
		if bare > 0 && t.Name != r.Ingest[0].Name {
			share = fmtPct(t.PerSec / bare)
		}
		p("| %s | %.0f | %s | %.2f | %.2f | %d | %d |", t.Name, t.PerSec, share, t.P50ms, t.P99ms, t.Requests, t.Errors)
	}
	for _, t := range rows {
		if t.Errors > 0 {
			p("")
			p("%s: %d requests failed; the first: `%s`.", t.Name, t.Errors, strings.ReplaceAll(t.FirstError, "`", "'"))
		}
	}
	r.lagTable(p, rows)
	if len(r.Ingest) == 2 && bare > 0 {
		lite := r.Ingest[1].PerSec
		p("")
		p("Durable ingest on SQLite runs at **%.0f%%** of the bare handler (targets: ≥ 10,000/s and ≥ 30%%: %s).", 100*lite/bare,
			verdict(lite >= 10_000 && lite/bare >= 0.3))
		if pg := r.PG; pg != nil && pg.Two.Name != "" && lite > 0 {
			p("PostgreSQL with two instances: %.0f/s, %.2f× the SQLite figure (one instance: %.2f×). Target: two instances at",
				pg.Two.PerSec, pg.Two.PerSec/lite, pg.One.PerSec/lite)
			p("least the SQLite figure: %s.", verdict(pg.Two.PerSec >= lite))
		}
	}
	p("")
}

// lagTable is the projection behind the journal during each webhook load (issue 14: acknowledged on the journal,
// indexed behind it).
func (r *report) lagTable(p func(string, ...any), rows []throughput) {
	var any bool
	for _, t := range rows {
		any = any || t.Lag != nil
	}
	if !any {
		return
	}
	p("")
	p("The webhook is answered once its delivery is in the journal; the projector writes the activities, the mirror's")
	p("changes and the live push behind it. Its lag, sampled from `/healthz` every %s during the load, and the", lagEvery)
	p("catch-up after the load stopped (the next run starts only then):")
	p("")
	p("| Endpoint | Most rows waiting | Oldest waiting, at most | Waiting at the end | Caught up in | Catch-up rate |")
	p("|---|---:|---:|---:|---:|---:|")
	for _, t := range rows {
		if l := t.Lag; l != nil {
			caught := fmt.Sprintf("%.1f s", l.CatchUpSec)
			if l.CatchUpSec < 0 {
				caught = fmt.Sprintf("not within %s", catchUpLimit)
			}
			p("| %s | %d | %.1f s | %d | %s | %.0f rows/s |", t.Name, l.MaxWaiting, l.MaxAgeSec, l.AtEnd, caught, l.CatchUpPerSec)
		}
	}
}

func fmtPct(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) }

func (r *report) sseSection(p func(string, ...any)) {
	s := r.SSE
	if s == nil {
		return
	}
	p("## Live push: webhook → %d SSE subscribers", s.Subscribers)
	p("")
	p("%d signed-in streams on `/events`; %d webhooks posted at %d/s. Latency is from sending the POST to each", s.Subscribers, s.Deliveries, r.Options.rate)
	p("subscriber having read the whole event (the rendered activity row), so it includes the durable commit. On")
	p("PostgreSQL the subscribers are split over two instances on one database and every webhook is posted to A: B's")
	p("subscribers get each one through the fan-out (A's NOTIFY in the batch's transaction, B's listener re-reading it).")
	p("")
	p("| Store, subscribers on | Subscribers | Events expected | Received | p50 ms | p99 ms | max ms | Server RSS idle | RSS after | Peak RSS |")
	p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	row := func(name string, s sseResult, mem bool) {
		m := "— | — | —"
		if mem {
			m = fmt.Sprintf("%.0f MB | %.0f MB | %.0f MB", s.RSSIdleMB, s.RSSMB, s.HWMMB)
		}
		p("| %s | %d | %d | %d | %.1f | %.1f | %.1f | %s |", name, s.Subscribers, s.Expected, s.Received, s.P50ms, s.P99ms, s.MaxMs, m)
	}
	row("SQLite, one instance", *s, true)
	pgs := r.PG.sse()
	if pgs != nil {
		for _, in := range pgs.Instances {
			row("PostgreSQL, "+in.Name, in, true)
		}
		row("PostgreSQL, both", *pgs, false)
	}
	p("")
	p("Targets: p99 < 100 ms with 1,000 subscribers (SQLite: %s), RSS < 200 MB (SQLite: %s). The peak includes the",
		verdict(s.P99ms < 100 && s.Received == s.Expected), verdict(s.HWMMB < 200))
	p("ingest run before it.")
	if pgs != nil && len(pgs.Instances) == 2 {
		b := pgs.Instances[1]
		p("Cross-instance p99 < 100 ms (B's subscribers, every event received): %s; both instances together: %s.",
			verdict(b.P99ms < 100 && b.Received == b.Expected), verdict(pgs.P99ms < 100 && pgs.Received == pgs.Expected))
	}
	p("")
}

// sse is the PostgreSQL fan-out result, nil when it was not measured.
func (pg *pgReport) sse() *sseResult {
	if pg == nil {
		return nil
	}
	return pg.SSE
}
