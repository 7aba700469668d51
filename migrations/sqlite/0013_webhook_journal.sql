-- 0013: the webhook journal. A delivery is acknowledged once it is appended here (its dedupe key, its bytes and
-- what verifying it found); the projector turns waiting rows into activities behind it, in large batches, and
-- marks them projected in the same transaction. A row's id is its activity's id: every activity is created
-- through the journal (webhooks, the inbox's re-process), so the two never collide. Projected rows drop their
-- bytes (the activity keeps its body) but keep their key, which is what dedupes later deliveries.

CREATE TABLE webhook_journal (
    id           INTEGER PRIMARY KEY,
    dedupe_key   BLOB    NOT NULL CHECK (length(dedupe_key) = 32),
    received_at  INTEGER NOT NULL,                   -- UTC ms
    body         BLOB,                               -- the received bytes while waiting; NULL once projected
    verified     INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)), -- carried a valid token or signature
    signature_id TEXT    NOT NULL DEFAULT '',        -- the verified webhook-id, when signed
    projected    INTEGER NOT NULL DEFAULT 0 CHECK (projected IN (0, 1))
);
CREATE UNIQUE INDEX webhook_journal_dedupe ON webhook_journal (dedupe_key);
-- The projector's queue: the waiting rows only, so it stays small however long the journal grows.
CREATE INDEX webhook_journal_waiting ON webhook_journal (id) WHERE projected = 0;

-- Every activity stored so far is in the journal, projected, so that its key keeps deduping.
INSERT INTO webhook_journal (id, dedupe_key, received_at, projected)
    SELECT id, dedupe_key, received_at, 1 FROM activities;
