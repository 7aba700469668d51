-- 0002: the device activity log (one row per webhook delivery the dashboard accepted), the exact bodies behind
-- it, the webhook inbox (deliveries that could not be verified or parsed), and the event-time marks that keep the
-- mirror's live state newest-first.
--
-- The activity log grows to millions of rows and is read newest first, narrowed by one scope (property, hub or
-- device) or one attribute (device type, message type, who): each filter has an index ending in (at, id), the
-- keyset the list pages by. Full-text search uses an FTS5 table the store creates at start when SQLite has FTS5
-- (build tag sqlite_fts5); it is not created here so that a binary built without the tag can still migrate.

CREATE TABLE activities (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,                   -- activity_time, UTC ms
    received_at   INTEGER NOT NULL,
    hub_id        TEXT    NOT NULL CHECK (hub_id <> ''),
    device_id     TEXT    NOT NULL DEFAULT '',
    -- Resolved from the mirror when the delivery arrived. No foreign key: an activity outlives its property.
    property_id   INTEGER,
    device_type   TEXT    NOT NULL DEFAULT '',        -- as sent, or inferred (type_inferred = 1) when absent
    type_inferred INTEGER NOT NULL DEFAULT 0 CHECK (type_inferred IN (0, 1)),
    message_type  TEXT    NOT NULL CHECK (message_type <> ''), -- verbatim ("Lock", "online")
    kind          TEXT    NOT NULL,                   -- normalised meaning ("lock.locked"), "unknown" if not in the catalogue
    details       TEXT    NOT NULL DEFAULT '',        -- details as text (a number keeps its digits)
    details_json  TEXT    NOT NULL DEFAULT '',        -- details exactly as sent ('' when absent): "5" vs 5
    actor         TEXT    NOT NULL DEFAULT '',        -- the webhook's User: a code name, "Auto", "Keypad"...
    home_name     TEXT    NOT NULL DEFAULT '',        -- names as the delivery gave them
    serial_no     TEXT    NOT NULL DEFAULT '',
    device_name   TEXT    NOT NULL DEFAULT '',
    verified      INTEGER NOT NULL CHECK (verified IN (0, 1)), -- carried a valid token or signature
    dedupe_key    BLOB    NOT NULL CHECK (length(dedupe_key) = 32) -- SHA-256 of the body, or of the webhook-id
);
CREATE UNIQUE INDEX activities_dedupe ON activities (dedupe_key);
CREATE INDEX activities_at ON activities (at, id);
CREATE INDEX activities_property ON activities (property_id, at, id);
CREATE INDEX activities_hub ON activities (hub_id, at, id);
CREATE INDEX activities_device ON activities (device_id, at, id) WHERE device_id <> '';
CREATE INDEX activities_device_type ON activities (device_type, at, id);
CREATE INDEX activities_message ON activities (lower(message_type), at, id);
CREATE INDEX activities_actor ON activities (lower(actor), at, id) WHERE actor <> '';

-- The delivered bytes, kept apart so the log's own rows stay small for scans and exports.
CREATE TABLE activity_bodies (
    activity_id INTEGER PRIMARY KEY,
    body        BLOB NOT NULL
);

-- How far the FTS index has caught up with activities (one row). Rows written by a binary without FTS5 are
-- indexed by the next one that has it.
CREATE TABLE activities_fts_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    last_id INTEGER NOT NULL
);
INSERT INTO activities_fts_state (id, last_id) VALUES (1, 0);

-- Deliveries that were not stored as activities: bad token or signature, too large, unparseable. Nothing the
-- upstream sent is dropped silently; an admin can re-process a row once the cause is fixed.
CREATE TABLE webhook_inbox (
    id           INTEGER PRIMARY KEY,
    received_at  INTEGER NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('failed', 'processed')),
    reason       TEXT    NOT NULL CHECK (reason IN ('unauthenticated', 'bad_signature', 'expired_signature',
                                                    'too_large', 'unparseable')),
    detail       TEXT    NOT NULL DEFAULT '',  -- why, in words (never a secret)
    verified     INTEGER NOT NULL CHECK (verified IN (0, 1)),
    remote_addr  TEXT    NOT NULL DEFAULT '',
    webhook_id   TEXT    NOT NULL DEFAULT '',
    body         BLOB    NOT NULL,
    body_size    INTEGER NOT NULL,             -- bytes received; more than length(body) when truncated
    truncated    INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1)),
    suppressed   INTEGER NOT NULL DEFAULT 0,   -- unverified deliveries refused just before this one (rate limit)
    attempts     INTEGER NOT NULL DEFAULT 0,   -- re-processing attempts
    activity_id  INTEGER,                      -- set once re-processed into an activity
    processed_at INTEGER,
    processed_by TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX webhook_inbox_status ON webhook_inbox (status, id);

-- The activity_time of the newest webhook applied to each live field of the mirror ("online", "battery",
-- "state.mode"...), per hub ("hub:<id>") or device ("device:<id>"): an older delivery arriving late never
-- overwrites newer state. seen_at is our clock when it was applied: the hub heartbeat watchdog judges silence by
-- it, so a skewed upstream clock cannot take hubs offline.
CREATE TABLE live_marks (
    entity  TEXT    NOT NULL,
    field   TEXT    NOT NULL,
    at      INTEGER NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (entity, field)
) WITHOUT ROWID;
-- The watchdog's question: which hubs last proved alive (heartbeat or online) before a cut-off.
CREATE INDEX live_marks_seen ON live_marks (field, seen_at);
