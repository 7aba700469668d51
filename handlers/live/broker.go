// Package live pushes server-sent events to the browsers' EventSource (htmx-ext-sse).
//
// It keeps github.com/r3labs/sse/v2 as the wire layer but never lets a client reach it directly, because a shared r3labs
// stream is unsafe with real browsers (reliability.md §2): one subscriber that stops reading (a laptop lid closing)
// blocks the stream's fan-out goroutine in a channel send, which freezes every other subscriber of that stream and then
// Publish itself. So:
//   - every connection gets its own r3labs stream under a random, server-chosen id (the client's query is discarded), and
//     our own registry decides who gets what (Subscriber.Match, set by the authorising handler);
//   - Publish fans out with TryPublish, which never blocks; a subscriber whose queue stays full is kicked, and its
//     EventSource reconnects and re-reads the page from the database;
//   - the server's absolute WriteTimeout is cleared and a per-event write deadline is armed instead, so a stalled socket
//     fails its own write and frees its goroutines without touching anyone else;
//   - a stream is removed only after its one subscriber has left it: r3labs' RemoveStream with a subscriber attached
//     leaves that subscriber's context watcher blocked forever on the dead stream's deregister channel.
//
// The measured result (300 subscribers, 10 of them stalled) is in stall_test.go; BenchmarkFanout measures 1,000.
package live

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/r3labs/sse/v2"
)

// Defaults for the zero Options fields.
const (
	DefaultHeartbeat      = 20 * time.Second // proxies and load balancers cut streams idle for 60 s
	DefaultWriteTimeout   = 10 * time.Second // one event (or heartbeat) must reach the socket within this
	DefaultBuffer         = 64               // events queued per connection before TryPublish drops
	DefaultMaxSubscribers = 5000             // each costs 4 goroutines and tens of KB (BenchmarkFanout)
	DefaultKickAfterDrops = 8                // consecutive drops before a subscriber is considered stalled
)

// Options tunes a Broker. Zero or negative fields take the defaults above.
type Options struct {
	Heartbeat      time.Duration // interval of the keep-alive comment sent to every stream
	WriteTimeout   time.Duration // write deadline armed before each event; a reader slower than this is dropped
	Buffer         int           // r3labs stream buffer per connection (r3labs adds a fixed 64-event subscriber queue)
	MaxSubscribers int           // concurrent streams; beyond this Serve answers 503
	KickAfterDrops int           // consecutive full-queue drops after which the subscriber is disconnected
}

func (o Options) withDefaults() Options {
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.Buffer <= 0 {
		o.Buffer = DefaultBuffer
	}
	if o.MaxSubscribers <= 0 {
		o.MaxSubscribers = DefaultMaxSubscribers
	}
	if o.KickAfterDrops <= 0 {
		o.KickAfterDrops = DefaultKickAfterDrops
	}
	return o
}

// Event is one live update. ID, Name and Data go on the wire; the other fields exist only for Subscriber.Match.
type Event struct {
	ID         int64  // the activity row id; 0 for non-activity events, which get the broker's own sequence number
	Name       string // the SSE event name that sse-swap matches; no CR or LF
	Data       []byte // a small rendered HTML fragment; newlines are fine, it must not be empty
	PropertyID int64
	HubID      string
	DeviceID   string
	Kind       string
}

// Subscriber is who is listening and what they may see. The handler builds it after authorising the request;
// nothing in it comes from the client.
type Subscriber struct {
	UserID    int64
	SessionID string // used only by CloseSession; never logged
	// Match reports whether this subscriber may and wants to see ev. It is called from Publish for every event, so it
	// must be cheap, must not block, and must be safe for concurrent use. Serve refuses a nil Match.
	Match func(ev Event) bool
}

// Stats is a snapshot of the broker's counters.
type Stats struct {
	Subscribers int    // open streams, including ones still sending their headers
	Published   uint64 // events accepted by Publish
	Delivered   uint64 // event copies queued for a subscriber
	Dropped     uint64 // event copies dropped because the subscriber's queue was full
	Kicked      uint64 // subscribers disconnected for being too slow (not CloseSession/CloseUser/Close)
}

// Broker owns the r3labs server, the registry of open streams and the heartbeat. Create it with New; Close it.
type Broker struct {
	logger *slog.Logger
	opts   Options
	server *sse.Server
	hb     *sse.Event // shared by every stream: r3labs only reads events when replay is off

	mu     sync.RWMutex
	conns  []*conn // every open stream; conn.idx is its position
	closed bool
	wg     sync.WaitGroup // Serve calls in progress

	snapshots sync.Pool // *[]*conn, so that a fan-out allocates nothing per subscriber
	seq       atomic.Int64
	published atomic.Uint64
	delivered atomic.Uint64
	dropped   atomic.Uint64
	kicked    atomic.Uint64

	stop      chan struct{}
	hbDone    chan struct{}
	closeOnce sync.Once
}

