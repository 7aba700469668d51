package db

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestAuditAppendAndList(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	uid := ptr(int64(4))
	// 30 entries, one a minute: alternating users, three actions, properties 1 and 2.
	for i := range 30 {
		e := AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), UserID: uid, UserEmail: "Ann@example.com",
			Role: "staff", Action: []string{"lock_code.reveal", "device.unlock", "invitation.send"}[i%3],
			TargetType: "device", TargetID: fmt.Sprint("dev-", i%5), PropertyID: ptr(int64(1 + i%2)),
			IP: "192.0.2.7", UserAgent: "Firefox", Outcome: OutcomeOK, Detail: fmt.Sprint("entry ", i)}
		if i%2 == 1 {
			e.UserEmail, e.UserID, e.Outcome = "bob@example.com", nil, OutcomeDenied
		}
		must(t, s.Audit(ctx, e))
	}
	all, err := s.ListAudit(ctx, AuditFilter{})
	must(t, err)
	if len(all) != 30 || all[0].Detail != "entry 29" || all[29].Detail != "entry 0" {
		t.Fatalf("ListAudit: %d entries, first %q", len(all), all[0].Detail)
	}
	first := all[29]
	if first.UserID == nil || *first.UserID != 4 || first.UserEmail != "Ann@example.com" || first.IP != "192.0.2.7" ||
		first.UserAgent != "Firefox" || first.Role != "staff" || *first.PropertyID != 1 || !first.At.Equal(t0) {
		t.Errorf("entry round trip: %+v", first)
	}

	tests := []struct {
		name string
		f    AuditFilter
		want []int // entry numbers, newest first
	}{
		{"user email, any case", AuditFilter{UserEmail: "ann@EXAMPLE.com", Limit: 3}, []int{28, 26, 24}},
		{"action", AuditFilter{Action: "device.unlock", Limit: 2}, []int{28, 25}},
		{"target", AuditFilter{TargetType: "device", TargetID: "dev-3", Limit: 10}, []int{28, 23, 18, 13, 8, 3}},
		{"property", AuditFilter{PropertyID: ptr(int64(2)), Limit: 2}, []int{29, 27}},
		{"time range (To exclusive)", AuditFilter{From: t0.Add(10 * time.Minute), To: t0.Add(13 * time.Minute)}, []int{12, 11, 10}},
		{"keyset", AuditFilter{Before: all[27].ID, Limit: 5}, []int{1, 0}},
		{"combined", AuditFilter{UserEmail: "bob@example.com", Action: "lock_code.reveal"}, []int{27, 21, 15, 9, 3}},
		{"no match", AuditFilter{Action: "nothing"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ListAudit(ctx, tt.f)
			must(t, err)
			var nums []int
			for _, e := range got {
				var n int
				fmt.Sscanf(e.Detail, "entry %d", &n)
				nums = append(nums, n)
			}
			if fmt.Sprint(nums) != fmt.Sprint(tt.want) {
				t.Errorf("got entries %v, want %v", nums, tt.want)
			}
		})
	}

	// Keyset paging walks everything exactly once.
	var seen int
	for before := int64(0); ; {
		page, err := s.ListAudit(ctx, AuditFilter{Before: before, Limit: 7})
		must(t, err)
		if len(page) == 0 {
			break
		}
		seen += len(page)
		before = page[len(page)-1].ID
	}
	if seen != 30 {
		t.Errorf("keyset paging saw %d entries, want 30", seen)
	}
}

func TestAuditValidation(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	for _, e := range []AuditEntry{
		{Outcome: OutcomeOK},                        // no action
		{Action: "device.unlock"},                   // no outcome
		{Action: "device.unlock", Outcome: "maybe"}, // unknown outcome
	} {
		if err := s.Audit(t.Context(), e); err == nil {
			t.Errorf("Audit(%+v) accepted", e)
		}
	}
	before := time.Now().Add(-time.Second)
	must(t, s.Audit(t.Context(), AuditEntry{Action: "login", Outcome: OutcomeFailed}))
	got, err := s.ListAudit(t.Context(), AuditFilter{})
	if err != nil || len(got) != 1 || got[0].At.Before(before) || got[0].UserID != nil || got[0].PropertyID != nil {
		t.Fatalf("defaulted entry: %+v, %v", got, err)
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	must(t, s.Audit(ctx, AuditEntry{Action: "device.unlock", Outcome: OutcomeOK, Detail: "original"}))
	for _, q := range []string{
		`UPDATE audit_log SET detail = 'forged'`,
		`UPDATE audit_log SET outcome = 'denied' WHERE id = 1`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE id = 1`,
	} {
		_, err := s.w.ExecContext(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: err = %v, want the append-only trigger", q, err)
		}
	}
	got, err := s.ListAudit(ctx, AuditFilter{})
	if err != nil || len(got) != 1 || got[0].Detail != "original" || got[0].Outcome != OutcomeOK {
		t.Fatalf("entry after tampering attempts: %+v, %v", got, err)
	}
}
