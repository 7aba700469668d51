-- 0014: alerts as records with a lifecycle (open → acknowledged → resolved), their thresholds, and the conditions
-- waiting out a grace period. Until now alerts were derived from the mirror on every page view, so a flapping
-- sensor gave one banner per webhook and nobody could say "I'm on it".
--
-- hub_id and device_id are not foreign keys: an alert outlives the hub or device the sync later removes (the
-- domain resolves it then), and property_id outlives a deleted property, so the history stays whole.

CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL CHECK (kind IN ('leak', 'smoke', 'tamper', 'jammed', 'low_battery', 'hub_offline',
                                                     'temperature_high', 'temperature_low')),
    severity        TEXT    NOT NULL CHECK (severity IN ('critical', 'warning')),
    property_id     INTEGER,
    hub_id          TEXT    NOT NULL CHECK (hub_id <> ''),
    device_id       TEXT    NOT NULL DEFAULT '',          -- '' for a hub's alert
    state           TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'resolved')),
    opened_at       INTEGER NOT NULL,                     -- UTC ms
    last_seen_at    INTEGER NOT NULL,                     -- the condition's latest report
    flaps           INTEGER NOT NULL DEFAULT 0 CHECK (flaps >= 0), -- re-reports while unresolved
    acknowledged_by INTEGER REFERENCES users (id),
    acknowledged_at INTEGER,
    ack_note        TEXT    NOT NULL DEFAULT '',
    resolved_at     INTEGER,
    resolved_by     INTEGER REFERENCES users (id),        -- NULL with resolved_at set: resolved automatically
    detail          TEXT    NOT NULL DEFAULT '',
    CHECK ((state = 'resolved') = (resolved_at IS NOT NULL)),
    CHECK (state <> 'acknowledged' OR acknowledged_at IS NOT NULL)
);
-- Flap suppression: at most one unresolved alert per hub or device and kind, however often the condition repeats.
CREATE UNIQUE INDEX alerts_unresolved ON alerts (hub_id, device_id, kind) WHERE state <> 'resolved';
CREATE INDEX alerts_property ON alerts (property_id, id);
CREATE INDEX alerts_hub ON alerts (hub_id, id);
CREATE INDEX alerts_device ON alerts (device_id, id) WHERE device_id <> '';
CREATE INDEX alerts_state ON alerts (state, id);

-- Thresholds: property_id 0 holds the global defaults, any other row one property's overrides. NULL: inherit
-- (the global value, else the built-in default). No foreign key, so that 0 can stand for "everywhere".
CREATE TABLE alert_thresholds (
    property_id          INTEGER PRIMARY KEY CHECK (property_id >= 0),
    low_battery_percent  INTEGER CHECK (low_battery_percent BETWEEN 5 AND 50),
    offline_grace_min    INTEGER CHECK (offline_grace_min BETWEEN 0 AND 1440),
    temp_high_f          INTEGER CHECK (temp_high_f BETWEEN 60 AND 120),
    temp_low_f           INTEGER CHECK (temp_low_f BETWEEN 20 AND 70),
    updated_at           INTEGER NOT NULL,
    updated_by           INTEGER REFERENCES users (id),
    CHECK (temp_low_f IS NULL OR temp_high_f IS NULL OR temp_low_f < temp_high_f)
);

-- A condition seen but not yet an alert: a hub offline inside its grace period. Kept here rather than in memory
-- so that a restart or a change of leader does not restart the clock.
CREATE TABLE alert_pending (
    hub_id    TEXT    NOT NULL,
    device_id TEXT    NOT NULL DEFAULT '',
    kind      TEXT    NOT NULL,
    since     INTEGER NOT NULL,
    PRIMARY KEY (hub_id, device_id, kind)
);
