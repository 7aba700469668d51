package db

import (
	"context"
	"fmt"
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

// checkpointer runs PASSIVE checkpoints on its own connection until closed.
type checkpointer struct {
	conn *sqlx.DB
	stop chan struct{}
	done chan struct{}
}

// startCheckpointer opens the checkpoint connection and moves the writer's automatic checkpoint to
// walWriterPages. On error the writer keeps SQLite's default in-line checkpoints: slower, never wrong.
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
	// connection would checkpoint at SQLite's default, which is only slower.
	if _, err := w.ExecContext(ctx, fmt.Sprintf(`PRAGMA wal_autocheckpoint = %d`, walWriterPages)); err != nil {
		conn.Close()
		return nil, err
	}
	c := &checkpointer{conn: conn, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		// Busy (the writer is checkpointing) or failing, the next tick tries again: nothing to report.
		_, _ = c.conn.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
		cancel()
	}
}

// close stops the checkpointer; the store's Close checkpoints the rest when its last connection closes.
func (c *checkpointer) close() {
	close(c.stop)
	<-c.done
	c.conn.Close()
}
