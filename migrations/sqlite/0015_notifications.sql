-- 0015: alert notifications (issue 11, part B). Rules say who is told about which alerts, step by step
-- (escalation); webhook endpoints are the URLs admins register; notifications are the durable outbox (a
-- notification is stored before anything is sent); notification_attempts records every send, written as
-- 'sending' before the send starts so a restart finds it. alert_id points at part A's alerts table, with no
-- foreign key: the outbox must keep its history whatever happens to alert rows.

CREATE TABLE notify_endpoints (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    url        TEXT    NOT NULL,
    secret     TEXT    NOT NULL,                      -- whsec_ + base64 of 24 random bytes
    disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at INTEGER NOT NULL                       -- UTC ms
);
CREATE UNIQUE INDEX notify_endpoints_name ON notify_endpoints (name);

CREATE TABLE notify_rules (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL,
    kinds           TEXT    NOT NULL DEFAULT '',      -- comma-separated alert kinds; '' = every kind
    property_ids    TEXT    NOT NULL DEFAULT '',      -- comma-separated property ids; '' = every property
    min_severity    TEXT    NOT NULL CHECK (min_severity IN ('warning', 'critical')),
    quiet_start     INTEGER NOT NULL DEFAULT -1,      -- minutes after local midnight; -1 = no quiet hours
    quiet_end       INTEGER NOT NULL DEFAULT -1,
    notify_resolved INTEGER NOT NULL DEFAULT 0 CHECK (notify_resolved IN (0, 1)),
    enabled         INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX notify_rules_name ON notify_rules (name);

-- A rule's steps in order: position 0 is the first notice (sent delay_minutes after the alert opens); each later
-- step fires delay_minutes after the one before it while the alert stays unacknowledged.
CREATE TABLE notify_steps (
    rule_id       INTEGER NOT NULL REFERENCES notify_rules (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL CHECK (position >= 0),
    delay_minutes INTEGER NOT NULL CHECK (delay_minutes >= 0),
    emails        TEXT    NOT NULL DEFAULT '',        -- comma-separated addresses
    endpoint_id   INTEGER REFERENCES notify_endpoints (id) ON DELETE RESTRICT,
    PRIMARY KEY (rule_id, position)
);
CREATE INDEX notify_steps_endpoint ON notify_steps (endpoint_id);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    message_id  TEXT    NOT NULL,                     -- random; webhook-id and Message-ID, the same on every attempt
    alert_id    INTEGER NOT NULL,                     -- 0 for a test
    rule_id     INTEGER REFERENCES notify_rules (id) ON DELETE SET NULL,
    rule_name   TEXT    NOT NULL DEFAULT '',
    step        INTEGER NOT NULL DEFAULT 0,
    event       TEXT    NOT NULL CHECK (event IN ('opened', 'resolved', 'test')),
    channel     TEXT    NOT NULL CHECK (channel IN ('email', 'webhook')),
    target      TEXT    NOT NULL,                     -- the address, or the endpoint's URL when decided
    endpoint_id INTEGER REFERENCES notify_endpoints (id) ON DELETE SET NULL,
    payload     TEXT    NOT NULL,                     -- the alert as it was when decided (JSON)
    state       TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'cancelled')),
    due_at      INTEGER NOT NULL,                     -- UTC ms; while an attempt runs, when it is presumed dead
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX notifications_message ON notifications (message_id);
-- One notification per alert, rule, step, event and recipient, however often part A reports the same alert.
CREATE UNIQUE INDEX notifications_once ON notifications (alert_id, rule_id, step, event, channel, target)
    WHERE event <> 'test';
CREATE INDEX notifications_due ON notifications (due_at) WHERE state = 'pending';
CREATE INDEX notifications_endpoint ON notifications (endpoint_id, id);

CREATE TABLE notification_attempts (
    id              INTEGER PRIMARY KEY,
    notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    state           TEXT    NOT NULL CHECK (state IN ('sending', 'ok', 'failed', 'interrupted')),
    status_code     INTEGER NOT NULL DEFAULT 0,       -- the HTTP status, or the SMTP reply code
    reply           TEXT    NOT NULL DEFAULT '',      -- the start of the answer (clipped)
    error           TEXT    NOT NULL DEFAULT '',      -- what went wrong (clipped)
    manual          INTEGER NOT NULL DEFAULT 0 CHECK (manual IN (0, 1)) -- a resend or a test by an admin
);
CREATE INDEX notification_attempts_notification ON notification_attempts (notification_id, id);
CREATE INDEX notification_attempts_sending ON notification_attempts (notification_id) WHERE state = 'sending';
