package db

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestCommandLifecycle(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	u, err := s.CreateUser(ctx, User{Email: "op@example.com", Name: "Op", Role: RoleStaff})
	must(t, err)
	prop := int64(7)
	c, err := s.CreateCommand(ctx, Command{HubID: "hub-1", DeviceID: "dev-1", PropertyID: &prop, UserID: &u.ID,
		UserEmail: u.Email, Action: "lock", Command: `{"action":"lock"}`, CreatedAt: t0})
	must(t, err)
	if c.ID == 0 || c.Status != CommandPending || !c.CreatedAt.Equal(t0) || c.ConfirmedAt != nil {
		t.Fatalf("created %+v", c)
	}
	got, err := s.Command(ctx, c.ID)
	must(t, err)
	if got.DeviceID != "dev-1" || *got.PropertyID != 7 || *got.UserID != u.ID || got.Command != `{"action":"lock"}` {
		t.Fatalf("read back %+v", got)
	}
	must(t, s.SetCommandUpstreamID(ctx, c.ID, "up-9"))

	done, changed, err := s.FinishCommand(ctx, c.ID, CommandSucceeded, "", "locked", t0.Add(3*time.Second))
	must(t, err)
	if !changed || done.Status != CommandSucceeded || done.Result != "locked" || done.UpstreamID != "up-9" ||
		done.ConfirmedAt == nil || !done.ConfirmedAt.Equal(t0.Add(3*time.Second)) {
		t.Fatalf("finished %+v changed=%v", done, changed)
	}
	again, changed, err := s.FinishCommand(ctx, c.ID, CommandFailed, "late timeout", "", t0.Add(time.Minute))
	must(t, err)
	if changed || again.Status != CommandSucceeded || again.Reason != "" {
		t.Fatalf("a finished command changed again: %+v changed=%v", again, changed)
	}
	if _, _, err := s.FinishCommand(ctx, 999, CommandFailed, "x", "", t0); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if _, _, err := s.FinishCommand(ctx, c.ID, CommandPending, "", "", t0); err == nil {
		t.Error("pending accepted as a final status")
	}
	wantErr(t, s.SetCommandUpstreamID(ctx, 999, "x"), ErrNotFound)
	if _, err := s.Command(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("Command(999): %v", err)
	}
}

