package smarthome

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestInvitationsEndpoints(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 29, 15, 4, 5, 0, time.UTC)
	inv := `{"id": 9, "email": "res@example.com", "name": "Res", "property_id": 3343757, "from_time": "08/20/2024",
		"to_time": null, "status": "active", "lock_code_id": "c9", "created_at": "2026-11-29T15:04:05Z", "updated_at": "2026-11-29T15:04:05Z"}`
	want := &Invitation{ID: 9, Email: "res@example.com", Name: "Res", PropertyID: 3343757, FromTime: "08/20/2024",
		Status: "active", LockCodeID: "c9", CreatedAt: at, UpdatedAt: at}
	runEndpoints(t, []endpointCase{
		{
			name: "Create", method: "POST", path: "/api/v2/invitations",
			body:  `{"email": "res@example.com", "name": "Res", "property_id": 3343757, "from_time": "08/20/2024", "to_time": "12/31/2025"}`,
			reply: `{"success": true, "message": "Invitation mail has been sent to res@example.com.", "invitation_id": 9}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Invitations.Create(ctx, InvitationRequest{Email: "res@example.com", Name: "Res", PropertyID: 3343757,
					From: time.Date(2024, 8, 20, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)})
			},
			want: &InvitationResult{Message: "Invitation mail has been sent to res@example.com.", InvitationID: 9},
		},
		{
			name: "Create open-ended", method: "POST", path: "/api/v2/invitations",
			body:  `{"email": "res@example.com", "property_id": 1, "from_time": "08/20/2024"}`,
			reply: `{"success": true, "message": "sent"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Invitations.Create(ctx, InvitationRequest{Email: "res@example.com", PropertyID: 1, From: time.Date(2024, 8, 20, 0, 0, 0, 0, time.UTC)})
			},
			want: &InvitationResult{Message: "sent"},
		},
		{
			name: "List", method: "GET", path: "/api/v2/invitations",
			query: url.Values{"property_id": {"3343757"}, "email": {"res@example.com"}, "search_key": {"Res"}, "per_page": {"5"}},
			reply: `{"invitations": [` + inv + `], "total_records": 1, "page": 1, "per_page": 5}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Invitations.List(ctx, InvitationListOptions{PropertyID: 3343757, Email: "res@example.com", SearchKey: "Res", PerPage: 5})
			},
			want: []Invitation{*want}, paging: [3]int{1, 1, 5},
		},
		{
			name: "Update", method: "PUT", path: "/api/v2/invitations/9", reply: inv,
			body: `{"name": "Resident", "to_time": "01/31/2027"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return c.Invitations.Update(ctx, 9, InvitationUpdate{Name: Ptr("Resident"), To: Ptr(time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC))})
			},
			want: want,
		},
		{
			name: "MoveOut one", method: "DELETE", path: "/api/properties/3343757/remove_invitations",
			body: `{"email": "res@example.com"}`, reply: `{"success": true, "message": "Removed Invitation(s)"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return noValue(c.Invitations.MoveOut(ctx, 3343757, "res@example.com"))
			},
		},
		{
			name: "MoveOut all", method: "DELETE", path: "/api/properties/3343757/remove_invitations",
			body: `{"email": "all"}`, reply: `{"success": true, "message": "Removed Invitation(s)"}`,
			call: func(ctx context.Context, c *Client) (any, *Response, error) {
				return noValue(c.Invitations.MoveOut(ctx, 3343757, MoveOutAll))
			},
		},
	})
}

func TestInvitationFailures(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.mux.HandleFunc("POST /api/v2/invitations", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"success": false, "message": "Email is invalid"}`)
	})
	f.mux.HandleFunc("DELETE /api/properties/{id}/remove_invitations", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"success": false, "message": "Invitation not found"}`)
	})
	ctx := t.Context()
	if _, _, err := f.client.Invitations.Create(ctx, InvitationRequest{Email: "a@b.c", PropertyID: 1}); !errorsIsRejected(err) {
		t.Errorf("Create success:false: %v", err)
	}
	if _, err := f.client.Invitations.MoveOut(ctx, 1, "x@y.z"); !errorsIsRejected(err) {
		t.Errorf("MoveOut success:false: %v", err)
	}
	day := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	for name, err := range map[string]error{
		"bad email":      InvitationRequest{Email: "nope", PropertyID: 1}.Validate(),
		"no property":    InvitationRequest{Email: "a@b.c"}.Validate(),
		"to before from": InvitationRequest{Email: "a@b.c", PropertyID: 1, From: day, To: day.AddDate(0, 0, -1)}.Validate(),
		"empty update":   func() error { _, _, err := f.client.Invitations.Update(ctx, 1, InvitationUpdate{}); return err }(),
		"update order": func() error {
			_, _, err := f.client.Invitations.Update(ctx, 1, InvitationUpdate{From: &day, To: Ptr(day.AddDate(0, 0, -1))})
			return err
		}(),
		"move out nobody": func() error { _, err := f.client.Invitations.MoveOut(ctx, 1, ""); return err }(),
	} {
		if !errorsIsValidation(err) {
			t.Errorf("%s: %v, want ErrValidation", name, err)
		}
	}
}
