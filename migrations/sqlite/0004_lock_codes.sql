-- 0004: lock codes. A mirror of the upstream's lock codes — the ones issued here and the ones reservations,
-- invitations and one-off unlocks create upstream — with each code's state on each lock, plus what only the
-- dashboard knows: who issued a code here, and when someone asked for it to be deleted.
--
-- The PIN is kept because revealing a code and the drift check need it. It is sealed with AES-256-GCM under a key
-- derived from SESSION_SECRET (handlers/lockcodes_crypto.go), with the code id as associated data, and never stored
-- in clear. A code whose seal no longer opens (the secret changed) is re-sealed by the next lock-code sync.

CREATE TABLE lock_codes (
    id            TEXT    PRIMARY KEY CHECK (id <> ''),
    property_id   INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    hub_id        TEXT    NOT NULL DEFAULT '',
    name          TEXT    NOT NULL DEFAULT '',
    code_type     TEXT    NOT NULL DEFAULT '',
    validity_type TEXT    NOT NULL CHECK (validity_type IN
                      ('Never Expires', 'Specific Period', 'By Day of Week', 'Daily Repeating')),
    -- Specific Period only: the window as UTC instants.
    starts_at     INTEGER,
    ends_at       INTEGER,
    -- Recurring types only: JSON [{"days": [0..6], "from": "HH:MM", "to": "HH:MM"}], wall-clock times in the
    -- lock's zone (a daily 09:00 stays 09:00 across daylight-saving changes, as the lock applies it).
    schedule      TEXT    NOT NULL DEFAULT '[]',
    pin_sealed    BLOB    NOT NULL,
    created_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    deleted_at    INTEGER,
    synced_at     INTEGER NOT NULL,
    CHECK ((validity_type = 'Specific Period') = (starts_at IS NOT NULL AND ends_at IS NOT NULL))
);
CREATE INDEX lock_codes_property ON lock_codes (property_id, lower(name), id);
-- Deleted codes are few and purged after a day.
CREATE INDEX lock_codes_deleted ON lock_codes (deleted_at) WHERE deleted_at IS NOT NULL;

-- One row per code and lock. reported_at is when the upstream says the lock reached this state (its updated_at);
-- checked_at is when the dashboard last read it.
CREATE TABLE lock_code_devices (
    code_id     TEXT    NOT NULL REFERENCES lock_codes (id) ON DELETE CASCADE,
    device_id   TEXT    NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    status      TEXT    NOT NULL CHECK (status IN ('setting', 'set', 'failed', 'removing', 'removed')),
    slot        INTEGER CHECK (slot IS NULL OR slot > 0),
    error       TEXT    NOT NULL DEFAULT '',
    reported_at INTEGER NOT NULL,
    checked_at  INTEGER NOT NULL,
    PRIMARY KEY (code_id, device_id)
);
CREATE INDEX lock_code_devices_device ON lock_code_devices (device_id, code_id);
-- Codes still in flight are few: the tracker and the pages find them through this partial index.
CREATE INDEX lock_code_devices_pending ON lock_code_devices (code_id) WHERE status IN ('setting', 'removing');
