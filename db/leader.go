package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgLeaderLockKey is the session advisory lock whose holder runs the cluster's background work (mirror sync,
// command sweeps, hub watchdog, pruning). Advisory locks are per database, so clusters on separate databases of
// one server do not compete. Distinct from pgMigrationLockKey: a migrating instance is not the leader for that.
const pgLeaderLockKey = pgMigrationLockKey + 1

// leaderPingTimeout bounds one liveness check of the held lock's connection: a server that stopped answering
// loses us the leadership within this, instead of a TCP timeout minutes later.
const leaderPingTimeout = 2 * time.Second

// ErrNotLeader is TryLead's answer when another instance holds the leader lock.
var ErrNotLeader = errors.New("db: another instance holds the leader lock")

// LeaderLock is this instance's hold on the leader lock: on PostgreSQL a session advisory lock on a connection of
// its own (outside the pools, so no query shares it and no pool recycles it), which the server releases the moment
// that session ends, so a crashed or partitioned leader gives way without anyone cleaning up. On SQLite there is
// one process per database and the lock is a formality that always holds.
type LeaderLock struct {
	conn *pgx.Conn // nil on SQLite
}

// TryLead takes the leader lock if nobody holds it: ErrNotLeader when another instance does. It never waits for
// the lock; callers poll.
func (s *Store) TryLead(ctx context.Context) (*LeaderLock, error) {
	if s.dialect != dialectPostgres {
		return &LeaderLock{}, nil
	}
	conn, err := s.dedicatedConn(ctx)
	if err != nil {
		return nil, err
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, pgLeaderLockKey).Scan(&got); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("db: leader lock: %w", err)
	}
	if !got {
		conn.Close(ctx)
		return nil, ErrNotLeader
	}
	return &LeaderLock{conn: conn}, nil
}

// Alive checks that the lock is still held: its connection answers, within leaderPingTimeout. An error means the
// session (and so the lock) may be gone and another instance may already lead: stop the leader's work and Release.
func (l *LeaderLock) Alive(ctx context.Context) error {
	if l.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, leaderPingTimeout)
	defer cancel()
	if err := l.conn.Ping(ctx); err != nil {
		return fmt.Errorf("db: leader lock connection: %w", err)
	}
	return nil
}

// Release gives the lock up by closing its connection, which ends the session and every lock it held; a
// connection already broken has nothing left to release.
func (l *LeaderLock) Release(ctx context.Context) error {
	if l.conn == nil {
		return nil
	}
	return l.conn.Close(ctx)
}

// leaderBackendPID is the server process holding the lock's session (tests terminate it to simulate a lost
// connection).
func (l *LeaderLock) leaderBackendPID() uint32 {
	if l.conn == nil {
		return 0
	}
	return l.conn.PgConn().PID()
}
