-- 0001: users, sessions, the portfolio mirror (properties, hubs, devices), sync runs and the staff audit log.
--
-- Conventions for every table in this store:
--   * times are INTEGER unix milliseconds in UTC (NULL where a time may be unknown);
--   * booleans are INTEGER 0/1 with a CHECK;
--   * text defaults to '' rather than NULL, so scans never meet a NULL string;
--   * case-insensitive lookups use lower(col) expression indexes (portable to PostgreSQL).

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    email               TEXT    NOT NULL CHECK (email <> ''),
    name                TEXT    NOT NULL DEFAULT '',
    role                TEXT    NOT NULL CHECK (role IN ('admin', 'staff', 'installer', 'auditor')),
    password_hash       TEXT    NOT NULL DEFAULT '',
    disabled            INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL
);
-- Emails are unique regardless of case: Ann@x.com and ann@x.com are one account.
CREATE UNIQUE INDEX users_email ON users (lower(email));

-- A session's id is the SHA-256 hex of the cookie token; the raw token is never stored.
CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY CHECK (length(id) = 64),
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    ip           TEXT    NOT NULL DEFAULT '',
    user_agent   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Mirror of the upstream portfolio. Ids are the upstream ids.
CREATE TABLE properties (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL DEFAULT '',
    address        TEXT    NOT NULL DEFAULT '',
    street_address TEXT    NOT NULL DEFAULT '',
    city           TEXT    NOT NULL DEFAULT '',
    state          TEXT    NOT NULL DEFAULT '',
    zipcode        TEXT    NOT NULL DEFAULT '',
    time_zone      TEXT    NOT NULL DEFAULT '',
    latitude       TEXT    NOT NULL DEFAULT '',
    longitude      TEXT    NOT NULL DEFAULT '',
    synced_at      INTEGER NOT NULL,
    -- Counts kept by the triggers on hubs and devices (below), so listing and sorting properties by
    -- alerts never aggregates every device. Only triggers write these columns.
    n_hubs          INTEGER NOT NULL DEFAULT 0,
    n_hubs_offline  INTEGER NOT NULL DEFAULT 0,
    n_devices       INTEGER NOT NULL DEFAULT 0,
    n_low_battery   INTEGER NOT NULL DEFAULT 0,
    n_alert_devices INTEGER NOT NULL DEFAULT 0,
    n_alerts        INTEGER GENERATED ALWAYS AS (n_hubs_offline + n_low_battery + n_alert_devices) VIRTUAL
);
CREATE INDEX properties_name ON properties (lower(name), id);
CREATE INDEX properties_city ON properties (lower(city), lower(name), id);
CREATE INDEX properties_synced ON properties (synced_at, id);
CREATE INDEX properties_alerts ON properties (n_alerts, lower(name), id);

-- A hub outlives its property in the mirror (the upstream unassigns hubs of a deleted property).
CREATE TABLE hubs (
    id                TEXT    PRIMARY KEY,
    property_id       INTEGER REFERENCES properties (id) ON DELETE SET NULL,
    serial_no         TEXT    NOT NULL DEFAULT '',
    home_name         TEXT    NOT NULL DEFAULT '',
    time_zone         TEXT    NOT NULL DEFAULT '',
    address           TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL DEFAULT '',
    online            INTEGER NOT NULL DEFAULT 0 CHECK (online IN (0, 1)),
    last_heartbeat_at INTEGER,
    power_source      TEXT    NOT NULL DEFAULT '',
    battery           INTEGER,
    signal            TEXT    NOT NULL DEFAULT '',
    firmware          TEXT    NOT NULL DEFAULT '',
    model             TEXT    NOT NULL DEFAULT '',
    network_type      TEXT    NOT NULL DEFAULT '',
    raw               TEXT    NOT NULL DEFAULT '',
    synced_at         INTEGER NOT NULL
);
CREATE INDEX hubs_property ON hubs (property_id);
CREATE INDEX hubs_home_name ON hubs (lower(home_name), id);
-- Offline hubs are few: a partial index keeps counting and listing them cheap.
CREATE INDEX hubs_offline ON hubs (property_id) WHERE online = 0;

CREATE TABLE devices (
    id               TEXT    PRIMARY KEY,
    hub_id           TEXT    NOT NULL REFERENCES hubs (id) ON DELETE CASCADE,
    property_id      INTEGER REFERENCES properties (id) ON DELETE SET NULL,
    name             TEXT    NOT NULL DEFAULT '',
    occupant_setting TEXT    NOT NULL DEFAULT '',
    type             TEXT    NOT NULL DEFAULT '',
    battery          INTEGER,
    online           INTEGER NOT NULL DEFAULT 1 CHECK (online IN (0, 1)),
    alert            TEXT    NOT NULL DEFAULT '',
    state            TEXT    NOT NULL DEFAULT '',
    settings         TEXT    NOT NULL DEFAULT '',
    state_changed_at INTEGER NOT NULL,
    synced_at        INTEGER NOT NULL
);
CREATE INDEX devices_hub ON devices (hub_id);
CREATE INDEX devices_property ON devices (property_id);
-- Devices that need attention (an alert, or battery below db.LowBatteryPercent = 20) are few. Queries
-- must repeat this WHERE clause verbatim for SQLite to use the index; a test checks the query plans.
CREATE INDEX devices_attention ON devices (state_changed_at) WHERE alert <> '' OR battery < 20;

