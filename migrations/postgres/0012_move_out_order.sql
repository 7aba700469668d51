-- 0012: move-out items keep the order they were recorded in as a column, seq (SQLite ordered them by rowid, which
-- PostgreSQL has no equivalent of). RecordMoveOut writes each item's position in the move-out. Items recorded
-- before this file keep 0 and fall back to (kind, ref_id): no PostgreSQL release wrote any.

ALTER TABLE move_out_items ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
