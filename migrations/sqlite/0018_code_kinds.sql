-- 0018: what only the dashboard knows about a lock code it manages (issue 13): its kind ('standard', or 'vendor'
-- for a contractor's code, with the company's name), an optional limit on keypad entries (max_uses 1..100; 0 means
-- unlimited) with the entries counted so far, and, for a code adopted from code drift, where it was found
-- ('<device id>#<slot>'). Existing rows get a standard, unlimited, not-adopted code. The upstream sync never writes
-- these columns, so a re-read of the code keeps them.
ALTER TABLE lock_codes ADD COLUMN kind TEXT NOT NULL DEFAULT 'standard' CHECK (kind IN ('standard', 'vendor'));
ALTER TABLE lock_codes ADD COLUMN company TEXT NOT NULL DEFAULT '';
ALTER TABLE lock_codes ADD COLUMN max_uses INTEGER NOT NULL DEFAULT 0 CHECK (max_uses BETWEEN 0 AND 100);
ALTER TABLE lock_codes ADD COLUMN uses INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0);
ALTER TABLE lock_codes ADD COLUMN adopted_from TEXT NOT NULL DEFAULT '';

-- One row per keypad entry counted against a limited-use code: the activity (webhook) that reported it. The key
-- makes a delivery told twice (a duplicate, a re-processed inbox entry, a confirm) count once.
CREATE TABLE lock_code_uses (
    code_id     TEXT    NOT NULL REFERENCES lock_codes (id) ON DELETE CASCADE,
    activity_id INTEGER  NOT NULL,
    used_at     INTEGER  NOT NULL,
    PRIMARY KEY (code_id, activity_id)
);
