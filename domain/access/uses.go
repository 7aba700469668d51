package access

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/observe"
	"github.com/keyless/dashboard/domain/upstream"
	"github.com/keyless/dashboard/smarthome"
)

// SystemActor is who the audit log names for what the dashboard did by itself (a used-up code removed).
const SystemActor = "system"

// Limited-use codes. The upstream has no notion of a code valid for N entries, so the dashboard counts them: each
// keypad entry a webhook reports (Unlock on a lock, access_granted on an access panel) whose User is a code's name
// counts one use of every live limited-use code of that name on that device. That a keypad Unlock's User is the
// code's name is inferred (smarthome-api.md §16, rows 7 and 41): no slot is sent. Two limited-use codes of the
// same name on one lock both count the entry, so neither lets in more people than its limit. The activity's id
// keys the count (db.CountLockCodeUse): a delivery told twice counts once. After the Nth use the code is
// withdrawn through the delete path and audited as done by SystemActor.

// countUse counts an observed keypad entry; the removal of a used-up code runs in its own goroutine, since
// observers must not block the webhook pipeline.
func (s *Service) countUse(ctx context.Context, ob observe.Observation) {
	if ob.DeviceID == "" || ob.Actor == "" || ob.ActivityID <= 0 {
		return
	}
	ids, err := s.store.LimitedCodesOn(ctx, ob.DeviceID, ob.Actor)
	if err != nil {
		s.logger.Warn("lock-code use", slog.String("device_id", ob.DeviceID), slog.Any("err", err))
		return
	}
	for _, id := range ids {
		if _, busy := s.retiring.Load(id); busy { // used up, its removal under way: the entry changes nothing
			continue
		}
		u, err := s.store.CountLockCodeUse(ctx, id, ob.ActivityID, ob.At)
		if err != nil {
			s.logger.Warn("lock-code use", slog.String("code_id", id), slog.Any("err", err))
			continue
		}
		// One removal at a time per code: entries reported while it runs would otherwise start more (a second
		// withdraw, a second audit row). A removal that failed leaves the code to the next entry.
		if u.Counted && !u.Deleted && u.Uses >= u.MaxUses {
			if _, busy := s.retiring.LoadOrStore(id, struct{}{}); !busy {
				go s.retireUsedUp(context.WithoutCancel(ctx), id, u.Uses)
			}
		}
	}
}

// retireUsedUp removes a code that reached its limit, as a person's delete would, and audits it.
func (s *Service) retireUsedUp(ctx context.Context, id string, uses int) {
	defer s.retiring.Delete(id)
	c, err := s.store.LockCode(ctx, id)
	if err != nil {
		s.logger.Error("used-up lock code not removed", slog.String("code_id", id), slog.Any("err", err))
		return
	}
	e := db.AuditEntry{At: time.Now().UTC(), Action: "lock_code.uses_exhausted", UserEmail: SystemActor,
		TargetType: "lock_code", TargetID: c.ID, PropertyID: &c.PropertyID, Outcome: db.OutcomeOK,
		Detail: fmt.Sprintf("“%s” removed after %d uses", c.Name, uses)}
	gone, err := s.Withdraw(ctx, c.ID)
	if err == nil {
		err = s.MarkDeleted(ctx, c, gone)
	}
	if err != nil {
		e.Outcome, e.Detail = db.OutcomeFailed, e.Detail+": "+upstream.Message(err)
		s.logger.Error("used-up lock code not removed", slog.String("code_id", c.ID), slog.Any("err", err))
	}
	if err := s.store.Audit(ctx, e); err != nil {
		s.logger.Error("audit write failed", slog.String("action", e.Action), slog.Any("err", err))
	}
}

// isKeypadEntry reports whether an observation is an entry made with a code.
func isKeypadEntry(ob observe.Observation) bool {
	return ob.Kind == string(smarthome.KindLockUnlocked) || ob.Kind == string(smarthome.KindAccessGranted)
}
