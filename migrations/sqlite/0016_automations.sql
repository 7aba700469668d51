-- 0016: automations per property (issue 11), off unless a row says otherwise. leak_closes_valve: when a leak alert
-- opens at the property, the dashboard sends "close" to every valve controller there (audited as automation.*).
-- Smoke has no automation on purpose: it unlocks nothing, and who is told is a notification rule's business.
CREATE TABLE property_automations (
    property_id        INTEGER PRIMARY KEY CHECK (property_id > 0),
    leak_closes_valve  INTEGER NOT NULL DEFAULT 0 CHECK (leak_closes_valve IN (0, 1)),
    updated_at         INTEGER NOT NULL,
    updated_by         INTEGER REFERENCES users (id)
);
