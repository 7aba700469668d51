package smarthome

import (
	"errors"
	"net/http"
	"testing"
)

func TestClearCodeSlot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		device string
		slot   int
		status int
		body   string
		want   error // nil: success
	}{
		{"cleared", "lock-1", 3, http.StatusOK, `{"success": true, "message": "Code removal sent"}`, nil},
		{"an API code's slot", "lock-1", 4, http.StatusConflict, `{"success": false, "message": "Slot 4 holds lock code x"}`, ErrConflict},
		{"empty slot", "lock-1", 9, http.StatusNotFound, `{"success": false, "message": "Slot 9 is empty"}`, ErrNotFound},
		{"slot 0 is refused before sending", "lock-1", 0, 0, "", ErrValidation},
		{"no device is refused before sending", "", 1, 0, "", ErrValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.mux.HandleFunc("DELETE /api/devices/{id}/codes/{slot}", func(w http.ResponseWriter, r *http.Request) {
				if tt.status == 0 {
					t.Errorf("an invalid request was sent: %s", r.URL)
				}
				if r.PathValue("id") != tt.device {
					t.Errorf("device %q", r.PathValue("id"))
				}
				writeJSON(w, tt.status, tt.body)
			})
			_, err := f.client.Devices.ClearCodeSlot(t.Context(), tt.device, tt.slot)
			if (tt.want == nil) != (err == nil) || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}
