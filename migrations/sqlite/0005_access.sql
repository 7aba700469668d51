-- 0005: access — the reservations and invitations mirror, guest self-tour links, move-outs and their progress.
--
-- Conventions of 0001 apply: times are INTEGER unix milliseconds in UTC; booleans INTEGER 0/1; text defaults to ''.
-- Invitation dates are civil dates ('YYYY-MM-DD') in the property's time zone, because that is what the upstream
-- stores; handlers turn them into UTC instants with the property's zone when they need a window.

-- Mirror of the upstream reservations. Ids are the upstream ids. created_by is the dashboard user who made it here
-- (NULL when it was made elsewhere): revealing its code is then an admin's action.
CREATE TABLE reservations (
    id                    INTEGER PRIMARY KEY,
    property_id           INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    guest_name            TEXT    NOT NULL DEFAULT '',
    guest_email           TEXT    NOT NULL DEFAULT '',
    guest_phone           TEXT    NOT NULL DEFAULT '',
    check_in              INTEGER NOT NULL,
    check_out             INTEGER NOT NULL,
    buffer_before_minutes INTEGER NOT NULL DEFAULT 0 CHECK (buffer_before_minutes BETWEEN 0 AND 1440),
    buffer_after_minutes  INTEGER NOT NULL DEFAULT 0 CHECK (buffer_after_minutes BETWEEN 0 AND 1440),
    lock_code_id          TEXT    NOT NULL DEFAULT '',
    status                TEXT    NOT NULL DEFAULT '',
    created_by            INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL,
    synced_at             INTEGER NOT NULL
);
CREATE INDEX reservations_property ON reservations (property_id, check_in, id);

-- Mirror of the upstream resident invitations.
CREATE TABLE invitations (
    id           INTEGER PRIMARY KEY,
    property_id  INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    email        TEXT    NOT NULL CHECK (email <> ''),
    name         TEXT    NOT NULL DEFAULT '',
    from_date    TEXT    NOT NULL,            -- YYYY-MM-DD, property-local
    to_date      TEXT    NOT NULL DEFAULT '', -- YYYY-MM-DD, property-local; '' = open-ended
    status       TEXT    NOT NULL DEFAULT '',
    lock_code_id TEXT    NOT NULL DEFAULT '',
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    synced_at    INTEGER NOT NULL
);
CREATE INDEX invitations_property ON invitations (property_id, id);
CREATE INDEX invitations_email ON invitations (lower(email), id);

-- When a part of the access mirror was last read from the upstream: 'reservations:<property id>',
-- 'invitations:<property id>' or 'invitations:all'.
CREATE TABLE access_refreshes (
    scope        TEXT    PRIMARY KEY,
    refreshed_at INTEGER NOT NULL
);

-- Guest self-tour links. The token is a bearer secret: only its SHA-256 (hex) is stored. The guest's code is a lock
-- code the upstream holds (lock_code_id) for exactly the window; its PIN is read from the upstream when shown and
-- never stored here.
CREATE TABLE guest_links (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT    NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    invitation_id INTEGER NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    property_id   INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    guest_name    TEXT    NOT NULL DEFAULT '',
    starts_at     INTEGER NOT NULL,
    ends_at       INTEGER NOT NULL CHECK (ends_at > starts_at),
    instructions  TEXT    NOT NULL DEFAULT '',
    allow_unlock  INTEGER NOT NULL DEFAULT 0 CHECK (allow_unlock IN (0, 1)),
    lock_code_id  TEXT    NOT NULL DEFAULT '',
    created_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER,
    revoked_by    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    last_used_at  INTEGER,
    uses          INTEGER NOT NULL DEFAULT 0,
    unlocks       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX guest_links_invitation ON guest_links (invitation_id, id);
CREATE INDEX guest_links_property ON guest_links (property_id, id);

-- A move-out: one resident (email) or everyone ('all') at a property, and what it removed. Each item is an invitation
-- or a guest link with the lock code whose removal the hardware must confirm; confirmed_at is set when the upstream
-- reports the code gone from every lock, completed_at when every item is confirmed.
CREATE TABLE move_outs (
    id           INTEGER PRIMARY KEY,
    property_id  INTEGER NOT NULL REFERENCES properties (id) ON DELETE CASCADE,
    email        TEXT    NOT NULL CHECK (email <> ''),
    requested_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    requested_at INTEGER NOT NULL,
    completed_at INTEGER
);
CREATE INDEX move_outs_property ON move_outs (property_id, id);

CREATE TABLE move_out_items (
    move_out_id  INTEGER NOT NULL REFERENCES move_outs (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('invitation', 'guest_link')),
    ref_id       INTEGER NOT NULL,
    label        TEXT    NOT NULL DEFAULT '',
    lock_code_id TEXT    NOT NULL DEFAULT '',
    confirmed_at INTEGER,
    PRIMARY KEY (move_out_id, kind, ref_id)
);
