package db

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Checkpoints off the commit path. By default SQLite checkpoints inside the commit that crosses 1,000 WAL pages:
// that commit copies the WAL into the database file and fsyncs it, and every delivery waiting on its batch waits
// too — after a burst, for a long time. Instead the writer's automatic checkpoint is turned off and a
// checkpointer on its own connection runs PASSIVE checkpoints (which never block the writer) a few times a
// second. Should it fall far behind, the writer's automatic checkpoint comes back on (walPagesLimit), so the WAL
// cannot grow without bound.
const (
	checkpointEvery = 250 * time.Millisecond
	walPagesLimit   = 20_000 // ~80 MB of WAL: beyond it the writer checkpoints in line again
)

// checkpointer runs PASSIVE checkpoints on its own connection until closed.
type checkpointer struct {
	conn *sqlx.DB
	w    *sqlx.DB
	stop chan struct{}
	done chan struct{}
}

// startCheckpointer opens the checkpoint connection and takes checkpoints over from the writer. On error the
// writer keeps SQLite's in-line checkpoints: slower under bursts, never wrong.
func startCheckpointer(ctx context.Context, path string, w *sqlx.DB) (*checkpointer, error) {
	conn, err := sqlx.Open("sqlite3", fileURI(path)+"?"+writerParams)
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	conn.SetConnMaxLifetime(0)
	conn.SetConnMaxIdleTime(0)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	// The writer pool keeps its one connection for the store's life, so the setting stays with it; a replaced
	// connection would checkpoint in line again, which is only slower.
	if _, err := w.ExecContext(ctx, `PRAGMA wal_autocheckpoint = 0`); err != nil {
		conn.Close()
		return nil, err
	}
	c := &checkpointer{conn: conn, w: w, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	inline := false
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		var busy, log, done int
		err := c.conn.QueryRowxContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done)
		if behind := err == nil && log-done > walPagesLimit; behind != inline {
			pages := 0 // caught up: take the work back
			if behind {
				pages = 1000 // far behind: the writer helps
			}
			if _, err := c.w.ExecContext(ctx, fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, pages)); err == nil {
				inline = behind
			}
		}
		cancel()
	}
}

// close stops the checkpointer; the store's Close checkpoints the rest when its last connection closes.
func (c *checkpointer) close() {
	close(c.stop)
	<-c.done
	c.conn.Close()
}
