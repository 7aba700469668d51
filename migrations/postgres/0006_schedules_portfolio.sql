-- 0006: the schedules mirror. Device pages render a device's schedules from here (fast, and still there when the
-- upstream is down); every schedule change goes to the upstream first and is then written here, and opening a
-- device page re-reads that device's schedules from the upstream when this copy is older than a minute.
-- PostgreSQL translation of sqlite/0006_schedules_portfolio.sql.
--
-- A schedule belongs to a property, or to none (then it fits devices of its type anywhere). Its blocks are the
-- upstream's JSON array [{"days":[1,2],"from":"07:00","to":"22:00","mode":"heat","heating_setpoint":68,...}]:
-- from/to are wall-clock times of the hub's zone (a weekly program is not a set of instants, so it is not stored
-- in UTC; created/updated/synced times are, as unix milliseconds).

-- SQLite's CHECK (json_valid(blocks) AND json_type(blocks) = 'array'). A plain blocks::jsonb in the CHECK would
-- raise invalid_text_representation on bad JSON instead of a check violation, so the function catches the cast error.
CREATE FUNCTION json_is_array(t text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    RETURN jsonb_typeof(t::jsonb) = 'array';
EXCEPTION WHEN invalid_text_representation THEN
    RETURN false;
END;
$$;

CREATE TABLE schedules (
    id          TEXT    PRIMARY KEY CHECK (id <> ''),
    name        TEXT    NOT NULL DEFAULT '',
    device_type TEXT    NOT NULL CHECK (device_type IN ('thermostat', 'switch', 'dimmable_switch')),
    -- The upstream deletes a property's schedules with it; so does the mirror.
    property_id BIGINT  REFERENCES properties (id) ON DELETE CASCADE,
    -- TEXT, not jsonb: the store writes and scans it as a string in both dialects (jsonb would also reorder keys).
    blocks      TEXT    NOT NULL DEFAULT '[]' CHECK (json_is_array(blocks)),
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL,
    synced_at   BIGINT  NOT NULL
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
    activated_at       BIGINT,
    synced_at          BIGINT  NOT NULL
);
-- The devices running a schedule (its delete confirmation) and the ON DELETE SET NULL from schedules.
CREATE INDEX device_schedules_active ON device_schedules (active_schedule_id);
