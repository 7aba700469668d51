package db

import "sync/atomic"

// authVersion counts the writes that can end a session or change what its user may do: sign-outs, revocations,
// user edits (role, name, disabled), password changes. A cache of SessionUser answers stays correct by remembering
// the version it read under and discarding the answer once the version has moved on (see AuthVersion).
type authVersion struct{ n atomic.Uint64 }

// bump is deferred by every such write, so it runs after the write has committed (or failed, which is harmless).
func (v *authVersion) bump() { v.n.Add(1) }

// AuthVersion is a number that changes after every write to users or sessions that could make an earlier
// SessionUser answer wrong (revocation, role change, disabling, password change; not TouchSession or
// CreateSession). Read it before SessionUser: an answer is still valid while AuthVersion returns the same
// number, apart from the time limits (expiry, idle), which the caller re-checks against its clock.
//
// The number counts this process's writes only, so it is a valid cache key only when this process is the
// database's one writer: local reports that (SQLite). On PostgreSQL another instance may revoke a session at any
// moment without this counter moving, so local is false and callers must read the session every time: a version
// read from the database instead would cost the same round trip as the session row itself.
func (s *Store) AuthVersion() (version uint64, local bool) {
	return s.auth.n.Load(), s.dialect != dialectPostgres
}
