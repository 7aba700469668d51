-- 0012: move-out items keep the order they were recorded in as a column, seq, instead of SQLite's rowid, which
-- PostgreSQL has no equivalent of (a heap has no insertion order). RecordMoveOut writes each item's position in
-- the move-out; items recorded before this file take their rowid, which orders them as rowid did.

ALTER TABLE move_out_items ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
UPDATE move_out_items SET seq = rowid;
