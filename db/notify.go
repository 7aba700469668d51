package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Live push across instances (PostgreSQL only). Each committed ingest batch sends NOTIFY on LiveChannel in its
// own transaction, so the notification exists exactly when the rows do: PostgreSQL delivers it on commit and
// drops it on rollback, and a crash between the commit and a separate NOTIFY cannot lose it. Payloads carry ids
// only, a header (the sending instance) then space-separated entries, split so each stays under the server's
// 8000-byte limit. The listeners (domain/fanout) read the rows back by id.

// LiveChannel is the channel every instance notifies and listens on.
const LiveChannel = "dashboard_live"

// MaxNotifyPayload is the longest payload PackNotify makes: PostgreSQL refuses 8000 bytes or more.
const MaxNotifyPayload = 7999

// listenerAppName names the listeners' sessions in pg_stat_activity, so an operator (or a test) can find them.
const listenerAppName = "dashboard-live"

// PackNotify joins header and entries into as few payloads as fit, each at most MaxNotifyPayload bytes and each
// starting with header. An entry too long to fit even alone is dropped: entries are ids, a few dozen bytes.
func PackNotify(header string, entries []string) []string {
	var out []string
	var b strings.Builder
	n := 0
	flush := func() {
		if n > 0 {
			out = append(out, b.String())
		}
		b.Reset()
		n = 0
	}
	for _, e := range entries {
		if len(header)+1+len(e) > MaxNotifyPayload {
			continue
		}
		if n > 0 && b.Len()+1+len(e) > MaxNotifyPayload {
			flush()
		}
		if n == 0 {
			b.WriteString(header)
		}
		b.WriteByte(' ')
		b.WriteString(e)
		n++
	}
	flush()
	return out
}

// ingestAnnounce is what the ingester notifies with each batch (AnnounceIngest).
type ingestAnnounce struct {
	header string
	entry  func(IngestResult) string
}

// AnnounceIngest makes every later ingest batch on PostgreSQL send, inside its transaction, the entries entry
// returns for its new or released activities (one per result; "" for none), packed under header on LiveChannel.
// entry runs on the writer's goroutine before the commit: it must be quick. A no-op on SQLite, which has one
// instance and nobody to tell.
func (s *Store) AnnounceIngest(header string, entry func(IngestResult) string) {
	if s.dialect != dialectPostgres || s.ingest == nil {
		return
	}
	s.ingest.announce.Store(&ingestAnnounce{header: header, entry: entry})
}

// JournalAppended is the entry an append batch's notification carries on PostgreSQL: rows wait in the journal. The
// instance that projects (the leader) wakes on it instead of waiting for its next poll.
const JournalAppended = "j:"

// announceJournalTx tells the other instances, in tx, that the batch appended journal rows.
func (in *ingester) announceJournalTx(ctx context.Context, tx *dbTx) error {
	a := in.announce.Load()
	if a == nil {
		return nil
	}
	for _, p := range PackNotify(a.header, []string{JournalAppended}) {
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify(?, ?)`, LiveChannel, p); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
	}
	return nil
}

// announceTx notifies the batch's entries in tx (nothing when AnnounceIngest was not called).
func (in *ingester) announceTx(ctx context.Context, tx *dbTx, changes []*ingestReq) error {
	a := in.announce.Load()
	if a == nil || len(changes) == 0 {
		return nil
	}
	entries := make([]string, 0, len(changes))
	for _, req := range changes {
		if e := a.entry(req.res); e != "" {
			entries = append(entries, e)
		}
	}
	for _, p := range PackNotify(a.header, entries) {
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify(?, ?)`, LiveChannel, p); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
	}
	return nil
}

// Notify sends payloads on LiveChannel, each in its own statement, outside any transaction: for changes already
// committed elsewhere (commands, lock codes, hub silence), whose notification is a hint the pages can live
// without. A no-op on SQLite.
func (s *Store) Notify(ctx context.Context, payloads []string) error {
	if s.dialect != dialectPostgres {
		return nil
	}
	for _, p := range payloads {
		if _, err := s.w.ExecContext(ctx, `SELECT pg_notify(?, ?)`, LiveChannel, p); err != nil {
			return fmt.Errorf("db: notify: %w", err)
		}
	}
	return nil
}

// Listener is one LISTEN session on LiveChannel, on its own connection. Not safe for concurrent use.
type Listener struct {
	conn *pgx.Conn
}

// Listen opens a dedicated connection and listens on LiveChannel. Notifications sent after Listen returns are
// delivered by Wait; those sent before are not.
func (s *Store) Listen(ctx context.Context) (*Listener, error) {
	c, err := s.dedicatedConn(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: listen: %w", err)
	}
	if _, err := c.Exec(ctx, `SET application_name = '`+listenerAppName+`'; LISTEN `+pgx.Identifier{LiveChannel}.Sanitize()); err != nil {
		c.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("db: listen: %w", err)
	}
	return &Listener{conn: c}, nil
}

// Wait returns the next notification's payload. An error means the connection is gone (or ctx ended): close
// the listener and listen again.
func (l *Listener) Wait(ctx context.Context) (string, error) {
	n, err := l.conn.WaitForNotification(ctx)
	if err != nil {
		return "", fmt.Errorf("db: listen: %w", err)
	}
	return n.Payload, nil
}

// PID is the server process of the listener's session.
func (l *Listener) PID() uint32 { return l.conn.PgConn().PID() }

// Close ends the session.
func (l *Listener) Close(ctx context.Context) error { return l.conn.Close(ctx) }

// LastActivityID is the highest activity id stored (0 for none).
func (s *Store) LastActivityID(ctx context.Context) (int64, error) {
	var id int64
	if err := s.r.GetContext(ctx, &id, `SELECT coalesce(max(id), 0) FROM activities`); err != nil {
		return 0, fmt.Errorf("db: last activity id: %w", err)
	}
	return id, nil
}

// ActivityIDsAfter returns up to limit activity ids above after, in order: a listener's catch-up, page by page.
func (s *Store) ActivityIDsAfter(ctx context.Context, after int64, limit int) ([]int64, error) {
	ids := []int64{}
	if err := s.r.SelectContext(ctx, &ids, `SELECT id FROM activities WHERE id > ? ORDER BY id LIMIT ?`, after, limit); err != nil {
		return nil, fmt.Errorf("db: activity ids after %d: %w", after, err)
	}
	return ids, nil
}
