package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// timePages fetches the activity log's full page (query, render, HTTP) for a few filters, signed in, and reports
// p50 and p95.
func timePages(ctx context.Context, rd ready, runs int) ([]queryResult, error) {
	cookie, err := login(ctx, rd.API)
	if err != nil {
		return nil, err
	}
	c := newClient(1)
	t := rd.Targets[0]
	pages := []struct{ name, query string }{
		{"newest, no filter", ""},
		{"property", "property=" + strconv.FormatInt(t.PropertyID, 10)},
		{"event = Unlock", "message_type=Unlock"},
		{"who = Jane Doe", "who=Jane+Doe"},
		{"search (sink)", "q=sink"},
	}
	var out []queryResult
	for _, p := range pages {
		durs := make([]time.Duration, 0, runs)
		rows := 0
		for range runs {
			t0 := time.Now()
			body, err := get(ctx, c, rd.API+"/activities?"+p.query, cookie)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.name, err)
			}
			durs = append(durs, time.Since(t0))
			rows = bytes.Count(body, []byte(`data-testid="activity-row"`))
		}
		out = append(out, summarize(p.name, rows, durs))
	}
	return out, nil
}

func get(ctx context.Context, c *http.Client, u, cookie string) ([]byte, error) {
	return getWith(ctx, c, u, cookie, nil)
}

// getHTMX fetches u as htmx does (an HX-Request header), for the routes that answer a fragment.
func getHTMX(ctx context.Context, c *http.Client, u, cookie string) ([]byte, error) {
	return getWith(ctx, c, u, cookie, http.Header{"Hx-Request": {"true"}})
}

func getWith(ctx context.Context, c *http.Client, u, cookie string, h http.Header) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Cookie", cookie)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %d", resp.StatusCode)
	}
	return b, err
}

// exportResult is one streamed export of the whole log.
type exportResult struct {
	Format    string
	Rows      int64
	Bytes     int64
	Seconds   float64
	RSSBefore float64
	RSSMax    float64 // the server's resident memory, sampled every 50 ms during the export
}

// timeExport downloads /activities/export of the whole log and samples the server's memory while it streams.
func timeExport(ctx context.Context, rd ready, format string) (exportResult, error) {
	cookie, err := login(ctx, rd.API)
	if err != nil {
		return exportResult{}, err
	}
	res := exportResult{Format: format, RSSBefore: rssMB(rd.PID, "VmRSS")}
	var peak atomic.Int64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if v := int64(rssMB(rd.PID, "VmRSS") * 1000); v > peak.Load() {
					peak.Store(v)
				}
			}
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rd.API+"/activities/export?"+url.Values{"format": {format}}.Encode(), nil)
	if err != nil {
		close(done)
		return res, err
	}
	req.Header.Set("Cookie", cookie)
	t0 := time.Now()
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		close(done)
		return res, err
	}
	defer resp.Body.Close()
	br := bufio.NewReaderSize(resp.Body, 1<<20)
	for {
		line, err := br.ReadSlice('\n')
		res.Bytes += int64(len(line))
		if len(line) > 0 && line[len(line)-1] == '\n' {
			res.Rows++
		}
		if err == io.EOF {
			break
		}
		if err != nil && err != bufio.ErrBufferFull {
			close(done)
			return res, err
		}
	}
	res.Seconds = time.Since(t0).Seconds()
	close(done)
	res.RSSMax = float64(peak.Load()) / 1000
	if format == "csv" {
		res.Rows-- // the header
	} else {
		res.Rows -= 2 // "[" and "]"
	}
	return res, nil
}

// rssMB reads a memory figure (VmRSS, VmHWM) of a process from /proc, in MB; 0 when unavailable.
func rssMB(pid int, field string) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
