-- 0011: the sign-in and guest-link throttles' token buckets, for PostgreSQL, where several instances must see each
-- other's failures. SQLite (one process) keeps its buckets in memory and leaves this table empty; it exists here so
-- both dialects define the same tables. One row per limiter and key; key is the SHA-256 of the limited value (an
-- address, an account), so no email address or address sits in the table. tat is the bucket as a GCRA
-- "theoretical arrival time" in Unix milliseconds: the bucket is full once tat is in the past.
CREATE TABLE throttles (
    name    TEXT    NOT NULL,
    key     TEXT    NOT NULL,
    tat     INTEGER NOT NULL,
    used_at INTEGER NOT NULL,
    PRIMARY KEY (name, key)
);
-- Pruning deletes buckets idle for an hour.
CREATE INDEX throttles_used ON throttles (used_at);
