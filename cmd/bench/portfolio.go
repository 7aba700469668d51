package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// pageLoad is one portfolio page fetched by many clients at once.
type pageLoad struct {
	Name     string
	Requests int64
	Errors   int64
	PerSec   float64
	P50ms    float64
	P95ms    float64
	P99ms    float64
}

// measurePortfolio serves a mirror of o.portfolio properties (synced from the simulator, as cmd/web does) and
// fetches the property list, property detail and device list pages from o.pageClients signed-in clients at once.
func measurePortfolio(ctx context.Context, rep *report, o options, stdout io.Writer) error {
	po := o
	po.properties, po.cpuProfile = o.portfolio, o.pagesCPU
	fmt.Fprintf(stdout, "pages: %d properties, %d clients, %s per page\n", po.properties, o.pageClients, o.pagesFor)
	child, rd, err := startChild(ctx, po, 0, "")
	if err != nil {
		return err
	}
	defer child.stop()
	cookie, err := login(ctx, rd.API)
	if err != nil {
		return err
	}
	var ids []int64
	for _, t := range rd.Targets {
		ids = append(ids, t.PropertyID)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	rep.PortfolioProperties = len(ids)
	rep.Setup = &rd.Setup
	lastPage := max(1, (len(ids)+24)/25)
	// The targeted detail row walks a working set of 250 properties; the next one visits every property in turn.
	// A first visit's access section then re-reads the property's reservations and invitations from the upstream
	// in a request of its own (htmx, after the page has loaded): runPagePass times those below.
	hot := ids[:min(len(ids), 250)]
	pages := []pageRow{
		{"GET /properties?page=N (list, every page in turn)", func(i int64) string {
			return "/properties?page=" + strconv.FormatInt(1+i%int64(lastPage), 10)
		}},
		{fmt.Sprintf("GET /properties/{id} (detail, %d properties in turn)", len(hot)), func(i int64) string {
			return "/properties/" + strconv.FormatInt(hot[int(i)%len(hot)], 10)
		}},
		{"GET /properties/{id} (detail, first visits: every property in turn)", func(i int64) string {
			return "/properties/" + strconv.FormatInt(ids[int(i)%len(ids)], 10)
		}},
		{"GET /properties?q=… (search by street; not targeted)", func(i int64) string {
			return "/properties?q=" + url.QueryEscape("Avenue "+strconv.FormatInt(i%100, 10))
		}},
	}
	pages = append(pages, deviceListRows(len(rd.Targets))...)
	for _, pg := range pages {
		res := runPageLoad(ctx, pg.name, rd.API, cookie, o.pageClients, o.pagesFor, pg.url)
		fmt.Fprintf(stdout, "  %s: %.0f/s, p95 %.1f ms\n", res.Name, res.PerSec, res.P95ms)
		rep.Pages = append(rep.Pages, res)
	}
	// Every property's access section once, as the pages above left them: never read from the upstream, so each
	// request re-reads (a second request within 30 s would only read the mirror).
	paths := make([]string, len(ids))
	for i, id := range ids {
		paths[i] = "/properties/" + strconv.FormatInt(id, 10) + "/access"
	}
	res := runPagePass(ctx, "GET /properties/{id}/access (htmx re-read from the upstream, each property once; not targeted)",
		rd.API, cookie, o.pageClients, paths)
	fmt.Fprintf(stdout, "  %s: %.0f/s, p95 %.1f ms\n", res.Name, res.PerSec, res.P95ms)
	rep.Pages = append(rep.Pages, res)
	return nil
}

// runPagePass fetches each path once, as htmx does, from conc clients at once.
func runPagePass(ctx context.Context, name, base, cookie string, conc int, paths []string) pageLoad {
	client := newClient(conc)
	defer client.CloseIdleConnections()
	var next, errs atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	for range conc {
		wg.Go(func() {
			var local []time.Duration
			defer func() { mu.Lock(); lat = append(lat, local...); mu.Unlock() }()
			for i := next.Add(1) - 1; i < int64(len(paths)); i = next.Add(1) - 1 {
				t0 := time.Now()
				if _, err := getHTMX(ctx, client, base+paths[i], cookie); err != nil {
					errs.Add(1)
					continue
				}
				local = append(local, time.Since(t0))
			}
		})
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	return loadResult(name, lat, errs.Load(), secs)
}

// runPageLoad fetches base+path(i) from conc clients in a closed loop for dur (after a 1 s warm-up).
func runPageLoad(ctx context.Context, name, base, cookie string, conc int, dur time.Duration, path func(i int64) string) pageLoad {
	client := newClient(conc)
	defer client.CloseIdleConnections()
	var n, errs atomic.Int64
	var counting atomic.Bool
	var mu sync.Mutex
	var lat []time.Duration
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range conc {
		wg.Go(func() {
			var local []time.Duration
			defer func() { mu.Lock(); lat = append(lat, local...); mu.Unlock() }()
			for {
				select {
				case <-stop:
					return
				default:
				}
				t0 := time.Now()
				_, err := get(ctx, client, base+path(n.Add(1)), cookie)
				if !counting.Load() {
					continue
				}
				if err != nil {
					errs.Add(1)
					continue
				}
				local = append(local, time.Since(t0))
			}
		})
	}
	time.Sleep(warmUp(dur))
	counting.Store(true)
	start := time.Now()
	time.Sleep(dur)
	counting.Store(false)
	secs := time.Since(start).Seconds()
	close(stop)
	wg.Wait()
	return loadResult(name, lat, errs.Load(), secs)
}

// loadResult summarises one page's latencies over secs seconds.
func loadResult(name string, lat []time.Duration, errs int64, secs float64) pageLoad {
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	return pageLoad{Name: name, Requests: int64(len(lat)), Errors: errs, PerSec: float64(len(lat)) / secs,
		P50ms: ms(percentile(lat, 0.50)), P95ms: ms(percentile(lat, 0.95)), P99ms: ms(percentile(lat, 0.99))}
}

// pagesSection renders the portfolio pages' table.
func (r *report) pagesSection(p func(string, ...any)) {
	if len(r.Pages) == 0 {
		return
	}
	p("## Pages with %d mirrored properties", r.PortfolioProperties)
	p("")
	p("A mirror synced from the simulator (%d properties, one hub each, their devices), served by a child process with", r.PortfolioProperties)
	p("the full middleware; %d signed-in clients fetch each page in a closed loop for %s (after a 1 s warm-up),", r.Options.pageClients, r.Options.pagesFor)
	p("reading the whole body. Latency is per request as the client sees it. The detail page of the signed-in admin")
	p("includes every feature section (lock codes, access, activity, commands…), read from the mirror: the targeted")
	p("detail row walks 250 properties, the next one all of them (every request a first visit). When a property's")
	p("reservations and invitations are over 30 s old, its access section re-reads them from the upstream (the")
	p("simulator, in process) in a request of its own once the page has loaded; the last row fetches every")
	p("property's section once that way, each a re-read (two upstream calls and two durable writes). The device")
	p("list rows page through every mirrored device (about 8 a property) and ask for the low-battery locks of one city.")
	p("")
	p("| Page | Requests/s | p50 ms | p95 ms | p99 ms | Requests | Errors |")
	p("|---|---:|---:|---:|---:|---:|---:|")
	for _, g := range r.Pages {
		p("| %s | %.0f | %.2f | %.2f | %.2f | %d | %d |", g.Name, g.PerSec, g.P50ms, g.P95ms, g.P99ms, g.Requests, g.Errors)
	}
	p("")
	p("Target: property list, property detail and device list p95 < 25 ms at 32 concurrent clients.")
	p("")
}
