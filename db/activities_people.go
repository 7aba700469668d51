package db

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"time"
)

// Attribution: a lock event's User is the name of the lock code that was used ("Jane Doe"), or a word for how
// the lock was worked ("Auto", "Keypad", "App"). lock_code_people says, per code and name, whom the code stands
// for: it is written when the dashboard learns of a code (it created it, or read it, its reservation or its
// invitation back) and never purged with the code, so attribution does not depend on the code still being in the
// mirror, or ever having been read back. The lookup is one probe of lock_code_people_name; events whose User names
// no code — most of them — stop there.

// personSQL is the person column of activityViewSelect (alias a for activities): of the codes of the activity's
// property with that name, the newest one named before the event, else the newest.
const personSQL = `coalesce((SELECT lp.person FROM lock_code_people lp
	WHERE a.actor <> '' AND lp.property_id = a.property_id AND lower(lp.name) = lower(a.actor) AND lp.person <> ''
	ORDER BY lp.recorded_at <= a.at DESC, lp.recorded_at DESC
	LIMIT 1), '')`

// whoSQL lists the values the Who filter matches (activities_list.go whoNames): the value itself and the names
// of the lock codes issued for a reservation guest or an invitation resident of that name or email. Its five
// arguments are the lower-cased filter value.
const whoSQL = `SELECT ? UNION
	SELECT lower(lp.name) FROM lock_code_people lp WHERE lp.code_id IN (
		SELECT lock_code_id FROM reservations WHERE lock_code_id <> '' AND (lower(guest_name) = ? OR lower(guest_email) = ?)
		UNION SELECT lock_code_id FROM invitations WHERE lock_code_id <> '' AND (lower(name) = ? OR lower(email) = ?))`

// recordPersonSQL adds a code's name; a known name keeps its earliest time and takes a person once one is known.
const recordPersonSQL = `INSERT INTO lock_code_people (code_id, name, property_id, person, recorded_at)
	VALUES (?, ?, ?, ?, ?)
	ON CONFLICT (code_id, name) DO UPDATE SET property_id = excluded.property_id,
		person = CASE WHEN excluded.person <> '' THEN excluded.person ELSE lock_code_people.person END,
		recorded_at = CASE WHEN excluded.recorded_at < lock_code_people.recorded_at
			THEN excluded.recorded_at ELSE lock_code_people.recorded_at END`

// codePerson is one code → person link: the code named name at the property stands for person.
type codePerson struct {
	codeID     string
	name       string
	propertyID int64
	person     string // "" when the code stands for nobody the dashboard knows
	at         time.Time
}

// reservationPerson is the link a reservation's code carries: the upstream names it after the guest (CONTRACT.md).
func reservationPerson(r Reservation) codePerson {
	return codePerson{codeID: r.LockCodeID, name: r.GuestName, propertyID: r.PropertyID,
		person: r.GuestName + " (reservation " + strconv.FormatInt(r.ID, 10) + ")", at: nowOr(r.UpdatedAt)}
}

// invitationPerson is the link an invitation's code carries: named after the resident, or their email.
func invitationPerson(i Invitation) codePerson {
	name := cmp.Or(i.Name, i.Email)
	return codePerson{codeID: i.LockCodeID, name: name, propertyID: i.PropertyID,
		person: name + " (invitation " + strconv.FormatInt(i.ID, 10) + ")", at: nowOr(i.UpdatedAt)}
}

// recordPerson stores a link, and gives its person to the code's other names that had none (the code was read back
// before its reservation or invitation). A link without a code or a name is nothing to record.
func recordPerson(ctx context.Context, tx *dbTx, p codePerson) error {
	if p.codeID == "" || p.name == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, recordPersonSQL, p.codeID, p.name, p.propertyID, p.person, ms(p.at)); err != nil {
		return fmt.Errorf("record lock code %s person: %w", p.codeID, err)
	}
	if p.person == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE lock_code_people SET person = ? WHERE code_id = ? AND person = ''`,
		p.person, p.codeID); err != nil {
		return fmt.Errorf("record lock code %s person: %w", p.codeID, err)
	}
	return nil
}

// recordCodeName records the name of a code the dashboard created or read, for the person its other names (or its
// reservation or invitation, recorded when the dashboard learnt of those) already stand for.
func recordCodeName(ctx context.Context, tx *dbTx, c LockCode) error {
	if c.Name == "" {
		return nil
	}
	var person string
	if err := tx.GetContext(ctx, &person, `SELECT coalesce((SELECT person FROM lock_code_people
		WHERE code_id = ? AND person <> '' ORDER BY recorded_at DESC LIMIT 1), '')`, c.ID); err != nil {
		return fmt.Errorf("person of lock code %s: %w", c.ID, err)
	}
	return recordPerson(ctx, tx, codePerson{codeID: c.ID, name: c.Name, propertyID: c.PropertyID, person: person,
		at: nowOr(c.UpdatedAt)})
}
