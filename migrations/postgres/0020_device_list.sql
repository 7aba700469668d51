-- 0020: indexes for the portfolio-wide device list (GET /devices, db.ListDevices). Each sort has an index that
-- delivers its order, so a page is an index walk, not a sort of every device: name, type then name (the type filter),
-- battery (coalesce(battery, 101): devices without one sort last and never match "battery below N", N <= 100; the
-- same expression serves that filter as a range), last change. Offline devices are few: a partial index.
CREATE INDEX devices_name ON devices (lower(name), id);
CREATE INDEX devices_type_name ON devices (type, lower(name), id, property_id, (coalesce(battery, 101)));
CREATE INDEX devices_battery ON devices ((coalesce(battery, 101)), id);
-- The type filter with a property or city (a list of property ids) and a battery bound: "low-battery locks in
-- Chicago" is a few index seeks per property.
CREATE INDEX devices_type_property ON devices (type, property_id, (coalesce(battery, 101)));
CREATE INDEX devices_changed ON devices (state_changed_at, id);
CREATE INDEX devices_offline ON devices (online, hub_id) WHERE online = 0;
