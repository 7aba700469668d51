package handlers

import (
	"log/slog"
	"net/http"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/clip"
)

// auditRecord is one staff action for the append-only audit log; who, when and from where come from the request.
type auditRecord struct {
	action     string
	targetType string
	targetID   string
	propertyID *int64
	outcome    string // ok, denied, failed
	detail     string
}

// audit writes rec. A failure to write is logged loudly but does not undo the action it describes, which has
// already happened upstream.
func audit(r *http.Request, store *db.Store, logger *slog.Logger, rec auditRecord) {
	e := db.AuditEntry{At: nowUTC(), Action: rec.action, TargetType: rec.targetType, TargetID: rec.targetID,
		PropertyID: rec.propertyID, IP: clientIP(r), UserAgent: clip.String(r.UserAgent(), 200), Outcome: rec.outcome,
		Detail: clip.String(rec.detail, 500)}
	if p := currentUser(r.Context()); p != nil {
		id := p.user.ID
		if id != 0 {
			e.UserID = &id
		}
		e.UserEmail, e.Role = p.user.Email, string(p.user.Role)
	}
	if err := store.Audit(r.Context(), e); err != nil {
		logger.ErrorContext(r.Context(), "audit write failed", slog.String("action", rec.action), slog.Any("err", err))
	}
}
