package db

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

// Group commit. A webhook must be answered only after its delivery is durable (synchronous=FULL: every commit
// waits for an fsync), and an fsync per delivery would cap ingest at the disk's flush rate. So one goroutine owns
// the activity writes: it takes every delivery waiting in its queue, writes them all in one transaction, commits
// once, and only then releases each waiting request with its own result. While it waits for a flush, the next
// batch gathers in the queue, so the batch size follows the load by itself.

// Ingest bounds.
const (
	ingestQueue    = 4096 // deliveries waiting for the writer; senders block beyond it
	ingestMaxBatch = 1024 // deliveries in one transaction
	// Tries of one batch that PostgreSQL aborted for running into another instance's transaction (isRetryable):
	// two instances' batches upsert the same hubs, devices and live marks in their own orders, and the deadlock
	// detector picks one to abort. The loser's next try finds the winner committed.
	ingestTries = 3
)

// ErrClosed is returned by Ingest once the store is closing.
var ErrClosed = errors.New("db: store closed")

// IngestItem is one accepted webhook delivery: the activity to log, the bytes delivered, and the change to the
// mirror's live state it reports (nil for none).
type IngestItem struct {
	Activity Activity
	Body     []byte
	Live     *LiveChange
}

// IngestResult says what happened to an item. A duplicate (same dedupe key) changed nothing; ID is then the
// activity stored the first time. Released is a verified delivery of an event whose activity an admin had logged
// from the webhook inbox, unverified and held: that activity is now verified and its change applied (Duplicate is
// false, but no row is new).
type IngestResult struct {
	ID        int64
	Duplicate bool
	Released  bool
	Held      bool          // Append: a verified duplicate of an activity held from the inbox (Append's doc)
	Hub       *HubChange    // set when the delivery changed the hub's mirrored state
	Device    *DeviceChange // set when the delivery changed the device's mirrored state
}

// IngestStats counts the writer's work since the store opened.
type IngestStats struct {
	Batches uint64
	Items   uint64
	Busy    time.Duration // time the writer spent writing and committing batches (the rest it waited for work)
	// ProjectBusy is the part of Busy spent on projections (SQLite, where the writer runs them: journal_share.go).
	ProjectBusy time.Duration
	Projected   uint64 // journal rows turned into activities by Project
}

type ingestReq struct {
	item  IngestItem
	entry *JournalEntry // set: an append to the journal (Append), not an activity written at once (Ingest)
	res   IngestResult
	err   error
	done  chan struct{}
}

// ingester is the group-commit writer. reqs is closed by stop, under mu, so no sender can race the close.
type ingester struct {
	w          dbPool
	resolve    *sqlx.Stmt    // ResolveTarget, prepared once on the read pool
	ckpt       *checkpointer // nil: SQLite checkpoints in line (ingest_checkpoint.go)
	stopOnce   sync.Once
	now        func() time.Time
	fts        atomic.Bool
	announce   atomic.Pointer[ingestAnnounce] // nil: batches notify nobody (SQLite, or no listeners wired: notify.go)
	mu         sync.RWMutex
	closed     bool
	reqs       chan *ingestReq
	projects   chan *projectReq // SQLite's projections, written by the same goroutine (journal_share.go)
	done       chan struct{}
	batches    atomic.Uint64
	items      atomic.Uint64
	busy       atomic.Int64                      // nanoseconds
	projBusy   atomic.Int64                      // nanoseconds of busy spent on projections (SQLite: the same goroutine)
	lastAppend atomic.Int64                      // when the last batch committed, Unix nanoseconds (AppendsActive)
	projected  atomic.Uint64                     // journal rows projected (Project)
	onBatch    atomic.Pointer[func(IngestBatch)] // nil: batches are not reported (OnIngestBatch)
}

func newIngester(w dbPool) *ingester {
	in := &ingester{w: w, now: time.Now, reqs: make(chan *ingestReq, ingestQueue),
		projects: make(chan *projectReq), done: make(chan struct{})}
	go in.run()
	return in
}

// stop refuses new deliveries, lets the writer finish every queued one, and waits for it.
func (in *ingester) stop() {
	in.mu.Lock()
	if !in.closed {
		in.closed = true
		close(in.reqs)
	}
	in.mu.Unlock()
	<-in.done
}

// Ingest stores one delivery through the group-commit writer and returns once its batch has committed (or
// failed): its journal row (already projected) and its activity in one transaction, for the callers that need the
// activity at once (the inbox's release of a held activity, tests, tools). Webhooks take Append. A cancelled ctx
// stops the wait, not the write: the delivery may still be stored, and a retry of it is then a duplicate.
func (s *Store) Ingest(ctx context.Context, it IngestItem) (IngestResult, error) {
	if err := it.Activity.validate(); err != nil {
		return IngestResult{}, fmt.Errorf("db: ingest: %w", err)
	}
	res, err := s.ingest.submit(ctx, &ingestReq{item: it, done: make(chan struct{})})
	if err != nil && !errors.Is(err, ErrClosed) && ctx.Err() == nil {
		return IngestResult{}, fmt.Errorf("db: ingest: %w", err)
	}
	return res, err
}

