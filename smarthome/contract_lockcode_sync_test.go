package smarthome_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// lockPINs returns the PINs a lock reports in status.codes, keyed by slot.
func lockPINs(t *testing.T, c *apiClient, lockID string) map[string]string {
	t.Helper()
	d, _, err := c.Devices.Get(t.Context(), lockID)
	must(t, err)
	st, err := d.LockStatus()
	must(t, err)
	out := map[string]string{}
	for slot, pin := range st.Codes {
		if pin != nil {
			out[slot] = pin.Reveal()
		}
	}
	return out
}

// neverExpires is a permanent code for the given locks.
func neverExpires(name string, pin smarthome.PIN, locks ...string) smarthome.LockCodeRequest {
	r := smarthome.LockCodeRequest{Name: name, Code: pin, DeviceIDs: locks}
	r.SetNeverExpires()
	return r
}

func TestContractLockCodeLifecycle(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	s := e.site(c, 101)
	lock := s.first(t, "lock").ID

	lc, _, err := c.LockCodes.Create(ctx, neverExpires("Jane Doe", "48291375", lock))
	must(t, err)
	got, _, err := c.LockCodes.Get(ctx, lc.ID)
	must(t, err)
	if got.Devices[0].Status != smarthome.CodeSetting || len(lockPINs(t, c, lock)) != 0 {
		t.Fatalf("before the delay: %+v, lock codes %d", got.Devices[0], len(lockPINs(t, c, lock)))
	}
	e.advance(commandDelay)
	got, _, err = c.LockCodes.Get(ctx, lc.ID)
	must(t, err)
	d := got.Devices[0]
	if d.Status != smarthome.CodeSet || d.Slot == nil || d.Error != "" || !d.UpdatedAt.Equal(e.sim.Now()) {
		t.Fatalf("after the delay: %+v, want set in a slot", d)
	}
	slot := fmt.Sprint(*d.Slot)
	if pins := lockPINs(t, c, lock); pins[slot] != "48291375" {
		t.Errorf("lock slot %s holds %d codes, not the new PIN", slot, len(pins))
	}
	h, _, err := c.Hubs.Get(ctx, s.hub.ID)
	must(t, err)
	if h.LockCodeCount.Int() != 1 {
		t.Errorf("hub lock_code_count %d, want 1", h.LockCodeCount)
	}

	up, _, err := c.LockCodes.Update(ctx, lc.ID, smarthome.LockCodeUpdate{Name: smarthome.Ptr("Jane D."),
		Code: smarthome.Ptr(smarthome.PIN("90817263"))})
	must(t, err)
	if up.Name != "Jane D." || up.Code != "90817263" || up.Devices[0].Status != smarthome.CodeSetting {
		t.Errorf("updated %+v", up)
	}
	e.advance(commandDelay)
	if pins := lockPINs(t, c, lock); pins[slot] != "90817263" || len(pins) != 1 {
		t.Errorf("after the update the lock holds %d codes; slot %s changed: %t", len(pins), slot, pins[slot] != "90817263")
	}

	t.Run("update rules", func(t *testing.T) {
		before := c.rec.total()
		_, _, err := c.LockCodes.Update(ctx, lc.ID, smarthome.LockCodeUpdate{Code: smarthome.Ptr(smarthome.PIN("12"))})
		checkLocal(t, c, before, err)
		e.wantRaw(e.token(c), "PUT", "/api/lock_codes/"+lc.ID, map[string]string{"code": "12"}, 422, "code must be 4 to 8 digits")
		_, _, err = c.LockCodes.Update(ctx, lc.ID, smarthome.LockCodeUpdate{ValidityType: smarthome.Ptr(smarthome.ValiditySpecificPeriod),
			FromDate: smarthome.Ptr("2030-01-01 10-00"), ToDate: smarthome.Ptr("2030-01-02 10-00")})
		must(t, err)
		_, _, err = c.LockCodes.Update(ctx, "no-such-code", smarthome.LockCodeUpdate{Name: smarthome.Ptr("x")})
		checkErr(t, err, smarthome.ErrNotFound, "Lock code not found")
	})
}

func TestContractLockCodeFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(e *contractEnv, s site, lock string) // before the code is created
		pin     smarthome.PIN
		reason  string
	}{
		{"hub offline", func(e *contractEnv, s site, _ string) { must(e.t, e.sim.SetHubOnline(s.hub.ID, false)) }, "48291375", "hub offline"},
		{"slots full", func(e *contractEnv, _ site, lock string) {
			d, _, err := e.installer().Devices.Get(e.t.Context(), lock)
			must(e.t, err)
			st, err := d.LockStatus()
			must(e.t, err)
			for i := range st.MaxSlots.Int() {
				_, err := e.sim.AddLockCodeAtKeypad(lock, fmt.Sprintf("%06d", 100000+i), 0)
				must(e.t, err)
			}
		}, "48291375", "slots full"},
		{"duplicate code set at the keypad", func(e *contractEnv, _ site, lock string) {
			_, err := e.sim.AddLockCodeAtKeypad(lock, "48291375", 0)
			must(e.t, err)
		}, "48291375", "duplicate code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := startContract(t, simulator.Options{})
			c := e.installer()
			s := e.site(c, 101)
			lock := s.first(t, "lock").ID
			tt.prepare(e, s, lock)
			lc, _, err := c.LockCodes.Create(t.Context(), neverExpires("Jane Doe", tt.pin, lock))
			must(t, err) // the cloud accepts it; the lock fails it
			e.advance(commandDelay)
			got, _, err := c.LockCodes.Get(t.Context(), lc.ID)
			must(t, err)
			if d := got.Devices[0]; d.Status != smarthome.CodeFailed || d.Error != tt.reason || d.Slot != nil {
				t.Errorf("device %+v, want failed with %q", d, tt.reason)
			}
			dev, _, err := c.Devices.Get(t.Context(), lock)
			must(t, err)
			st, err := dev.LockStatus()
			must(t, err)
			if want := fmt.Sprintf(`{"lock_codes":{%q:%q}}`, lc.ID, tt.reason); string(st.SettingErrors) != want {
				t.Errorf("setting_errors %s, want %s", st.SettingErrors, want)
			}
		})
	}
}

