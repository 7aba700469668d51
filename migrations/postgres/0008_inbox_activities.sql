-- 0008: activities re-processed from the webhook inbox. A delivery that failed verification is not the upstream's
-- word: an admin may log it (unverified), but its change to the mirror is held until the admin confirms it, or until
-- a verified delivery of the same event arrives. One row per activity, so two kept copies of one event apply once.
-- PostgreSQL translation of sqlite/0008_inbox_activities.sql.
CREATE TABLE inbox_activities (
    activity_id  BIGINT  PRIMARY KEY REFERENCES activities (id) ON DELETE CASCADE,
    inbox_id     BIGINT  NOT NULL REFERENCES webhook_inbox (id) ON DELETE CASCADE,
    processed_by TEXT    NOT NULL,
    processed_at BIGINT  NOT NULL,
    applied_by   TEXT    NOT NULL DEFAULT '', -- who confirmed it, or 'verified delivery'
    applied_at   BIGINT                       -- NULL while held: the mirror was not changed
);
