// Package fanout carries live pushes between dashboard instances sharing one PostgreSQL database. The instance
// where something happens pushes it to its own pages at once, as a single instance does, and tells the others
// with NOTIFY: ids only, one notification per committed ingest batch (sent in the batch's transaction, db/notify.go)
// or per short window of command, lock-code and hub-silence changes. Every instance runs a listener on its own
// connection that re-reads what it hears from the database and pushes it to its own pages; after its connection
// drops it reconnects and catches up on the activities committed meanwhile, so no page misses a row.
//
// Not used on SQLite: one instance, nobody to tell.
package fanout

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/url"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/commands"
	"github.com/keyless/dashboard/domain/ingest"
	"github.com/keyless/dashboard/domain/mirror"
	"github.com/keyless/dashboard/smarthome"
)

// Limits of the typed entries' sender.
const (
	sendWindow    = 5 * time.Millisecond // changes gathered into one NOTIFY: a few ms of latency, far fewer statements
	sendQueue     = 4096                 // entries waiting for the sender; beyond it they are dropped (and logged)
	sendBatch     = 1024                 // entries in one window at most
	notifyTimeout = 5 * time.Second      // a NOTIFY the database does not take by then is dropped
)

// Typed entries, for what is not an activity: "<prefix><id>". Ids other than a command's are path-escaped, so
// an entry never holds a space (the separator).
const (
	prefixCommand = "c:" // a command record was created or ended: its list
	prefixDevice  = "d:" // a device's state was refreshed by the command tracker
	prefixCode    = "l:" // a lock code's per-lock states changed
	prefixSilent  = "h:" // the watchdog marked a hub offline: "h:<grace seconds>:<hub id>"
	prefixSession = "s:" // a session was revoked (sign-out, revocation): its streams end everywhere
	prefixUser    = "u:" // a person's rights or password changed: all their streams end everywhere
)

// Fanout is one instance's side of the live push across instances: the announcements it sends and the listener
// that hears the others'. Its methods are safe on a nil *Fanout, which fans nothing out (SQLite).
type Fanout struct {
	store   *db.Store
	logger  *slog.Logger
	self    string
	pub     ingest.Publisher
	cmds    commands.Notifier
	codes   access.Notifier
	silence mirror.SilenceNotifier
	streams StreamCloser
	journal atomic.Pointer[func()] // wakes this instance's projector when another instance appended (nil: none)
	seen    *seenSet
	out     chan string
	now     func() time.Time
}

// New returns the fanout of one instance and makes the store's ingest batches announce their activities (with
// this instance's id, so its own listener skips them). pub pushes other instances' activities to this
// instance's pages. Run Listen and Send as background jobs.
func New(store *db.Store, logger *slog.Logger, pub ingest.Publisher) *Fanout {
	f := &Fanout{store: store, logger: logger.With(slog.String("component", "fanout")), self: rand.Text()[:12], pub: pub,
		seen: newSeenSet(), out: make(chan string, sendQueue), now: time.Now}
	store.AnnounceIngest(f.self, f.entry)
	return f
}

// entry is a committed activity's entry in its batch's notification. Called by the ingester before the commit:
// the id is marked seen here, so the listener's catch-up never pushes this instance's own activities again.
func (f *Fanout) entry(res db.IngestResult) string {
	f.seen.add(res.ID)
	return ingest.Entry(res)
}

// OnJournal makes the listener call wake when another instance has appended webhook deliveries to the journal:
// the projector (one per cluster, on the leader) projects them at once instead of at its next poll.
func (f *Fanout) OnJournal(wake func()) {
	if f != nil {
		f.journal.Store(&wake)
	}
}

// Commands returns n, which also tells the other instances of each change: the command tracker may run on
// another instance than the pages that wait for its news. n also pushes what the others tell.
func (f *Fanout) Commands(n commands.Notifier) commands.Notifier {
	if f == nil || n == nil {
		return n
	}
	f.cmds = n
	return commandsFan{f, n}
}

// Codes is Commands for the lock-code tracker's notifier.
func (f *Fanout) Codes(n access.Notifier) access.Notifier {
	if f == nil || n == nil {
		return n
	}
	f.codes = n
	return codesFan{f, n}
}

