-- 0003: hardware command records. Each command a person sends to a device or a hub is one row that goes
-- pending → succeeded | failed (with the reason). Rows are history: they outlive the device or hub they name
-- (no foreign key to the mirror, which a sync may prune), and never hold a PIN or a master code.
CREATE TABLE commands (
    id           INTEGER PRIMARY KEY,
    hub_id       TEXT    NOT NULL CHECK (hub_id <> ''),      -- the hub, or the device's hub
    device_id    TEXT,                                       -- NULL for a hub command
    property_id  INTEGER,
    user_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
    user_email   TEXT    NOT NULL DEFAULT '',
    action       TEXT    NOT NULL CHECK (action <> ''),      -- lock, unlock, thermostat, refresh, reset_master_code…
    command      TEXT    NOT NULL DEFAULT '{}',              -- JSON of what was asked
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    reason       TEXT    NOT NULL DEFAULT '',                -- why it failed
    result       TEXT    NOT NULL DEFAULT '',                -- what the hardware reported when it succeeded
    upstream_id  TEXT    NOT NULL DEFAULT '',                -- the upstream's command id (hub commands)
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    confirmed_at INTEGER,
    CHECK (device_id IS NULL OR device_id <> ''),
    CHECK ((status = 'pending') = (confirmed_at IS NULL))
);
-- A page lists the newest commands of one device, or the hub-level commands of one hub.
CREATE INDEX commands_device ON commands (device_id, id) WHERE device_id IS NOT NULL;
CREATE INDEX commands_hub ON commands (hub_id, id) WHERE device_id IS NULL;
-- The tracker reads the pending rows, which are few.
CREATE INDEX commands_pending ON commands (created_at, id) WHERE status = 'pending';
