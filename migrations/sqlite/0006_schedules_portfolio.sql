-- 0006: the schedules mirror. Device pages render a device's schedules from here (fast, and still there when the
-- upstream is down); every schedule change goes to the upstream first and is then written here, and opening a
-- device page re-reads that device's schedules from the upstream when this copy is older than a minute.
--
-- A schedule belongs to a property, or to none (then it fits devices of its type anywhere). Its blocks are the
-- upstream's JSON array [{"days":[1,2],"from":"07:00","to":"22:00","mode":"heat","heating_setpoint":68,...}]:
-- from/to are wall-clock times of the hub's zone (a weekly program is not a set of instants, so it is not stored
-- in UTC; created/updated/synced times are, as unix milliseconds).
CREATE TABLE schedules (
    id          TEXT    PRIMARY KEY CHECK (id <> ''),
    name        TEXT    NOT NULL DEFAULT '',
    device_type TEXT    NOT NULL CHECK (device_type IN ('thermostat', 'switch', 'dimmable_switch')),
    -- The upstream deletes a property's schedules with it; so does the mirror.
    property_id INTEGER REFERENCES properties (id) ON DELETE CASCADE,
    blocks      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(blocks) AND json_type(blocks) = 'array'),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    synced_at   INTEGER NOT NULL
);
-- The schedules that fit a device: its type, and its property or none.
CREATE INDEX schedules_fit ON schedules (device_type, property_id, lower(name), id);
-- A property's schedules (the delete confirmation) and the ON DELETE CASCADE from properties.
CREATE INDEX schedules_property ON schedules (property_id);

-- One row per device whose schedules the dashboard has read or changed: which schedule it runs (NULL: none) and
-- when its schedules were last read from the upstream, so the device page knows whether to refresh them.
CREATE TABLE device_schedules (
    device_id          TEXT    PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
    active_schedule_id TEXT    REFERENCES schedules (id) ON DELETE SET NULL,
    activated_at       INTEGER,
    synced_at          INTEGER NOT NULL
);
-- The devices running a schedule (its delete confirmation) and the ON DELETE SET NULL from schedules.
CREATE INDEX device_schedules_active ON device_schedules (active_schedule_id);
