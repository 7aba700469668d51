-- 0019: API tokens for the read-only JSON API under /api/v1 (issue 18). An admin creates one, names it and scopes
-- it to a role; the token is shown once and only its SHA-256 is kept. lookup is the token's public id part
-- ("kd_<lookup>_<secret>"), so a call finds its row by an index, then compares the hash. last_used_at is written
-- at most once a minute per token; revoked_at is set once and never cleared.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    lookup       TEXT    NOT NULL CHECK (length(lookup) = 16),
    hash         TEXT    NOT NULL CHECK (length(hash) = 64),
    name         TEXT    NOT NULL CHECK (name <> ''),
    role         TEXT    NOT NULL CHECK (role IN ('admin', 'staff', 'installer', 'auditor')),
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE UNIQUE INDEX api_tokens_lookup ON api_tokens (lookup);
