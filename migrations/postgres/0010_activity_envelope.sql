-- 0010: the envelope's address and pms_datapull_id (the customer's PMS record), stored with each activity so the
-- exports and the detail page carry every documented field the delivery had. Columns, not a read of the body per
-- row: exports stream millions of rows, and the writer fills them in the same multi-row INSERT as the rest.
-- PostgreSQL translation of sqlite/0010_activity_envelope.sql.

ALTER TABLE activities ADD COLUMN address         TEXT NOT NULL DEFAULT '';
ALTER TABLE activities ADD COLUMN pms_datapull_id TEXT NOT NULL DEFAULT '';

-- Rows stored before this file get the fields from the body kept beside them. A body that is not UTF-8 JSON is
-- skipped (SQLite's json_valid), which in PostgreSQL means catching the conversion or cast error: pg_temp keeps the
-- helper out of the schema, and it is dropped at the end. A string value is taken unquoted, a number keeps its
-- digits (->> does both, as SQLite's json_extract does); values are cut to the receiver's 200.
CREATE FUNCTION pg_temp.body_json(b bytea) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
    RETURN convert_from(b, 'UTF8')::jsonb;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END;
$$;

UPDATE activities
SET address         = substr(coalesce(j.address, ''), 1, 200),
    pms_datapull_id = substr(coalesce(j.pms, ''), 1, 200)
FROM (
    SELECT activity_id, t ->> 'address' AS address, t ->> 'pms_datapull_id' AS pms
    FROM (SELECT activity_id, pg_temp.body_json(body) AS t FROM activity_bodies) AS b
    WHERE jsonb_typeof(t) = 'object'
) AS j
WHERE j.activity_id = activities.id AND (j.address IS NOT NULL OR j.pms IS NOT NULL);

DROP FUNCTION pg_temp.body_json(bytea);
