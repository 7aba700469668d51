-- The activity log attributes a lock-code event to a person through the code's reservation or invitation: index the
-- lookups by code so attribution stays an index probe as those tables grow.
CREATE INDEX IF NOT EXISTS reservations_lock_code ON reservations (lock_code_id);
CREATE INDEX IF NOT EXISTS invitations_lock_code ON invitations (lock_code_id);