// conn is one open stream in the registry.
type conn struct {
	sub      Subscriber
	streamID string
	w        *deadlineWriter
	cancel   context.CancelFunc
	idx      int // position in Broker.conns, -1 once removed; guarded by Broker.mu

	attached atomic.Bool  // r3labs has subscribed it to its stream (its headers are being sent)
	drops    atomic.Int32 // consecutive failed TryPublish calls
	ended    atomic.Bool
}

var (
	errClosed = errors.New("live: broker closed")
	errFull   = errors.New("live: subscriber limit reached")
)

// New returns a running Broker. A nil logger discards. Call Close to end every stream and stop the heartbeat.
func New(logger *slog.Logger, opts Options) *Broker {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	opts = opts.withDefaults()
	srv := sse.New()
	srv.AutoReplay = false // on, it keeps every event forever and rewrites Event.ID
	srv.AutoStream = false // clients must never create streams
	srv.SplitData = true   // one data: line per HTML line, or the fragment is cut at the first newline
	srv.BufferSize = opts.Buffer
	srv.Headers = map[string]string{"X-Accel-Buffering": "no"}
	b := &Broker{
		logger: logger,
		opts:   opts,
		server: srv,
		hb:     &sse.Event{Comment: []byte("hb")}, // a comment, never an empty event: that ends the r3labs stream
		stop:   make(chan struct{}),
		hbDone: make(chan struct{}),
	}
	b.snapshots.New = func() any { s := make([]*conn, 0, 64); return &s }
	go b.heartbeat()
	return b
}

// Stats returns the current counters.
func (b *Broker) Stats() Stats {
	b.mu.RLock()
	n := len(b.conns)
	b.mu.RUnlock()
	return Stats{
		Subscribers: n,
		Published:   b.published.Load(),
		Delivered:   b.delivered.Load(),
		Dropped:     b.dropped.Load(),
		Kicked:      b.kicked.Load(),
	}
}

// CloseSession ends at once every stream opened with this session id (logout, revoked session).
func (b *Broker) CloseSession(sessionID string) {
	b.closeWhere(func(c *conn) bool { return c.sub.SessionID == sessionID })
}

// CloseUser ends at once every stream of this user (disabled user, changed rights).
func (b *Broker) CloseUser(userID int64) {
	b.closeWhere(func(c *conn) bool { return c.sub.UserID == userID })
}

func (b *Broker) closeWhere(match func(*conn) bool) {
	var ended []*conn
	b.mu.Lock()
	for i := 0; i < len(b.conns); {
		if c := b.conns[i]; match(c) {
			b.removeLocked(c) // swaps the last one into i: look at i again
			ended = append(ended, c)
			continue
		}
		i++
	}
	b.mu.Unlock()
	for _, c := range ended {
		c.end()
		b.logger.LogAttrs(context.Background(), slog.LevelDebug, "sse stream closed", slog.Int64("user_id", c.sub.UserID))
	}
}

// Close ends every stream, refuses new ones (503), waits for the Serve calls to return and stops the heartbeat.
// It is safe to call more than once.
func (b *Broker) Close() {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		b.closed = true
		ended := b.conns
		for _, c := range ended {
			c.idx = -1
		}
		b.conns = nil
		b.mu.Unlock()
		close(b.stop)
		for _, c := range ended {
			c.end()
		}
		b.wg.Wait()
		<-b.hbDone
		b.server.Close() // every stream is already gone; this is a no-op kept for symmetry with New
	})
}

// register adds c to the registry, or says why it may not be added.
func (b *Broker) register(c *conn) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return errClosed
	}
	if len(b.conns) >= b.opts.MaxSubscribers {
		return errFull
	}
	c.idx = len(b.conns)
	b.conns = append(b.conns, c)
	b.wg.Add(1)
	return nil
}

// unregister removes c from the registry if it is still there.
func (b *Broker) unregister(c *conn) {
	b.mu.Lock()
	b.removeLocked(c)
	b.mu.Unlock()
}

func (b *Broker) removeLocked(c *conn) {
	i := c.idx
	if i < 0 {
		return
	}
	last := len(b.conns) - 1
	b.conns[i] = b.conns[last]
	b.conns[i].idx = i
	b.conns[last] = nil
	b.conns = b.conns[:last]
	c.idx = -1
}

// snapshot copies the registry so that the fan-out runs without the lock. Give it back with release.
func (b *Broker) snapshot() *[]*conn {
	s := b.snapshots.Get().(*[]*conn)
	b.mu.RLock()
	*s = append((*s)[:0], b.conns...)
	b.mu.RUnlock()
	return s
}

func (b *Broker) release(s *[]*conn) {
	clear(*s) // do not keep ended connections alive from the pool
	*s = (*s)[:0]
	b.snapshots.Put(s)
}

// end stops the connection's stream now: the write deadline expires (a write blocked on a stalled socket fails at
// once) and the request context is cancelled (r3labs unsubscribes and its handler loop ends). It reports whether this
// call was the one that ended it.
func (c *conn) end() bool {
	if !c.ended.CompareAndSwap(false, true) {
		return false
	}
	c.w.expire()
	c.cancel()
	return true
}
