-- 0011: the sign-in and guest-link throttles' token buckets, shared by every instance so that failures spread over
-- several instances count against one limit. PostgreSQL translation of sqlite/0011_throttles.sql: one row per
-- limiter and key (the SHA-256 of the limited value); tat is the bucket as a GCRA "theoretical arrival time" in
-- Unix milliseconds, updated by one atomic upsert per spend.
CREATE TABLE throttles (
    name    TEXT   NOT NULL,
    key     TEXT   NOT NULL,
    tat     BIGINT NOT NULL,
    used_at BIGINT NOT NULL,
    PRIMARY KEY (name, key)
);
CREATE INDEX throttles_used ON throttles (used_at);
