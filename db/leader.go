package db

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
// the lock; callers poll. A refused try keeps its connection for the next one, so a follower polling every second
// does not make the server start (and end) a backend each time.
func (s *Store) TryLead(ctx context.Context) (*LeaderLock, error) {
	if s.dialect != dialectPostgres {
		return &LeaderLock{}, nil
	}
	s.leader.mu.Lock()
	defer s.leader.mu.Unlock()
	conn := s.leader.candidate
	s.leader.candidate = nil
	if conn == nil || conn.IsClosed() {
		var err error
		if conn, err = s.dedicatedConn(ctx); err != nil {
			return nil, err
		}
	}
	var got bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, pgLeaderLockKey).Scan(&got); err != nil {
		conn.Close(context.WithoutCancel(ctx)) // a broken connection: the next try dials again
		return nil, fmt.Errorf("db: leader lock: %w", err)
	}
	if !got {
		s.leader.candidate = conn
		return nil, ErrNotLeader
	}
	return &LeaderLock{conn: conn}, nil
}

// leaderCandidate is the connection a follower asks for the lock on, kept between tries.
type leaderCandidate struct {
	mu        sync.Mutex
	candidate *pgx.Conn
}

// close closes the kept connection, at Close.
func (c *leaderCandidate) close(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.candidate == nil {
		return nil
	}
	err := c.candidate.Close(ctx)
	c.candidate = nil
	return err
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
