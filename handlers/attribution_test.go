package handlers

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// TestKeypadEntryAttributedWithoutReadBack: a reservation or invitation made here and cancelled or moved out before
// the dashboard ever read its code back from the upstream still names its person on the code's keypad entries.
func TestKeypadEntryAttributedWithoutReadBack(t *testing.T) {
	t.Parallel()
	a := newAccessEnv(t)
	ctx := t.Context()
	staff := a.signedInClient(t, db.RoleStaff)
	admin := a.signedInClient(t, db.RoleAdmin)
	lock := a.locks[0]
	hub, err := a.store.Hub(ctx, lock.HubID)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tests := []struct {
		name   string
		person string
		// create makes the access here and returns its id and its lock code's id; end cancels or moves it out.
		create func(t *testing.T) (int64, string)
		end    func(t *testing.T, id int64)
	}{
		{"reservation cancelled", "Ada Lovelace (reservation %d)", func(t *testing.T) (int64, string) {
			id := a.createReservation(t, staff, "Ada Lovelace", now.Add(time.Hour), now.Add(48*time.Hour))
			res, err := a.store.Reservation(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return id, res.LockCodeID
		}, func(t *testing.T, id int64) {
			wantStatus(t, a.postForm(t, staff, "/reservations/"+strconv.FormatInt(id, 10)+"/cancel", url.Values{}), http.StatusSeeOther)
		}},
		{"invitation moved out", "Resident grace@example.com (invitation %d)", func(t *testing.T) (int64, string) {
			id := a.createInvitation(t, staff, "grace@example.com", now, now.AddDate(0, 0, 30))
			inv, err := a.store.Invitation(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return id, inv.LockCodeID
		}, func(t *testing.T, _ int64) {
			r := a.postForm(t, staff, "/properties/"+a.pid()+"/move-out", url.Values{"email": {"grace@example.com"}, "confirm": {"yes"}})
			wantStatus(t, r, http.StatusSeeOther)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, codeID := tt.create(t)
			if codeID == "" {
				t.Fatal("the mirror does not know the code the upstream made")
			}
			// What the lock's keypad entries carry as User is the code's name, read here from the upstream directly:
			// the dashboard must not read the code back.
			lc, _, err := a.api.LockCodes.Get(ctx, codeID)
			if err != nil {
				t.Fatal(err)
			}
			tt.end(t, id)
			if _, err := a.store.LockCode(ctx, codeID); !errors.Is(err, db.ErrNotFound) {
				t.Fatalf("the dashboard read the code back (%v): the test proves nothing", err)
			}
			if rep := a.webhook(t, deviceEvent(lock, hub, "Unlock", "", lc.Name, time.Now())); rep.status != http.StatusOK {
				t.Fatalf("webhook answered %d %s", rep.status, rep.body)
			}
			person := fmt.Sprintf(tt.person, id)
			pg, err := a.store.ListActivities(ctx, db.ActivityFilter{DeviceID: lock.ID, Who: lc.Name})
			if err != nil {
				t.Fatal(err)
			}
			if len(pg.Items) != 1 || pg.Items[0].Person != person {
				t.Fatalf("keypad entries %+v, want one attributed to %q", pg.Items, person)
			}
			name, _, _ := strings.Cut(person, " (")
			page := a.get(t, admin, "/activities?device="+lock.ID+"&who="+url.QueryEscape(name))
			if got := text(byTestID(page.doc, "activity-person")); got != person {
				t.Errorf("the log filtered by the person's name shows %q, want %q", got, person)
			}
		})
	}
}

// webhook delivers body to the dashboard's receiver (no secret configured: accepted unverified).
func (e *testEnv) webhook(t *testing.T, body []byte) whReply {
	t.Helper()
	resp, err := e.srv.Client().Post(e.srv.URL+"/webhooks/smarthome", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return whReply{resp.StatusCode, string(b)}
}
