package fanout

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/ingest"
	"github.com/keyless/dashboard/domain/mirror"
	"github.com/keyless/dashboard/domain/tz"
)

// Listener bounds.
const (
	// catchUpWindow is how far below the highest id heard a catch-up starts reading. Ids are taken from one
	// sequence when rows are inserted but become visible at commit, so across instances they commit out of order
	// (A takes 100, B takes 101 and commits first): a row below the highest id heard may still be on its way.
	// The gap is at most the ids other instances take while one batch commits, a few batches of ingestMaxBatch.
	catchUpWindow = 8192
	catchUpPage   = 500 // ids read per query during a catch-up
	seenMax       = 1 << 16
	minBackoff    = 100 * time.Millisecond
	maxBackoff    = 5 * time.Second
)

// Listen runs the instance's listener until ctx ends: LISTEN on a dedicated connection, push what the other
// instances announce, and after a lost connection reconnect (with backoff) and catch up from the last id heard
// before hearing more. A lost connection is logged once per outage, and the recovery once.
func (f *Fanout) Listen(ctx context.Context) {
	st := listenState{backoff: minBackoff}
	for ctx.Err() == nil {
		err := f.session(ctx, &st)
		if ctx.Err() != nil {
			return
		}
		if !st.down {
			f.logger.Warn("live listener lost its connection; reconnecting, then catching up", slog.Any("err", err))
			st.down = true
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(st.backoff):
		}
		st.backoff = min(2*st.backoff, maxBackoff)
	}
}

// listenState is what the listener's sessions pass on to the next.
type listenState struct {
	started bool          // a session has read the starting point
	down    bool          // the connection is lost, and that was logged
	backoff time.Duration // pause before the next attempt
}

// session listens on one connection until it fails, and returns why.
func (f *Fanout) session(ctx context.Context, st *listenState) error {
	l, err := f.store.Listen(ctx)
	if err != nil {
		return err
	}
	defer l.Close(context.WithoutCancel(ctx))
	// LISTEN comes first, the read second: whatever commits after the read is notified, so nothing falls between.
	if !st.started {
		last, err := f.store.LastActivityID(ctx)
		if err != nil {
			return err
		}
		f.seen.heard(last) // the first session starts from now: the pages loaded what came before
		st.started = true
	} else if err := f.catchUp(ctx); err != nil {
		return err
	}
	if st.down {
		f.logger.Info("live listener reconnected and caught up")
	}
	st.down, st.backoff = false, minBackoff
	for {
		p, err := l.Wait(ctx)
		if err != nil {
			return err
		}
		f.handle(ctx, p)
	}
}

// catchUp pushes the activities committed from catchUpWindow below the highest id heard that were never pushed
// here, page by page. It has ids but no effects: rows and current states are pushed, not alert banners.
func (f *Fanout) catchUp(ctx context.Context) error {
	from, pushed := max(f.seen.last()-catchUpWindow, 0), 0
	for {
		ids, err := f.store.ActivityIDsAfter(ctx, from, catchUpPage)
		if err != nil {
			return err
		}
		for _, id := range ids {
			f.seen.heard(id)
			if f.seen.add(id) {
				f.republish(ctx, id, 0, false)
				pushed++
			}
		}
		if len(ids) < catchUpPage {
			if pushed > 0 {
				f.logger.Info("live listener caught up", slog.Int("activities", pushed))
			}
			return nil
		}
		from = ids[len(ids)-1]
	}
}

// handle pushes what one notification announces. This instance's own entries were pushed when they happened:
// their ids are only recorded.
func (f *Fanout) handle(ctx context.Context, payload string) {
	fields := strings.Fields(payload)
	if len(fields) == 0 {
		return
	}
	own := fields[0] == f.self
	for _, e := range fields[1:] {
		if id, fx, ok := ingest.ParseEntry(e); ok {
			f.seen.heard(id)
			if f.seen.add(id) && !own {
				f.republish(ctx, id, fx, true)
			}
			continue
		}
		if !own {
			if err := f.typed(ctx, e); err != nil {
				f.logger.Warn("live fan-out: re-read failed", slog.String("entry", e), slog.Any("err", err))
			}
		}
	}
}

func (f *Fanout) republish(ctx context.Context, id int64, fx ingest.Effects, known bool) {
	if err := ingest.Republish(ctx, f.store, f.pub, id, fx, known); err != nil {
		f.logger.Warn("live fan-out: activity not pushed", slog.Int64("activity_id", id), slog.Any("err", err))
	}
}

// typed re-reads what a typed entry names and pushes it through this instance's notifier. Nothing is caught up
// for these: a page that missed one shows the current state when it reloads.
func (f *Fanout) typed(ctx context.Context, e string) error {
	prefix, rest := e[:min(2, len(e))], e[min(2, len(e)):]
	switch {
	case prefix == prefixCommand && f.cmds != nil:
		id, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return err
		}
		c, err := f.store.Command(ctx, id)
		if err != nil {
			return err
		}
		f.cmds.ListChanged(ctx, c)
	case prefix == prefixDevice && f.cmds != nil:
		dev, err := f.store.Device(ctx, unescape(rest))
		if err != nil {
			return err
		}
		f.cmds.DeviceChanged(ctx, dev)
	case prefix == prefixCode && f.codes != nil:
		c, err := f.store.LockCode(ctx, unescape(rest))
		if err != nil {
			return err
		}
		f.codes.CodeChanged(ctx, c, c.Devices)
	case prefix == prefixSilent && f.silence != nil:
		return f.hubSilent(ctx, rest)
	case prefix == prefixSession && f.streams != nil:
		f.streams.CloseSession(unescape(rest))
	case e == db.JournalAppended:
		if wake := f.journal.Load(); wake != nil {
			(*wake)()
		}
	case prefix == prefixUser && f.streams != nil:
		id, err := strconv.ParseInt(rest, 10, 64)
		if err != nil {
			return err
		}
		f.streams.CloseUser(id)
	}
	return nil
}

// hubSilent re-reads a hub the watchdog silenced elsewhere and pushes it as the watchdog does.
func (f *Fanout) hubSilent(ctx context.Context, rest string) error {
	secs, hubID, _ := strings.Cut(rest, ":")
	grace, err := strconv.Atoi(secs)
	if err != nil {
		return err
	}
	h, err := f.store.Hub(ctx, unescape(hubID))
	if err != nil {
		return err
	}
	s := mirror.Silence{Hub: h, At: f.now(), Grace: time.Duration(grace) * time.Second}
	zone := h.TimeZone
	if h.PropertyID != nil {
		p, err := f.store.Property(ctx, *h.PropertyID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		s.PropertyName = p.Name
		if p.TimeZone != "" {
			zone = p.TimeZone
		}
	}
	s.Loc = tz.Load(zone)
	f.silence.HubSilent(ctx, s)
	return nil
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}
