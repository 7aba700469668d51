-- 0008: the envelope's address and pms_datapull_id (the customer's PMS record), stored with each activity so the
-- exports and the detail page carry every documented field the delivery had. Columns, not a read of the body per
-- row: exports stream millions of rows, and the writer fills them in the same multi-row INSERT as the rest.

ALTER TABLE activities ADD COLUMN address         TEXT NOT NULL DEFAULT '';
ALTER TABLE activities ADD COLUMN pms_datapull_id TEXT NOT NULL DEFAULT '';

-- Rows stored before this file get the fields from the body kept beside them. The body is read as text: SQLite
-- would take a BLOB for JSONB. A number keeps its digits (as the receiver stores it); a body that is not JSON, or
-- sent neither field, leaves the defaults; values are cut to the receiver's 200. One pass over activity_bodies, once.
UPDATE activities
SET address         = substr(coalesce(CAST(j.address AS TEXT), ''), 1, 200),
    pms_datapull_id = substr(coalesce(CAST(j.pms AS TEXT), ''), 1, 200)
FROM (
    SELECT activity_id, json_extract(t, '$.address') AS address, json_extract(t, '$.pms_datapull_id') AS pms
    FROM (SELECT activity_id, CAST(body AS TEXT) AS t FROM activity_bodies)
    WHERE json_valid(t)
) AS j
WHERE j.activity_id = activities.id AND (j.address IS NOT NULL OR j.pms IS NOT NULL);