-- Triggers keeping the properties.n_* counts. A hub counts towards its property, offline when
-- online = 0; a device counts towards its own property_id, low when battery < 20 (db.LowBatteryPercent),
-- alerting when alert <> ''. Cascades (hub deleted → its devices deleted; property deleted → hubs and
-- devices unassigned) fire these triggers too. The UPDATE triggers skip re-syncs that change nothing.
CREATE TRIGGER hubs_count_insert AFTER INSERT ON hubs WHEN NEW.property_id IS NOT NULL
BEGIN
    UPDATE properties SET n_hubs = n_hubs + 1, n_hubs_offline = n_hubs_offline + (NEW.online = 0)
    WHERE id = NEW.property_id;
END;
CREATE TRIGGER hubs_count_delete AFTER DELETE ON hubs WHEN OLD.property_id IS NOT NULL
BEGIN
    UPDATE properties SET n_hubs = n_hubs - 1, n_hubs_offline = n_hubs_offline - (OLD.online = 0)
    WHERE id = OLD.property_id;
END;
CREATE TRIGGER hubs_count_update AFTER UPDATE OF property_id, online ON hubs
    WHEN OLD.property_id IS NOT NEW.property_id OR OLD.online <> NEW.online
BEGIN
    UPDATE properties SET n_hubs = n_hubs - 1, n_hubs_offline = n_hubs_offline - (OLD.online = 0)
    WHERE id = OLD.property_id;
    UPDATE properties SET n_hubs = n_hubs + 1, n_hubs_offline = n_hubs_offline + (NEW.online = 0)
    WHERE id = NEW.property_id;
END;
CREATE TRIGGER devices_count_insert AFTER INSERT ON devices WHEN NEW.property_id IS NOT NULL
BEGIN
    UPDATE properties SET n_devices = n_devices + 1,
        n_low_battery = n_low_battery + coalesce(NEW.battery < 20, 0),
        n_alert_devices = n_alert_devices + (NEW.alert <> '')
    WHERE id = NEW.property_id;
END;
CREATE TRIGGER devices_count_delete AFTER DELETE ON devices WHEN OLD.property_id IS NOT NULL
BEGIN
    UPDATE properties SET n_devices = n_devices - 1,
        n_low_battery = n_low_battery - coalesce(OLD.battery < 20, 0),
        n_alert_devices = n_alert_devices - (OLD.alert <> '')
    WHERE id = OLD.property_id;
END;
CREATE TRIGGER devices_count_update AFTER UPDATE OF property_id, battery, alert ON devices
    WHEN OLD.property_id IS NOT NEW.property_id
        OR coalesce(OLD.battery < 20, 0) <> coalesce(NEW.battery < 20, 0)
        OR (OLD.alert <> '') <> (NEW.alert <> '')
BEGIN
    UPDATE properties SET n_devices = n_devices - 1,
        n_low_battery = n_low_battery - coalesce(OLD.battery < 20, 0),
        n_alert_devices = n_alert_devices - (OLD.alert <> '')
    WHERE id = OLD.property_id;
    UPDATE properties SET n_devices = n_devices + 1,
        n_low_battery = n_low_battery + coalesce(NEW.battery < 20, 0),
        n_alert_devices = n_alert_devices + (NEW.alert <> '')
    WHERE id = NEW.property_id;
END;

CREATE TABLE sync_runs (
    id          INTEGER PRIMARY KEY,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    ok          INTEGER NOT NULL CHECK (ok IN (0, 1)),
    error       TEXT    NOT NULL DEFAULT '',
    properties  INTEGER NOT NULL DEFAULT 0,
    hubs        INTEGER NOT NULL DEFAULT 0,
    devices     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sync_runs_ok ON sync_runs (ok, id);

-- Append-only log of what staff did. No foreign keys: an entry must survive the user or property it names.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    user_id     INTEGER,
    user_email  TEXT    NOT NULL DEFAULT '',
    role        TEXT    NOT NULL DEFAULT '',
    action      TEXT    NOT NULL CHECK (action <> ''),
    target_type TEXT    NOT NULL DEFAULT '',
    target_id   TEXT    NOT NULL DEFAULT '',
    property_id INTEGER,
    ip          TEXT    NOT NULL DEFAULT '',
    user_agent  TEXT    NOT NULL DEFAULT '',
    outcome     TEXT    NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
    detail      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at, id);
CREATE INDEX audit_log_user ON audit_log (lower(user_email), id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, id);
CREATE INDEX audit_log_property ON audit_log (property_id, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