// Silence is Commands for the hub watchdog's notifier.
func (f *Fanout) Silence(n mirror.SilenceNotifier) mirror.SilenceNotifier {
	if f == nil || n == nil {
		return n
	}
	f.silence = n
	return silenceFan{f, n}
}

// StreamCloser ends open live streams: the broker's, on each instance.
type StreamCloser interface {
	CloseSession(sessionID string)
	CloseUser(userID int64)
}

// Streams returns c, which also ends the streams of the session or person on the other instances: a sign-out on
// one instance must not leave a page on another streaming. Without it, such a page would keep streaming until
// its next request, which the revoked session fails.
func (f *Fanout) Streams(c StreamCloser) StreamCloser {
	if f == nil || c == nil {
		return c
	}
	f.streams = c
	return streamsFan{f, c}
}

type streamsFan struct {
	f     *Fanout
	inner StreamCloser
}

func (s streamsFan) CloseSession(id string) {
	s.inner.CloseSession(id)
	s.f.send(prefixSession + url.PathEscape(id))
}

func (s streamsFan) CloseUser(id int64) {
	s.inner.CloseUser(id)
	s.f.send(prefixUser + strconv.FormatInt(id, 10))
}

type commandsFan struct {
	f     *Fanout
	inner commands.Notifier
}

func (c commandsFan) ListChanged(ctx context.Context, cmd db.Command) {
	c.inner.ListChanged(ctx, cmd)
	c.f.send(prefixCommand + strconv.FormatInt(cmd.ID, 10))
}

func (c commandsFan) DeviceChanged(ctx context.Context, dev db.Device) {
	c.inner.DeviceChanged(ctx, dev)
	c.f.send(prefixDevice + url.PathEscape(dev.ID))
}

// MQTTChanged stays on this instance: the hub's answer is not stored, so another instance has nothing to re-read.
func (c commandsFan) MQTTChanged(ctx context.Context, hub db.Hub, m *smarthome.MQTTResponse) {
	c.inner.MQTTChanged(ctx, hub, m)
}

type codesFan struct {
	f     *Fanout
	inner access.Notifier
}

func (c codesFan) CodeChanged(ctx context.Context, code db.LockCode, changed []db.LockCodeDevice) {
	c.inner.CodeChanged(ctx, code, changed)
	c.f.send(prefixCode + url.PathEscape(code.ID))
}

type silenceFan struct {
	f     *Fanout
	inner mirror.SilenceNotifier
}

func (c silenceFan) HubSilent(ctx context.Context, s mirror.Silence) {
	c.inner.HubSilent(ctx, s)
	c.f.send(prefixSilent + strconv.Itoa(int(s.Grace.Seconds())) + ":" + url.PathEscape(s.Hub.ID))
}

// send queues a typed entry for Send. It never blocks the tracker that calls it: a full queue drops the entry,
// and the other instances' pages show the change when they next load.
func (f *Fanout) send(e string) {
	select {
	case f.out <- e:
	default:
		f.logger.Warn("live fan-out queue full: change not told to the other instances", slog.String("entry", e))
	}
}

// Send notifies the other instances of the typed entries queued by the wrapped notifiers, one NOTIFY per
// sendWindow (split under 8000 bytes), until ctx ends. A failed NOTIFY is logged, not retried: the change is
// committed, and a page that missed the hint shows it on its next load.
func (f *Fanout) Send(ctx context.Context) {
	batch := make([]string, 0, sendBatch)
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-f.out:
			batch = append(batch[:0], e)
		}
		window := time.NewTimer(sendWindow)
	gather:
		for len(batch) < sendBatch {
			select {
			case e := <-f.out:
				batch = append(batch, e)
			case <-window.C:
				break gather
			case <-ctx.Done():
				break gather
			}
		}
		window.Stop()
		slices.Sort(batch)
		batch = slices.Compact(batch)                                                  // a command's list re-rendered twice in a window is pushed once
		nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), notifyTimeout) // sent even at shutdown, but bounded
		if err := f.store.Notify(nctx, db.PackNotify(f.self, batch)); err != nil {
			f.logger.Warn("live fan-out: notify failed", slog.Int("entries", len(batch)), slog.Any("err", err))
		}
		cancel()
	}
}
