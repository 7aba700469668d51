-- 0009: who each lock code stands for, recorded when the dashboard learns of the code: when it creates one (the
-- lock-code form, a reservation, an invitation) as well as when it reads codes, reservations or invitations back.
-- The activity log attributes a keypad event (whose User is the code's name) through it, so a code cancelled or moved
-- out before it was ever read back, or purged from lock_codes a day after its deletion, still names its person.
-- One row per code and name: a renamed code keeps its old name for the events that carried it.
-- PostgreSQL translation of sqlite/0009_lock_code_people.sql (SQLite's WITHOUT ROWID: an ordinary table here).
CREATE TABLE lock_code_people (
    code_id     TEXT    NOT NULL CHECK (code_id <> ''),
    name        TEXT    NOT NULL CHECK (name <> ''),    -- the code's name, as a keypad event's User carries it
    property_id BIGINT  NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    person      TEXT    NOT NULL DEFAULT '',            -- "Jane Doe (reservation 12)"; '' for a code of nobody
    recorded_at BIGINT  NOT NULL,                       -- when the code took this name, at the latest
    PRIMARY KEY (code_id, name)
);
CREATE INDEX lock_code_people_name ON lock_code_people (property_id, lower(name));

-- What the mirror already knows: reservation and invitation codes (named after the guest or resident, CONTRACT.md),
-- then every mirrored code under its real name.
INSERT INTO lock_code_people (code_id, name, property_id, person, recorded_at)
    SELECT lock_code_id, guest_name, property_id, guest_name || ' (reservation ' || id || ')', updated_at
    FROM reservations WHERE lock_code_id <> '' AND guest_name <> ''
    ON CONFLICT DO NOTHING;
INSERT INTO lock_code_people (code_id, name, property_id, person, recorded_at)
    SELECT lock_code_id, coalesce(nullif(name, ''), email), property_id,
        coalesce(nullif(name, ''), email) || ' (invitation ' || id || ')', updated_at
    FROM invitations WHERE lock_code_id <> '' AND coalesce(nullif(name, ''), email) <> ''
    ON CONFLICT DO NOTHING;
INSERT INTO lock_code_people (code_id, name, property_id, person, recorded_at)
    SELECT lc.id, lc.name, lc.property_id, coalesce(
        (SELECT r.guest_name || ' (reservation ' || r.id || ')' FROM reservations r
            WHERE r.lock_code_id = lc.id AND r.guest_name <> '' LIMIT 1),
        (SELECT coalesce(nullif(i.name, ''), i.email) || ' (invitation ' || i.id || ')' FROM invitations i
            WHERE i.lock_code_id = lc.id LIMIT 1), ''), lc.updated_at
    FROM lock_codes lc WHERE lc.name <> ''
    ON CONFLICT DO NOTHING;
