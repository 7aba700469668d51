package smarthome_test

import (
	"testing"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

func TestContractInvitations(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	s := e.site(c, 102)
	today := s.localNow(e)
	until := today.AddDate(0, 0, 30)

	res, _, err := c.Invitations.Create(ctx, smarthome.InvitationRequest{Email: "sam@example.com", Name: "Sam Tenant",
		PropertyID: 102, From: today, To: until})
	must(t, err)
	if res.Message != "Invitation mail has been sent to sam@example.com." || res.InvitationID <= 0 {
		t.Fatalf("created %+v", res)
	}
	open, _, err := c.Invitations.Create(ctx, smarthome.InvitationRequest{Email: "kim@example.com", Name: "Kim", PropertyID: 102})
	must(t, err)

	list, resp, err := c.Invitations.List(ctx, smarthome.InvitationListOptions{PropertyID: 102})
	must(t, err)
	if len(list) != 2 || resp.TotalRecords != 2 {
		t.Fatalf("invitations %+v", list)
	}
	sam, kim := list[0], list[1]
	f := smarthome.InvitationDateLayout
	if sam.ID != res.InvitationID || sam.Email != "sam@example.com" || sam.Name != "Sam Tenant" || sam.PropertyID != 102 ||
		sam.FromTime != today.Format(f) || sam.ToTime == nil || *sam.ToTime != until.Format(f) || sam.Status != "active" ||
		sam.LockCodeID == "" {
		t.Errorf("invitation %+v", sam)
	}
	if kim.ID != open.InvitationID || kim.ToTime != nil || kim.FromTime != today.Format(f) {
		t.Errorf("open-ended invitation %+v", kim)
	}

	t.Run("resident codes", func(t *testing.T) {
		lc, _, err := c.LockCodes.Get(ctx, sam.LockCodeID)
		must(t, err)
		if lc.ValidityType != smarthome.ValiditySpecificPeriod || lc.FromDate != today.Format("2006-01-02")+" 00-00" ||
			lc.ToDate != until.Format("2006-01-02")+" 23-59" || lc.Name != "Sam Tenant" || !validPIN6(lc.Code) {
			t.Errorf("lock code %s %s..%s %q", lc.ValidityType, lc.FromDate, lc.ToDate, lc.Name)
		}
		open, _, err := c.LockCodes.Get(ctx, kim.LockCodeID)
		must(t, err)
		if open.ValidityType != smarthome.ValidityNeverExpires {
			t.Errorf("open-ended invitation's code is %q", open.ValidityType)
		}
	})
	t.Run("list filters", func(t *testing.T) {
		tests := []struct {
			name string
			opts smarthome.InvitationListOptions
			want int
		}{
			{"by email", smarthome.InvitationListOptions{Email: "KIM@example.com"}, 1},
			{"by search key", smarthome.InvitationListOptions{SearchKey: "tenant"}, 1},
			{"other property", smarthome.InvitationListOptions{PropertyID: 101}, 0},
			{"paged", smarthome.InvitationListOptions{Page: 2, PerPage: 1}, 1},
		}
		for _, tt := range tests {
			got, resp, err := c.Invitations.List(ctx, tt.opts)
			must(t, err)
			if len(got) != tt.want {
				t.Errorf("%s: %d invitations, want %d", tt.name, len(got), tt.want)
			}
			if tt.name == "paged" && (resp.TotalRecords != 2 || got[0].ID != kim.ID) {
				t.Errorf("page 2 of 1: %+v (total %d)", got, resp.TotalRecords)
			}
		}
	})
	t.Run("update", func(t *testing.T) {
		later := until.AddDate(0, 1, 0)
		up, _, err := c.Invitations.Update(ctx, sam.ID, smarthome.InvitationUpdate{Name: smarthome.Ptr("Sam T."), To: &later})
		must(t, err)
		if up.Name != "Sam T." || up.ToTime == nil || *up.ToTime != later.Format(f) || up.FromTime != sam.FromTime {
			t.Errorf("updated %+v", up)
		}
		lc, _, err := c.LockCodes.Get(ctx, sam.LockCodeID)
		must(t, err)
		if lc.ToDate != later.Format("2006-01-02")+" 23-59" || lc.Name != "Sam T." {
			t.Errorf("the resident's code did not follow: %s %q", lc.ToDate, lc.Name)
		}
		_, _, err = c.Invitations.Update(ctx, 9999, smarthome.InvitationUpdate{Name: smarthome.Ptr("x")})
		checkErr(t, err, smarthome.ErrNotFound, "Invitation not found")
	})
	t.Run("move out one, then all", func(t *testing.T) {
		_, err := c.Invitations.MoveOut(ctx, 102, "sam@example.com")
		must(t, err)
		got, _, err := c.Invitations.List(ctx, smarthome.InvitationListOptions{Email: "sam@example.com"})
		must(t, err)
		if len(got) != 1 || got[0].Status != "removed" {
			t.Errorf("after move-out: %+v", got)
		}
		_, err = c.Invitations.MoveOut(ctx, 102, "sam@example.com")
		checkErr(t, err, smarthome.ErrNotFound, "Invitation not found")
		_, _, err = c.Invitations.Update(ctx, sam.ID, smarthome.InvitationUpdate{Name: smarthome.Ptr("x")})
		checkErr(t, err, smarthome.ErrConflict, "Invitation was removed")

		_, err = c.Invitations.MoveOut(ctx, 102, smarthome.MoveOutAll)
		must(t, err)
		e.advance(commandDelay)
		_, _, err = c.LockCodes.Get(ctx, kim.LockCodeID)
		checkErr(t, err, smarthome.ErrNotFound, "Lock code not found")
		_, err = c.Invitations.MoveOut(ctx, 102, smarthome.MoveOutAll)
		checkErr(t, err, smarthome.ErrNotFound, "Invitation not found")
		_, err = c.Invitations.MoveOut(ctx, 9999, smarthome.MoveOutAll)
		checkErr(t, err, smarthome.ErrNotFound, "Property not found")
	})
}

func TestContractInvitationRules(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	token := e.token(c)
	today := e.sim.Now()
	tests := []struct {
		name string
		req  smarthome.InvitationRequest
		msg  string
	}{
		{"bad email", smarthome.InvitationRequest{Email: "not-an-email", PropertyID: 101}, "Email is invalid"},
		{"no property", smarthome.InvitationRequest{Email: "a@example.com"}, "property_id is required"},
		{"to before from", smarthome.InvitationRequest{Email: "a@example.com", PropertyID: 101, From: today, To: today.AddDate(0, 0, -1)},
			"to_time must not be before from_time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := c.rec.total()
			_, _, err := c.Invitations.Create(t.Context(), tt.req)
			checkLocal(t, c, before, err)
			body := map[string]any{"email": tt.req.Email, "from_time": "", "to_time": ""}
			if tt.req.PropertyID != 0 {
				body["property_id"] = tt.req.PropertyID
			}
			if !tt.req.From.IsZero() {
				body["from_time"] = tt.req.From.Format(smarthome.InvitationDateLayout)
				body["to_time"] = tt.req.To.Format(smarthome.InvitationDateLayout)
			}
			e.wantRaw(token, "POST", "/api/v2/invitations", body, 422, tt.msg)
		})
	}
	t.Run("move-out without email", func(t *testing.T) {
		before := c.rec.total()
		_, err := c.Invitations.MoveOut(t.Context(), 101, "")
		checkLocal(t, c, before, err)
		e.wantRaw(token, "DELETE", "/api/properties/101/remove_invitations", map[string]string{"email": ""}, 422, "email is required")
	})
	t.Run("unknown property", func(t *testing.T) {
		_, _, err := c.Invitations.Create(t.Context(), smarthome.InvitationRequest{Email: "a@example.com", PropertyID: 9999})
		checkErr(t, err, smarthome.ErrNotFound, "Property not found")
	})
	t.Run("already invited", func(t *testing.T) {
		r := smarthome.InvitationRequest{Email: "twice@example.com", PropertyID: 101}
		_, _, err := c.Invitations.Create(t.Context(), r)
		must(t, err)
		_, _, err = c.Invitations.Create(t.Context(), r)
		checkErr(t, err, smarthome.ErrValidation, "An active invitation already exists")
	})
}
