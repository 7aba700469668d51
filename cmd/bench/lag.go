package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// lagResult is how far the projection fell behind the journal during an ingest load, read from /healthz's journal
// line, and how long it took to catch up once the load stopped.
type lagResult struct {
	MaxWaiting    int     // journal rows waiting, at most, during the load
	MaxAgeSec     float64 // the oldest waiting row's age, at most
	AtEnd         int     // rows waiting when the load stopped
	CatchUpSec    float64 // from the load's end until none waited
	CatchUpPerSec float64 // AtEnd / CatchUpSec
	Samples       int
}

const (
	lagEvery      = 100 * time.Millisecond
	catchUpPoll   = 20 * time.Millisecond
	catchUpLimit  = 5 * time.Minute
	healthTimeout = 5 * time.Second
)

// watchLag samples base's /healthz until the returned function is called at the load's end; that function then
// waits (at most catchUpLimit) for the projection to catch up and returns what was seen.
func watchLag(ctx context.Context, base string) func() lagResult {
	client := &http.Client{Timeout: healthTimeout}
	var res lagResult
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(lagEvery)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if n, age, err := readLag(ctx, client, base); err == nil {
				res.Samples++
				res.MaxWaiting, res.MaxAgeSec = max(res.MaxWaiting, n), max(res.MaxAgeSec, age)
			}
		}
	}()
	return func() lagResult {
		close(stop)
		<-done
		end := time.Now()
		first := true
		for time.Since(end) < catchUpLimit && ctx.Err() == nil {
			n, age, err := readLag(ctx, client, base)
			if err == nil {
				if first {
					res.AtEnd, first = n, false
					res.MaxWaiting, res.MaxAgeSec = max(res.MaxWaiting, n), max(res.MaxAgeSec, age)
				}
				if n == 0 {
					res.CatchUpSec = time.Since(end).Seconds()
					if res.CatchUpSec > 0 {
						res.CatchUpPerSec = float64(res.AtEnd) / res.CatchUpSec
					}
					return res
				}
			}
			time.Sleep(catchUpPoll)
		}
		res.CatchUpSec = -1 // not caught up within the limit
		return res
	}
}

// readLag reads "journal: N waiting, oldest Xs" from base's /healthz.
func readLag(ctx context.Context, c *http.Client, base string) (waiting int, ageSec float64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/healthz", nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "journal: "); ok {
			if _, err := fmt.Sscanf(line, "%d waiting, oldest %fs", &waiting, &ageSec); err != nil {
				return 0, 0, fmt.Errorf("healthz journal line %q: %w", line, err)
			}
			return waiting, ageSec, nil
		}
	}
	return 0, 0, fmt.Errorf("healthz: no journal line (status %d)", resp.StatusCode)
}

// runHookLoad is runLoad on webhook URLs while watching the projection's lag on the instances' health pages (the
// first instance's: every instance reads the same journal).
func runHookLoad(ctx context.Context, name string, urls []string, health string, conc int, dur time.Duration,
	body func(i int64) []byte) throughput {
	finish := watchLag(ctx, health)
	t := runLoad(ctx, name, urls, conc, dur, body)
	lag := finish()
	t.Lag = &lag
	return t
}

func (l *lagResult) String() string {
	if l == nil {
		return "no lag read"
	}
	return fmt.Sprintf("projection at most %d rows / %.1f s behind, %d at the end, caught up in %.1f s (%.0f rows/s)",
		l.MaxWaiting, l.MaxAgeSec, l.AtEnd, l.CatchUpSec, l.CatchUpPerSec)
}
