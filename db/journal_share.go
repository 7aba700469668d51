package db

import (
	"context"
	"time"
)

// On SQLite the projection and the appends share one writer: the database has one write lock, and a projection
// of many rows holds it for tens of milliseconds. Taken in turns, each append batch would wait for a projection
// of the same size, and the senders would be answered no faster than without the journal. So the group-commit
// writer runs the projections too, and while webhooks keep arriving it gives them a bounded share of its time:
// the senders are answered at the rate the appends alone allow, and the projection catches up in the gaps and
// after the burst. When the projection falls too far behind it gets an equal share, so the lag stays bounded and
// the senders slow down instead. (PostgreSQL writes both at once on separate connections: Project runs there
// directly.)

const (
	// projectShare is the part of the writer's time projections take while appends are arriving.
	projectShare = 0.25
	// projectShareBehind is that part once the projection is ProjectBehind behind (the oldest waiting row).
	projectShareBehind = 0.5
	// appendsIdle is how long without an append the writer waits before it counts the appends as stopped and
	// gives projections all its time: a sender answered a moment ago is about to send its next delivery.
	appendsIdle = 5 * time.Millisecond
	// ProjectBehind is the lag from which projections get projectShareBehind.
	ProjectBehind = 10 * time.Second
	// appendsActiveFor is how long after an append batch AppendsActive still says so.
	appendsActiveFor = 50 * time.Millisecond
)

// AppendsActive reports whether webhooks are being appended (a batch committed in the last 50 ms), so the
// projector can take smaller batches: on SQLite a projection holds the one write lock, and every sender waits
// behind it.
func (s *Store) AppendsActive() bool {
	last := s.ingest.lastAppend.Load()
	return last != 0 && time.Since(time.Unix(0, last)) < appendsActiveFor
}

// projectReq is a projection waiting for the writer.
type projectReq struct {
	fn     func() error
	behind bool
	err    error
	done   chan struct{}
}

// submitProjection runs fn on the writer, after the appends its share lets go first, and returns its error.
// behind: the projection's oldest row is ProjectBehind late or more.
func (in *ingester) submitProjection(ctx context.Context, behind bool, fn func() error) error {
	pr := &projectReq{fn: fn, behind: behind, done: make(chan struct{})}
	in.mu.RLock()
	if in.closed {
		in.mu.RUnlock()
		return ErrClosed
	}
	select {
	case in.projects <- pr:
	case <-ctx.Done():
		in.mu.RUnlock()
		return ctx.Err()
	}
	in.mu.RUnlock()
	<-pr.done // written whole once the writer took it
	return pr.err
}

// projectTurn is the writer's bookkeeping of its projection share.
type projectTurn struct {
	lastAppend time.Time // when the last append batch committed
	notBefore  time.Time // the next projection waits until then while appends arrive
}

// due reports whether a held projection may run now, or else how long to wait before asking again.
func (t *projectTurn) due(now time.Time, queued int) (bool, time.Duration) {
	if queued == 0 {
		if idle := now.Sub(t.lastAppend); idle >= appendsIdle {
			return true, 0
		} else if wait := t.notBefore.Sub(now); wait > 0 {
			return false, min(appendsIdle-idle, wait)
		}
		return true, 0
	}
	if wait := t.notBefore.Sub(now); wait > 0 {
		return false, wait
	}
	return true, 0
}

// ran records a projection that took d: the next waits so that projections keep their share.
func (t *projectTurn) ran(end time.Time, d time.Duration, behind bool) {
	share := projectShare
	if behind {
		share = projectShareBehind
	}
	t.notBefore = end.Add(time.Duration(float64(d) * (1 - share) / share))
}
