package stays

import (
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/db/pgtest"
)

// TestGuestLimitsShared: on PostgreSQL two instances (two stores on one database) spend from the same buckets:
// unlock presses of one link split over both exhaust its limit on both.
func TestGuestLimitsShared(t *testing.T) {
	t.Parallel()
	dsn := pgtest.DSN(t)
	var limits []*GuestLimits
	for range 2 {
		s, err := db.OpenPostgres(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		limits = append(limits, NewGuestLimits(s))
	}
	now := time.Now()
	for i := range GuestUnlocksPerLink {
		ok, _, err := limits[i%2].Unlock(t.Context(), "link", "addr-"+string(rune('a'+i)), now)
		if err != nil || !ok {
			t.Fatalf("press %d: ok=%v err=%v", i+1, ok, err)
		}
	}
	for i, g := range limits {
		ok, wait, err := g.Unlock(t.Context(), "link", "fresh-address", now)
		if err != nil || ok || wait < time.Second {
			t.Errorf("instance %d: press past the link's limit: ok=%v wait=%v err=%v", i, ok, wait, err)
		}
	}
}
