package live

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/r3labs/sse/v2"
)

// Publish queues ev for every subscriber whose Match accepts it and returns how many copies were queued and how many
// were dropped because that subscriber's queue was full. It never blocks, is safe for concurrent use, and is meant to
// be called after the database commit (the database is the truth; a dropped copy is re-read when the browser
// reconnects). Events with an empty Data or a Name containing CR or LF are refused (0, 0): r3labs would end every
// stream on the first, and the second would inject SSE fields.
func (b *Broker) Publish(ev Event) (delivered, dropped int) {
	if len(ev.Data) == 0 || strings.ContainsAny(ev.Name, "\r\n") {
		b.logger.LogAttrs(context.Background(), slog.LevelError, "sse event refused",
			slog.String("event", strconv.Quote(ev.Name)), slog.Int("bytes", len(ev.Data)))
		return 0, 0
	}
	id := ev.ID
	if id == 0 {
		id = b.seq.Add(1)
	}
	// One *sse.Event for everyone: with AutoReplay and EncodeBase64 off, r3labs never writes to it.
	se := &sse.Event{
		ID:    strconv.AppendInt(nil, id, 10),
		Event: []byte(ev.Name),
		Data:  normalizeNewlines(ev.Data),
	}
	snap := b.snapshot()
	for _, c := range *snap {
		if !c.attached.Load() || !c.sub.Match(ev) {
			continue
		}
		if b.server.TryPublish(c.streamID, se) {
			c.drops.Store(0)
			delivered++
			continue
		}
		dropped++
		b.noteDrop(c, "event")
	}
	b.release(snap)
	b.published.Add(1)
	b.delivered.Add(uint64(delivered))
	b.dropped.Add(uint64(dropped))
	return delivered, dropped
}

// noteDrop counts a failed TryPublish and kicks the subscriber once its queue has stayed full for KickAfterDrops
// attempts in a row: it is not reading, and holding its events only delays the reconnect that repairs the page.
func (b *Broker) noteDrop(c *conn, what string) {
	n := c.drops.Add(1)
	ctx := context.Background()
	if b.logger.Enabled(ctx, slog.LevelDebug) {
		b.logger.LogAttrs(ctx, slog.LevelDebug, "sse drop", slog.String("what", what),
			slog.Int64("user_id", c.sub.UserID), slog.Int("consecutive", int(n)))
	}
	if int(n) < b.opts.KickAfterDrops {
		return
	}
	b.unregister(c)
	if c.end() {
		b.kicked.Add(1)
		b.logger.LogAttrs(ctx, slog.LevelWarn, "sse subscriber kicked",
			slog.Int64("user_id", c.sub.UserID), slog.Int("consecutive_drops", int(n)))
	}
}

// heartbeat sends a comment to every stream so that idle proxies keep the connection open. A heartbeat that does not
// fit counts towards the kick like an event, but not in Stats.Dropped.
func (b *Broker) heartbeat() {
	defer close(b.hbDone)
	t := time.NewTicker(b.opts.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
		}
		snap := b.snapshot()
		for _, c := range *snap {
			if !c.attached.Load() {
				continue
			}
			if b.server.TryPublish(c.streamID, b.hb) {
				c.drops.Store(0)
				continue
			}
			b.noteDrop(c, "heartbeat")
		}
		b.release(snap)
	}
}

// normalizeNewlines returns a private copy of data with CRLF and CR turned into LF. SSE treats a lone CR as a line
// end too, and r3labs' SplitData splits on LF only: a CR left in a line would end the event early in the browser.
func normalizeNewlines(data []byte) []byte {
	if bytes.IndexByte(data, '\r') < 0 {
		return bytes.Clone(data)
	}
	out := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(out, []byte("\r"), []byte("\n"))
}
