package db

import "testing"

// TestPropertyAutomations: off without a row, on and off again by upsert, and a bad property id refused.
func TestPropertyAutomations(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	ctx := t.Context()
	a, err := s.PropertyAutomations(ctx, 7)
	must(t, err)
	if a.LeakClosesValve || a.PropertyID != 7 {
		t.Fatalf("a property without a row: %+v, want every automation off", a)
	}
	must(t, s.SetPropertyAutomations(ctx, Automations{PropertyID: 7, LeakClosesValve: true, UpdatedAt: t0}))
	if a, err = s.PropertyAutomations(ctx, 7); err != nil || !a.LeakClosesValve || !a.UpdatedAt.Equal(t0) {
		t.Fatalf("after turning it on: %+v %v", a, err)
	}
	must(t, s.SetPropertyAutomations(ctx, Automations{PropertyID: 7}))
	if a, err = s.PropertyAutomations(ctx, 7); err != nil || a.LeakClosesValve {
		t.Fatalf("after turning it off: %+v %v", a, err)
	}
	if other, err := s.PropertyAutomations(ctx, 8); err != nil || other.LeakClosesValve {
		t.Errorf("another property: %+v %v", other, err)
	}
	if err := s.SetPropertyAutomations(ctx, Automations{PropertyID: 0, LeakClosesValve: true}); err == nil {
		t.Error("property 0 was stored")
	}
}