// submit queues req for the writer and waits for its batch.
func (in *ingester) submit(ctx context.Context, req *ingestReq) (IngestResult, error) {
	in.mu.RLock()
	if in.closed {
		in.mu.RUnlock()
		return IngestResult{}, ErrClosed
	}
	select {
	case in.reqs <- req:
	case <-ctx.Done():
		in.mu.RUnlock()
		return IngestResult{}, ctx.Err()
	}
	in.mu.RUnlock()
	select {
	case <-req.done:
		return req.res, req.err
	case <-ctx.Done():
		return IngestResult{}, ctx.Err()
	}
}

// IngestStats returns how many batches and items the writer has committed.
func (s *Store) IngestStats() IngestStats {
	return IngestStats{Batches: s.ingest.batches.Load(), Items: s.ingest.items.Load(), Busy: time.Duration(s.ingest.busy.Load()),
		ProjectBusy: time.Duration(s.ingest.projBusy.Load()),
		Projected:   s.ingest.projected.Load()}
}

func (in *ingester) run() {
	defer close(in.done)
	batch := make([]*ingestReq, 0, ingestMaxBatch)
	var (
		held *projectReq // a projection waiting for its turn (journal_share.go)
		turn projectTurn
		wait *time.Timer
	)
	for {
		var retry <-chan time.Time
		if held != nil {
			ok, d := turn.due(time.Now(), len(in.reqs))
			if ok {
				start := time.Now()
				held.err = held.fn()
				end := time.Now()
				in.busy.Add(int64(end.Sub(start)))
				in.projBusy.Add(int64(end.Sub(start)))
				turn.ran(end, end.Sub(start), held.behind)
				close(held.done)
				held = nil
				continue
			}
			if wait == nil {
				wait = time.NewTimer(d)
			} else {
				wait.Reset(d)
			}
			retry = wait.C
		}
		projects := in.projects
		if held != nil {
			projects = nil // one at a time
		}
		var req *ingestReq
		select {
		case r, ok := <-in.reqs:
			if !ok {
				if held != nil { // closing: what was taken is written
					held.err = held.fn()
					close(held.done)
				}
				return
			}
			req = r
		case pr := <-projects:
			held = pr
			continue
		case <-retry:
			continue
		}
		batch = append(batch[:0], req)
	gather:
		for len(batch) < ingestMaxBatch {
			select {
			case r, ok := <-in.reqs:
				if !ok {
					break gather
				}
				batch = append(batch, r)
			default:
				break gather
			}
		}
		start := time.Now()
		in.commit(batch)
		turn.lastAppend = time.Now()
		in.lastAppend.Store(turn.lastAppend.UnixNano())
		in.busy.Add(int64(turn.lastAppend.Sub(start)))
		clear(batch)
	}
}

// errItem marks a failure of one item (not of the transaction), which makes commit retry the batch item by item
// so that one bad delivery cannot fail the others.
type errItem struct{ err error }

func (e errItem) Error() string { return e.err.Error() }
func (e errItem) Unwrap() error { return e.err }

// commit writes a batch in one transaction and releases every request in it.
func (in *ingester) commit(batch []*ingestReq) {
	start := time.Now()
	err := in.write(batch)
	for try := 1; try < ingestTries && isRetryable(err); try++ {
		err = in.write(batch) // write starts from the batch's requests alone: each try is the whole transaction
	}
	var ie errItem
	if errors.As(err, &ie) && len(batch) > 1 {
		for _, req := range batch {
			in.commit([]*ingestReq{req})
		}
		return
	}
	if err == nil {
		in.batches.Add(1)
		in.items.Add(uint64(len(batch)))
	}
	in.reportBatch(len(batch), start, err)
	for _, req := range batch {
		if err != nil {
			req.res, req.err = IngestResult{}, err
		}
		close(req.done)
	}
}

// startIngest prepares the activity search index and starts the group-commit writer. On PostgreSQL the index is
// the generated activities.search column (migrations/postgres/0002), always current, and there is no checkpointer.
func (s *Store) startIngest(ctx context.Context) error {
	fts := false
	if s.dialect == dialectSQLite {
		var err error
		if fts, err = s.setUpFTS(ctx); err != nil {
			return err
		}
	}
	resolve, err := s.r.PreparexContext(ctx, resolveSQL)
	if err != nil {
		return fmt.Errorf("db: prepare resolve: %w", err)
	}
	s.ingest = newIngester(s.w)
	s.ingest.resolve = resolve
	s.ingest.fts.Store(fts)
	// Without the checkpointer SQLite checkpoints in line, as it does by default: slower, never wrong.
	if s.dialect == dialectSQLite {
		s.ingest.ckpt, _ = openCheckpointer(ctx, s.path, s.w.DB)
	}
	return nil
}

// stopIngest lets the writer commit what is queued and stops it; later Ingest calls get ErrClosed.
func (s *Store) stopIngest() {
	if s.ingest == nil {
		return
	}
	s.ingest.stopOnce.Do(func() {
		s.ingest.stop()
		if s.ingest.ckpt != nil {
			s.ingest.ckpt.close()
		}
		s.ingest.resolve.Close()
	})
}
