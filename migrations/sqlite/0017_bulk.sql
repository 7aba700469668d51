-- 0017: bulk access actions (issue 13). One bulk_actions row per submitted bulk form (token: the form's one-time
-- token, so a double submit finds the first action instead of making a second); one bulk_items row per lock (a
-- code issued on many locks), per code (a person's codes revoked everywhere) or per property (a bulk move-out).
-- An item's live state on its lock is read from lock_code_devices through lock_code_id; state here is only the
-- dashboard's own step: queued (not sent yet), sent, failed (the upstream refused; error says why), interrupted
-- (the dashboard stopped before sending it). request holds what to send again on a retry, never a PIN.
CREATE TABLE bulk_actions (
    id           INTEGER PRIMARY KEY,
    kind         TEXT    NOT NULL CHECK (kind IN ('code', 'revoke', 'move_out')),
    token        TEXT    NOT NULL UNIQUE CHECK (token <> ''),
    label        TEXT    NOT NULL DEFAULT '',
    requested_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    requested_at INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    finished_at  INTEGER
);
CREATE INDEX bulk_actions_recent ON bulk_actions (requested_at);

CREATE TABLE bulk_items (
    bulk_id      INTEGER NOT NULL REFERENCES bulk_actions (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    grp          INTEGER NOT NULL DEFAULT 0,
    property_id  INTEGER NOT NULL,
    device_id    TEXT    NOT NULL DEFAULT '',
    label        TEXT    NOT NULL DEFAULT '',
    lock_code_id TEXT    NOT NULL DEFAULT '',
    ref_id       INTEGER NOT NULL DEFAULT 0,
    request      TEXT    NOT NULL DEFAULT '',
    state        TEXT    NOT NULL CHECK (state IN ('queued', 'sent', 'failed', 'interrupted')),
    error        TEXT    NOT NULL DEFAULT '',
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (bulk_id, seq)
);
