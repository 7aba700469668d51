package main

import (
	"fmt"
	"strings"
)

// logResult is the activity-log run on one store: its fill, then its queries, pages and exports.
type logResult struct {
	Fill         *fillResult
	StoreQueries []queryResult
	PageQueries  []queryResult
	APIQueries   []queryResult // GET /api/v1/activities
	Exports      []exportResult
}

// pgLog is the PostgreSQL log run, nil when it was not measured.
func (pg *pgReport) pgLog() *logResult {
	if pg == nil {
		return nil
	}
	return pg.Log
}

func (r *report) logSection(p func(string, ...any)) {
	lite, pg := r.Log, r.PG.pgLog()
	if lite == nil || lite.Fill == nil {
		return
	}
	p("## Activity log on %d rows", lite.Fill.Rows)
	p("")
	fillLine := func(store string, f *fillResult, size string) {
		p("%s: filled through the group-commit writer by 256 concurrent writers in %.0f s (%.0f rows/s, %d transactions),",
			store, f.Seconds, f.PerSec, f.Batches)
		p("about the mirror's devices over %s – %s; text search: %s; %s: %.0f MB.", f.Earliest, f.Latest, searchPath(f),
			size, float64(f.DBBytes)/(1<<20))
		p("")
	}
	fillLine("SQLite", lite.Fill, "database and WAL")
	if pg != nil {
		fillLine("PostgreSQL", pg.Fill, "`pg_database_size`")
	}
	p("### Store query (one page of 50), %d runs each", r.Options.queryRuns)
	p("")
	queryTable(p, lite.StoreQueries, pg.queries(func(l *logResult) []queryResult { return l.StoreQueries }))
	p("### Full page over HTTP (`GET /activities?…`: query, render, transfer), 50 runs each")
	p("")
	queryTable(p, lite.PageQueries, pg.queries(func(l *logResult) []queryResult { return l.PageQueries }))
	p("Target: filtered page p95 < 20 ms. %s", pageVerdict("SQLite", lite.PageQueries))
	if pg != nil {
		p("%s", pageVerdict("PostgreSQL", pg.PageQueries))
	}
	p("")
	p("### JSON API over HTTP (`GET /api/v1/activities?…`: token, rate limit, audit row, query, JSON), 50 runs each")
	p("")
	queryTable(p, lite.APIQueries, pg.queries(func(l *logResult) []queryResult { return l.APIQueries }))
	p("Target: p95 < 20 ms. %s", apiVerdict("SQLite", lite.APIQueries))
	if pg != nil {
		p("%s", apiVerdict("PostgreSQL", pg.APIQueries))
	}
	p("")
	p("### Export of the whole log (`GET /activities/export`)")
	p("")
	p("| Store | Format | Rows | Size | Seconds | Server RSS before | Max RSS during |")
	p("|---|---|---:|---:|---:|---:|---:|")
	for _, l := range []struct {
		name string
		res  *logResult
	}{{"SQLite", lite}, {"PostgreSQL", pg}} {
		for _, e := range l.res.exports() {
			p("| %s | %s | %d | %.0f MB | %.1f | %.0f MB | %.0f MB |", l.name, e.Format, e.Rows, float64(e.Bytes)/(1<<20),
				e.Seconds, e.RSSBefore, e.RSSMax)
		}
	}
	p("")
	p("Target: CSV export of 1M rows < 15 s with flat memory.")
}

func (l *logResult) exports() []exportResult {
	if l == nil {
		return nil
	}
	return l.Exports
}

func (l *logResult) queries(pick func(*logResult) []queryResult) []queryResult {
	if l == nil {
		return nil
	}
	return pick(l)
}

// searchPath names how the store answered the text filter (q=): the full-text index, or a scan.
func searchPath(f *fillResult) string {
	if f.FTS {
		return "full-text index"
	}
	return "`LIKE` scan (no full-text index)"
}

// pageVerdict states the worst filtered page's p95 (every page but the unfiltered one) and the text search's.
func pageVerdict(store string, pages []queryResult) string {
	worst, search := queryResult{}, queryResult{}
	for _, q := range pages {
		if strings.HasPrefix(q.Name, "search") {
			search = q
		}
		if q.Name != "newest, no filter" && q.P95ms >= worst.P95ms {
			worst = q
		}
	}
	return fmt.Sprintf("%s: worst filtered p95 %.2f ms (%s), %s; text search p95 %.2f ms.", store, worst.P95ms,
		worst.Name, verdict(worst.P95ms < 20), search.P95ms)
}

// apiVerdict names the API call with the worst p95 and whether it meets the 20 ms target.
func apiVerdict(store string, calls []queryResult) string {
	worst := queryResult{}
	for _, q := range calls {
		if q.P95ms >= worst.P95ms {
			worst = q
		}
	}
	return fmt.Sprintf("%s API: worst p95 %.2f ms (%s), %s.", store, worst.P95ms, worst.Name, verdict(worst.P95ms < 20))
}

// queryTable shows one store's timings, or SQLite's and PostgreSQL's side by side (matched by name) when pg is set.
func queryTable(p func(string, ...any), lite, pg []queryResult) {
	if pg == nil {
		p("| Filter | Rows | p50 ms | p95 ms | max ms |")
		p("|---|---:|---:|---:|---:|")
		for _, q := range lite {
			p("| %s | %d | %.2f | %.2f | %.2f |", q.Name, q.Rows, q.P50ms, q.P95ms, q.MaxMs)
		}
		p("")
		return
	}
	byName := map[string]queryResult{}
	for _, q := range pg {
		byName[q.Name] = q
	}
	p("| Filter | Rows | SQLite p50 ms | SQLite p95 ms | SQLite max ms | PostgreSQL p50 ms | PostgreSQL p95 ms | PostgreSQL max ms |")
	p("|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, q := range lite {
		g, ok := byName[q.Name]
		rows := fmt.Sprint(q.Rows)
		if ok && g.Rows != q.Rows {
			rows += " / " + fmt.Sprint(g.Rows)
		}
		if !ok {
			p("| %s | %s | %.2f | %.2f | %.2f | — | — | — |", q.Name, rows, q.P50ms, q.P95ms, q.MaxMs)
			continue
		}
		p("| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |", q.Name, rows, q.P50ms, q.P95ms, q.MaxMs, g.P50ms, g.P95ms, g.MaxMs)
	}
	p("")
}