func TestCommandValidation(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	tests := []struct {
		name string
		c    Command
	}{
		{"no hub", Command{Action: "lock"}},
		{"no action", Command{HubID: "h"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := s.CreateCommand(t.Context(), tt.c); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestCommandLists(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	for i := range 6 {
		_, err := s.CreateCommand(ctx, Command{HubID: "hub-1", DeviceID: "dev-1", Action: "lock", CreatedAt: t0.Add(time.Duration(i) * time.Second)})
		must(t, err)
		_, err = s.CreateCommand(ctx, Command{HubID: "hub-1", Action: "refresh", CreatedAt: t0.Add(time.Duration(i) * time.Second)})
		must(t, err)
	}
	_, err := s.CreateCommand(ctx, Command{HubID: "hub-2", DeviceID: "dev-2", Action: "unlock", CreatedAt: t0})
	must(t, err)

	dev, err := s.DeviceCommands(ctx, "dev-1", 4)
	must(t, err)
	if len(dev) != 4 || dev[0].ID < dev[1].ID {
		t.Fatalf("device commands %d, newest first? %v", len(dev), commandIDs(dev))
	}
	hub, err := s.HubCommands(ctx, "hub-1", 0)
	must(t, err)
	if len(hub) != 6 {
		t.Fatalf("hub commands %d, want 6 (device commands excluded)", len(hub))
	}
	for _, c := range hub {
		if c.DeviceID != "" {
			t.Errorf("hub list holds device command %d", c.ID)
		}
	}
	_, _, err = s.FinishCommand(ctx, dev[0].ID, CommandFailed, "no confirmation from the device", "", t0.Add(time.Minute))
	must(t, err)
	pending, err := s.PendingCommands(ctx, 100)
	must(t, err)
	if len(pending) != 12 {
		t.Fatalf("%d pending, want 12", len(pending))
	}
	for i := 1; i < len(pending); i++ {
		if pending[i].CreatedAt.Before(pending[i-1].CreatedAt) {
			t.Fatalf("pending not oldest first: %v", commandIDs(pending))
		}
	}
	forDev, err := s.PendingCommandsFor(ctx, "hub-1", "dev-1")
	must(t, err)
	forHub, err := s.PendingCommandsFor(ctx, "hub-1", "")
	must(t, err)
	if len(forDev) != 5 || len(forHub) != 6 {
		t.Errorf("pending for device %d (want 5), for hub %d (want 6)", len(forDev), len(forHub))
	}
}

// TestFinishCommandOnce: the sender, the webhook observer and the tracker may race to end one command; exactly
// one of them changes it.
func TestFinishCommandOnce(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	c, err := s.CreateCommand(ctx, Command{HubID: "h", DeviceID: "d", Action: "unlock"})
	must(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	winners := 0
	for i := range 8 {
		wg.Go(func() {
			status := []string{CommandSucceeded, CommandFailed}[i%2]
			_, changed, err := s.FinishCommand(ctx, c.ID, status, fmt.Sprint(i), "", time.Time{})
			if err != nil {
				t.Error(err)
			}
			if changed {
				mu.Lock()
				winners++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if winners != 1 {
		t.Fatalf("%d callers changed the command, want 1", winners)
	}
}

func commandIDs(cs []Command) []int64 {
	out := make([]int64, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func TestSearchAudit(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	p1, p2 := int64(1), int64(2)
	entries := []AuditEntry{
		{At: t0, UserEmail: "ann@example.com", Action: "device.lock", TargetType: "device", TargetID: "d1", PropertyID: &p1, Outcome: OutcomeOK},
		{At: t0.Add(time.Hour), UserEmail: "Ann@Example.com", Action: "device.unlock", TargetType: "device", TargetID: "d1", PropertyID: &p1, Outcome: OutcomeFailed},
		{At: t0.Add(2 * time.Hour), UserEmail: "bob@example.com", Action: "hub.master_code_reset", TargetType: "hub", TargetID: "h1", PropertyID: &p2, Outcome: OutcomeDenied},
		{At: t0.Add(3 * time.Hour), UserEmail: "bob@example.com", Action: "device.lock", TargetType: "device", TargetID: "d2", Outcome: OutcomeOK},
	}
	for _, e := range entries {
		must(t, s.Audit(ctx, e))
	}
	tests := []struct {
		name string
		q    AuditSearch
		want []string // actions, newest first
	}{
		{"all", AuditSearch{}, []string{"device.lock", "hub.master_code_reset", "device.unlock", "device.lock"}},
		{"person, any case", AuditSearch{AuditFilter: AuditFilter{UserEmail: " ANN@example.com"}}, []string{"device.unlock", "device.lock"}},
		{"outcome", AuditSearch{Outcome: OutcomeDenied}, []string{"hub.master_code_reset"}},
		{"action and outcome", AuditSearch{AuditFilter: AuditFilter{Action: "device.lock"}, Outcome: OutcomeOK}, []string{"device.lock", "device.lock"}},
		{"target", AuditSearch{AuditFilter: AuditFilter{TargetType: "device", TargetID: "d1"}}, []string{"device.unlock", "device.lock"}},
		{"property", AuditSearch{AuditFilter: AuditFilter{PropertyID: &p2}}, []string{"hub.master_code_reset"}},
		{"range is half-open", AuditSearch{AuditFilter: AuditFilter{From: t0.Add(time.Hour), To: t0.Add(3 * time.Hour)}}, []string{"hub.master_code_reset", "device.unlock"}},
		{"limit", AuditSearch{AuditFilter: AuditFilter{Limit: 1}}, []string{"device.lock"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.SearchAudit(ctx, tt.q)
			must(t, err)
			var actions []string
			for _, e := range got {
				actions = append(actions, e.Action)
			}
			if fmt.Sprint(actions) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", actions, tt.want)
			}
		})
	}
	t.Run("keyset paging", func(t *testing.T) {
		var seen []int64
		before := int64(0)
		for range 10 {
			page, err := s.SearchAudit(ctx, AuditSearch{AuditFilter: AuditFilter{Limit: 3, Before: before}})
			must(t, err)
			if len(page) == 0 {
				break
			}
			for _, e := range page {
				seen = append(seen, e.ID)
			}
			before = page[len(page)-1].ID
		}
		if len(seen) != len(entries) {
			t.Errorf("paged through %v, want %d entries", seen, len(entries))
		}
	})
	t.Run("unknown outcome", func(t *testing.T) {
		if _, err := s.SearchAudit(ctx, AuditSearch{Outcome: "maybe"}); err == nil {
			t.Error("accepted")
		}
	})
	t.Run("filter values", func(t *testing.T) {
		actions, err := s.AuditActions(ctx)
		must(t, err)
		types, err := s.AuditTargetTypes(ctx)
		must(t, err)
		if fmt.Sprint(actions) != "[device.lock device.unlock hub.master_code_reset]" || fmt.Sprint(types) != "[device hub]" {
			t.Errorf("actions %v, target types %v", actions, types)
		}
	})
}
