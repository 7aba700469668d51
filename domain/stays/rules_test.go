package stays

import (
	"errors"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

func TestCheckLinkWindow(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	inv := db.Invitation{FromDate: "2027-03-13", ToDate: "2027-03-14"} // spring forward on the 14th: a 23-hour day
	now := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	at := func(s string) time.Time { t, _ := ParseLocalDateTime(s, ny); return t }
	tests := []struct {
		name      string
		from, to  time.Time
		now       time.Time
		want      error
		openEnded bool
	}{
		{"inside", at("2027-03-13T10:00"), at("2027-03-14T23:59"), now, nil, false},
		{"reversed", at("2027-03-13T12:00"), at("2027-03-13T10:00"), now, ErrWindowOrder, false},
		{"over", at("2027-03-13T10:00"), at("2027-03-13T12:00"), at("2027-03-13T12:00"), ErrWindowOver, false},
		{"too long", at("2027-03-13T10:00"), at("2027-03-13T10:00").Add(MaxLinkWindow + time.Minute), now, ErrWindowTooLong, true},
		{"before the invitation", at("2027-03-12T23:59"), at("2027-03-13T10:00"), now, ErrWindowOutside, false},
		{"after its last day", at("2027-03-14T10:00"), at("2027-03-15T00:01"), now, ErrWindowOutside, false},
		{"no end", at("2027-03-20T10:00"), at("2027-03-21T10:00"), now, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := inv
			if tt.openEnded {
				in.ToDate = ""
			}
			if err := CheckLinkWindow(in, ny, tt.from, tt.to, tt.now); !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCodeStateRemoved(t *testing.T) {
	t.Parallel()
	dev := func(status string) smarthome.LockCodeDevice { return smarthome.LockCodeDevice{Status: status} }
	tests := []struct {
		name string
		st   CodeState
		want bool
	}{
		{"gone upstream", CodeState{Gone: true}, true},
		{"on no lock", CodeState{}, false},
		{"removed everywhere", CodeState{Devices: []smarthome.LockCodeDevice{dev(smarthome.CodeRemoved), dev(smarthome.CodeRemoved)}}, true},
		{"still removing", CodeState{Devices: []smarthome.LockCodeDevice{dev(smarthome.CodeRemoved), dev(smarthome.CodeRemoving)}}, false},
	}
	for _, tt := range tests {
		if got := tt.st.Removed(); got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	if (Reading{}).Taken() || !(Reading{State: CodeState{Read: time.Now()}}).Taken() {
		t.Error("Taken does not tell a reading from none")
	}
}

func TestGuestLimits(t *testing.T) {
	t.Parallel()
	g, now, ctx := NewGuestLimits(nil), time.Now(), t.Context()
	unlock := func(link, addr string) (bool, time.Duration) {
		ok, wait, err := g.Unlock(ctx, link, addr, now)
		if err != nil {
			t.Fatal(err)
		}
		return ok, wait
	}
	for i := range GuestUnlocksPerLink {
		if ok, _ := unlock("link", "addr-"+string(rune('a'+i))); !ok {
			t.Fatalf("press %d refused", i+1)
		}
	}
	ok, wait := unlock("link", "another")
	if ok || wait < time.Second {
		t.Fatalf("press past the link's limit: ok=%v wait=%v", ok, wait)
	}
	if ok, _ := unlock("other-link", "another"); !ok {
		t.Error("a refused press spent the address's allowance")
	}
	if !g.ShouldReport(ctx, "k", now) || g.ShouldReport(ctx, "k", now.Add(time.Minute)) || !g.ShouldReport(ctx, "k", now.Add(11*time.Minute)) {
		t.Error("rate-limit hits are not reported once per ten minutes")
	}
}
