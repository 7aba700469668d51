package db

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// Checkpoints mostly off the commit path. By default SQLite checkpoints inside the commit that crosses 1,000 WAL
// pages: that commit copies the WAL into the database file and fsyncs it, and every delivery waiting on its batch
// waits too. Here a checkpointer on its own connection runs PASSIVE checkpoints (which never block the writer) a
// few times a second, so the copying and the database fsync happen beside the writer. The writer still
// checkpoints itself when the WAL passes walWriterPages: by then almost every frame is already copied, so that
// checkpoint is short, and it is what lets the next transaction rewind the WAL to its start (a checkpoint running
// beside a busy writer never catches the last frames, so on its own the WAL would only grow).
const (
	checkpointEvery = 250 * time.Millisecond
	walWriterPages  = 4096 // ~16 MB: the writer's own checkpoint, and the WAL's usual high-water mark
)

// checkpointer holds the connection PASSIVE checkpoints run on. Its loop is RunCheckpoints, started by the
// process's supervisor (cmd/web) like every other background loop, so shutdown stops and waits for it.
type checkpointer struct {
	conn *sqlx.DB
	stop chan struct{} // closed by the store's Close: the loop ends even if its context does not
	once sync.Once
}

// openCheckpointer opens the checkpoint connection and moves the writer's automatic checkpoint to
// walWriterPages. On error the writer keeps SQLite's default in-line checkpoints: slower, never wrong.
func openCheckpointer(ctx context.Context, path string, w *sqlx.DB) (*checkpointer, error) {
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
	// connection would checkpoint at SQLite's default, which is only slower.
	if _, err := w.ExecContext(ctx, fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, walWriterPages)); err != nil {
		conn.Close()
		return nil, err
	}
	return &checkpointer{conn: conn, stop: make(chan struct{})}, nil
}

// RunCheckpoints runs PASSIVE checkpoints every checkpointEvery until ctx ends or the store closes. Without it the
// writer still checkpoints itself past walWriterPages: the WAL grows to ~16 MB and commits are slower, never wrong.
// On PostgreSQL the server checkpoints by itself: RunCheckpoints only waits for ctx, so the supervisor that starts
// it needs no dialect switch.
func (s *Store) RunCheckpoints(ctx context.Context) {
	c := s.ingest.ckpt
	if c == nil { // PostgreSQL, or no checkpoint connection: SQLite checkpoints in line
		<-ctx.Done()
		return
	}
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.stop:
			return
		case <-t.C:
		}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		// Busy (the writer is checkpointing) or failing, the next tick tries again: nothing to report.
		_, _ = c.conn.ExecContext(cctx, `PRAGMA wal_checkpoint(PASSIVE)`)
		cancel()
	}
}

// close ends the loop and closes the connection; the store's Close checkpoints the rest when its last connection
// closes.
func (c *checkpointer) close() {
	c.once.Do(func() { close(c.stop) })
	c.conn.Close()
}
