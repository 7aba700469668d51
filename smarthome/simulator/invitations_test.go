package simulator

import (
	"strconv"
	"testing"
)

func TestInvitationsAndMoveOut(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	tests := []struct {
		name    string
		body    string
		want    int
		message string
	}{
		{"with window", `{"email":"ana@example.com","name":"Ana Ruiz","property_id":101,"from_time":"03/10/2026","to_time":"12/31/2026"}`,
			200, "Invitation mail has been sent to ana@example.com."},
		{"open-ended, property id as string", `{"email":"bo@example.com","name":"Bo","property_id":"101"}`, 200,
			"Invitation mail has been sent to bo@example.com."},
		{"invalid email", `{"email":"not-an-email","property_id":101}`, 422, "Email is invalid"},
		{"missing property", `{"email":"cy@example.com"}`, 422, "property_id is required"},
		{"unknown property", `{"email":"cy@example.com","property_id":99999}`, 404, "Property not found"},
		{"bad from_time", `{"email":"cy@example.com","property_id":101,"from_time":"2026-03-10"}`, 422, "from_time must be in MM/DD/YYYY format"},
		{"to before from", `{"email":"cy@example.com","property_id":101,"from_time":"03/10/2026","to_time":"03/01/2026"}`, 422, "to_time must not be before from_time"},
		{"already invited", `{"email":"ANA@example.com","property_id":101}`, 422, "An active invitation already exists for ANA@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.do("POST", "/api/v2/invitations", agent, tt.body)
			m := decode(t, body)
			if status != tt.want || m["message"] != tt.message || (status == 200) != (m["success"] == true) {
				t.Fatalf("status %d body %s, want %d %q", status, body, tt.want, tt.message)
			}
			if status == 200 && m["invitation_id"] == nil {
				t.Error("no invitation_id")
			}
		})
	}
	e.advance(DefaultCommandDelay)
	added := e.events("lock_code_added")
	if len(added) == 0 || (added[0]["User"] != "Ana Ruiz" && added[0]["User"] != "Bo") {
		t.Fatalf("resident codes did not reach the locks: %v", added)
	}

	var list struct {
		Invitations []invitationJSON `json:"invitations"`
	}
	e.call("GET", "/api/v2/invitations?property_id=101", agent, nil, 200, &list)
	if len(list.Invitations) != 2 || list.Invitations[0].ToTime == nil || *list.Invitations[0].ToTime != "12/31/2026" ||
		list.Invitations[1].ToTime != nil || list.Invitations[0].LockCodeID == nil {
		t.Fatalf("invitations %+v", list.Invitations)
	}
	var lc lockCodeJSON
	e.call("GET", "/api/lock_codes/"+*list.Invitations[0].LockCodeID, agent, nil, 200, &lc)
	if lc.ValidityType != validityPeriod || *lc.FromDate != "2026-03-10 00-00" || *lc.ToDate != "2026-12-31 23-59" {
		t.Errorf("resident code window %+v", lc)
	}
	var inv invitationJSON
	e.call("PUT", "/api/v2/invitations/"+strconv.FormatInt(list.Invitations[1].ID, 10), agent, `{"to_time":"06/30/2026"}`, 200, &inv)
	if inv.ToTime == nil || *inv.ToTime != "06/30/2026" {
		t.Errorf("updated invitation %+v", inv)
	}
	e.call("PUT", "/api/v2/invitations/"+strconv.FormatInt(inv.ID, 10), agent, `{"to_time":"01/01/2020"}`, 422, nil)

	moveOut := []struct {
		name, body string
		property   string
		want       int
		message    string
	}{
		{"no body", ``, "101", 422, `email is required (a resident's email, or "all")`},
		{"not invited", `{"email":"zed@example.com"}`, "101", 404, "Invitation not found"},
		{"unknown property", `{"email":"all"}`, "99999", 404, "Property not found"},
		{"one resident", `{"email":"ana@example.com"}`, "101", 200, "Removed Invitation(s)"},
		{"again", `{"email":"ana@example.com"}`, "101", 404, "Invitation not found"},
		{"everyone", `{"email":"all"}`, "101", 200, "Removed Invitation(s)"},
	}
	for _, tt := range moveOut {
		t.Run("move-out "+tt.name, func(t *testing.T) {
			status, body := e.do("DELETE", "/api/properties/"+tt.property+"/remove_invitations", agent, tt.body)
			if m := decode(t, body); status != tt.want || m["message"] != tt.message {
				t.Fatalf("status %d body %s, want %d %q", status, body, tt.want, tt.message)
			}
		})
	}
	e.advance(DefaultCommandDelay)
	if del := e.events("lock_code_deleted"); len(del) < 2 {
		t.Errorf("move-out did not remove the resident codes: %v", del)
	}
	e.call("GET", "/api/v2/invitations?property_id=101", agent, nil, 200, &list)
	for _, inv := range list.Invitations {
		if inv.Status != "removed" {
			t.Errorf("invitation %d is %s after move-out", inv.ID, inv.Status)
		}
	}
	e.call("PUT", "/api/v2/invitations/"+strconv.FormatInt(inv.ID, 10), agent, `{"name":"x"}`, 409, nil)
}