func TestContractLockCodeListAndDelete(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	a, b := e.site(c, 101), e.site(c, 102)
	lockA, lockB := a.first(t, "lock").ID, b.first(t, "lock").ID
	both, _, err := c.LockCodes.Create(ctx, neverExpires("Both", "11223344", lockA, lockB))
	must(t, err)
	onlyA, _, err := c.LockCodes.Create(ctx, neverExpires("Only A", "55667788", lockA))
	must(t, err)
	onlyB, _, err := c.LockCodes.Create(ctx, neverExpires("Only B", "99001122", lockB))
	must(t, err)
	e.advance(commandDelay)

	list := func(t *testing.T, opts smarthome.LockCodeListOptions) ([]string, int) {
		t.Helper()
		codes, resp, err := c.LockCodes.List(ctx, opts)
		must(t, err)
		var ids []string
		for _, lc := range codes {
			ids = append(ids, lc.ID)
		}
		slices.Sort(ids) // codes created in the same instant are listed in id order
		return ids, resp.TotalRecords
	}
	tests := []struct {
		name      string
		opts      smarthome.LockCodeListOptions
		want      []string
		wantTotal int
	}{
		{"all", smarthome.LockCodeListOptions{}, []string{both.ID, onlyA.ID, onlyB.ID}, 3},
		{"by device", smarthome.LockCodeListOptions{DeviceID: lockA}, []string{both.ID, onlyA.ID}, 2},
		{"by hub", smarthome.LockCodeListOptions{HubID: b.hub.ID}, []string{both.ID, onlyB.ID}, 2},
		{"by property", smarthome.LockCodeListOptions{PropertyID: 102}, []string{onlyB.ID}, 1},
		{"paged", smarthome.LockCodeListOptions{Page: 2, PerPage: 2}, []string{slices.Max([]string{both.ID, onlyA.ID, onlyB.ID})}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slices.Sort(tt.want)
			if ids, total := list(t, tt.opts); !slices.Equal(ids, tt.want) || total != tt.wantTotal {
				t.Errorf("ids %v total %d, want %v %d", ids, total, tt.want, tt.wantTotal)
			}
		})
	}

	t.Run("delete: removing, removed, gone", func(t *testing.T) {
		must(t, e.sim.SetHubOnline(b.hub.ID, false)) // lock B cannot hear the removal yet
		_, err := c.LockCodes.Delete(ctx, both.ID)
		must(t, err)
		got, _, err := c.LockCodes.Get(ctx, both.ID)
		must(t, err)
		for _, d := range got.Devices {
			if d.Status != smarthome.CodeRemoving {
				t.Errorf("right after delete: %+v, want removing", d)
			}
		}
		_, _, err = c.LockCodes.Update(ctx, both.ID, smarthome.LockCodeUpdate{Name: smarthome.Ptr("too late")})
		checkErr(t, err, smarthome.ErrConflict, "Lock code is being removed")
		e.advance(commandDelay)
		got, _, err = c.LockCodes.Get(ctx, both.ID)
		must(t, err)
		states := map[string]string{}
		for _, d := range got.Devices {
			states[d.DeviceID] = d.Status
		}
		if states[lockA] != smarthome.CodeRemoved || states[lockB] != smarthome.CodeRemoving {
			t.Errorf("states %v, want A removed and B (offline hub) still removing", states)
		}
		if slices.Contains(mapValues(lockPINs(t, c, lockA)), "11223344") {
			t.Error("lock A still holds the deleted PIN")
		}
		if ids, _ := list(t, smarthome.LockCodeListOptions{DeviceID: lockA}); slices.Contains(ids, both.ID) {
			t.Error("lock A's list still shows the code it removed")
		}
		must(t, e.sim.SetHubOnline(b.hub.ID, true))
		e.advance(commandDelay)
		_, _, err = c.LockCodes.Get(ctx, both.ID)
		checkErr(t, err, smarthome.ErrNotFound, "Lock code not found")
		_, err = c.LockCodes.Delete(ctx, both.ID)
		checkErr(t, err, smarthome.ErrNotFound, "Lock code not found")
		if ids, total := list(t, smarthome.LockCodeListOptions{}); total != 2 || slices.Contains(ids, both.ID) {
			t.Errorf("after removal: %v (total %d)", ids, total)
		}
	})
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
