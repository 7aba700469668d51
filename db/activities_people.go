package db

// Attribution: a lock event's User is the name of the lock code that was used ("Jane Doe"), or a word for how
// the lock was worked ("Auto", "Keypad", "App"). A code of the activity's property with that name leads to the
// reservation or the invitation it was issued for, and so to a person. Each lookup goes through an index on the
// property (lock_codes_property, reservations_property, invitations_property), and events whose User names no code
// — most of them — stop at the first.

// personSQL is the person column of activityViewSelect (alias a for activities).
const personSQL = `coalesce((
	SELECT coalesce(
		(SELECT r.guest_name || ' (reservation ' || r.id || ')' FROM reservations r
			WHERE r.property_id = lc.property_id AND r.lock_code_id = lc.id AND r.guest_name <> '' LIMIT 1),
		(SELECT coalesce(nullif(i.name, ''), i.email) || ' (invitation ' || i.id || ')' FROM invitations i
			WHERE i.property_id = lc.property_id AND i.lock_code_id = lc.id LIMIT 1))
	FROM lock_codes lc
	WHERE a.actor <> '' AND lc.property_id = a.property_id AND lower(lc.name) = lower(a.actor)
	ORDER BY lc.deleted_at IS NOT NULL, lc.updated_at DESC
	LIMIT 1), '')`

// whoSQL lists the values the Who filter matches (activities_list.go whoNames): the value itself and the names
// of the lock codes issued for a reservation guest or an invitation resident of that name or email. Its five
// arguments are the lower-cased filter value.
const whoSQL = `SELECT ? UNION
	SELECT lower(lc.name) FROM lock_codes lc WHERE lc.name <> '' AND lc.id IN (
		SELECT lock_code_id FROM reservations WHERE lock_code_id <> '' AND (lower(guest_name) = ? OR lower(guest_email) = ?)
		UNION SELECT lock_code_id FROM invitations WHERE lock_code_id <> '' AND (lower(name) = ? OR lower(email) = ?))`
