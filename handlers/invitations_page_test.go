package handlers

import (
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

func TestGuestLinkStatus(t *testing.T) {
	t.Parallel()
	start := time.Date(2027, 3, 14, 5, 0, 0, 0, time.UTC)
	revoked := start
	active := db.InvitationActive
	tests := []struct {
		name string
		now  time.Time
		rev  *time.Time
		inv  string
		want string
	}{
		{"before", start.Add(-time.Minute), nil, active, "Scheduled"},
		{"at the start", start, nil, active, "Active"},
		{"last minute", start.Add(2*time.Hour - time.Nanosecond), nil, active, "Active"},
		{"at the end", start.Add(2 * time.Hour), nil, active, "Expired"},
		{"revoked", start.Add(time.Minute), &revoked, active, "Revoked"},
		{"invitation removed", start.Add(time.Minute), nil, db.InvitationRemoved, "Revoked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := db.GuestLink{StartsAt: start, EndsAt: start.Add(2 * time.Hour), RevokedAt: tt.rev}
			if got, _ := guestLinkStatus(l, db.Invitation{Status: tt.inv}, tt.now); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}
