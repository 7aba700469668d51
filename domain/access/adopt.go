package access

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// Terms are what only the dashboard knows of a code it issues or adopts (db.LockCode's Kind … AdoptedFrom).
type Terms struct {
	Kind        string // db.CodeKindStandard or db.CodeKindVendor; "" is standard
	Company     string
	MaxUses     int // 0: unlimited; else 1..db.MaxCodeUses keypad entries
	AdoptedFrom string
}

// Adoption is a keypad code found by the drift check that a person makes a managed code: its lock and slot, and
// the name and validity they give it. The PIN is the one the lock holds: nobody types it.
type Adoption struct {
	PropertyID int64
	Lock       db.Device
	Slot       int
	Name       string
	Validity   Validity
	Zone       *time.Location // the lock's zone, for the validity's wall-clock times
	Issuer     int64
	Terms      Terms
}

// ErrAdoptFailed is an adoption whose slot was cleared but whose code the upstream did not take: the keypad PIN is
// gone from the lock, so the person must issue it again (the error says which step failed).
var ErrAdoptFailed = errors.New("access: the keypad code was cleared but could not be registered")

// Adopt makes the keypad PIN in a slot a managed lock code of the property, after reading the lock again (a stale
// page cannot adopt a slot that a code here now accounts for: ErrSlotKnown). The upstream only manages, and only
// enforces a validity on, codes it has a lock code for, and has no route that registers a PIN already in a slot;
// a lock refuses a PIN it holds in another slot ("duplicate code"). So the slot is cleared (the inferred route,
// ErrCannotClear without it) and the same PIN is created as a code for that lock with the given name and
// validity: the lock takes it back after the command delay (both requests queue in order at the hub). The PIN
// only ever passes through memory here, as when a person types one.
func (s *Service) Adopt(ctx context.Context, a Adoption) (*smarthome.LockCode, error) {
	clearer := s.slotClearer()
	if clearer == nil {
		return nil, ErrCannotClear
	}
	if s.sealer == nil {
		return nil, ErrNoKey
	}
	codes, err := s.store.LockCodesByProperty(ctx, a.PropertyID, time.Now().Add(-db.LockCodeRetention))
	if err != nil {
		return nil, err
	}
	pins, _ := s.issuedPINs(codes)
	ls := s.readLocks(ctx, []db.Device{a.Lock})[0]
	if ls.err != nil {
		return nil, ls.err
	}
	pin, held := ls.slots[a.Slot]
	if _, _, known := matchSlot(pin, a.Lock.ID, codes, pins); !held || known {
		return nil, ErrSlotKnown
	}
	cctx, cancel := context.WithTimeout(ctx, callTimeout)
	err = clearer.ClearLockSlot(cctx, a.Lock.ID, a.Slot)
	cancel()
	if err != nil {
		return nil, err // nothing changed
	}
	req := smarthome.LockCodeRequest{Name: a.Name, Code: pin, DeviceID: a.Lock.ID}
	a.Validity.Request(&req, a.Zone)
	lc, err := s.Create(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAdoptFailed, err)
	}
	a.Terms.AdoptedFrom = a.Lock.ID + "#" + strconv.Itoa(a.Slot)
	if err := s.StoreNewWith(ctx, a.PropertyID, lc, a.Issuer, time.Now().UTC(), a.Terms); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAdoptFailed, err)
	}
	return lc, nil
}
