package simulator

// This file lists every route whose path or shape the public docs do not show (reference §1, "guess"); their wire
// shapes are fixed in CONTRACT.md. They are on by default, since the dashboard uses them; Options.DisableGuessed turns
// them all off, to see what depends on guesses. Handlers live in the guessed_*.go files.
//
// Inferred parts of documented routes stay with those routes and are marked there: code and name on
// POST /api/lock_codes, invitation_id on POST /api/v2/invitations, and the detail update of PUT /api/devices/{id}
// (updateDeviceDetail, refused when DisableGuessed).

// guessedRoute is one inferred route.
type guessedRoute struct {
	pattern string
	access  access
	h       apiHandler
}

// guessedRoutes is the whole inferred surface.
func (s *Simulator) guessedRoutes() []guessedRoute {
	return []guessedRoute{
		// Properties: create/update/destroy exist [DOC D-overview]; paths [INF].
		{"GET /api/properties/{id}", anyone, s.handlePropertyGet},
		{"POST /api/properties", agentsOnly, s.handlePropertyCreate},
		{"PUT /api/properties/{id}", agentsOnly, s.handlePropertyUpdate},
		{"DELETE /api/properties/{id}", agentsOnly, s.handlePropertyDelete},

		// Hubs: update, master-code reset, hardware commands, MQTT response [DOC D-overview]; paths [INF].
		{"PUT /api/hubs/{id}", agentsOnly, s.handleHubUpdate},
		{"PUT /api/hubs/{id}/reset_master_code", agentsOnly, s.handleResetMasterCode},
		{"POST /api/hubs/{id}/commands", agentsOnly, s.handleHubCommand},
		{"GET /api/hubs/{id}/mqtt_response", agentsOnly, s.handleMQTTResponse},

		// Device activities, by analogy with the documented hub route.
		{"GET /api/devices/{id}/desired_activities", agentsOnly, s.handleDeviceActivities},

		// Lock codes beyond create.
		{"GET /api/lock_codes", agentsOnly, s.handleLockCodeList},
		{"GET /api/lock_codes/{id}", agentsOnly, s.handleLockCodeGet},
		{"PUT /api/lock_codes/{id}", agentsOnly, s.handleLockCodeUpdate},
		{"DELETE /api/lock_codes/{id}", agentsOnly, s.handleLockCodeDelete},
		{"DELETE /api/devices/{id}/codes/{slot}", agentsOnly, s.handleClearSlot}, // a keypad PIN no code represents

		// Reservations.
		{"GET /api/reservations", agentsOnly, s.handleReservationList},
		{"POST /api/reservations", agentsOnly, s.handleReservationCreate},
		{"GET /api/reservations/{id}", agentsOnly, s.handleReservationGet},
		{"PUT /api/reservations/{id}", agentsOnly, s.handleReservationUpdate},
		{"DELETE /api/reservations/{id}", agentsOnly, s.handleReservationDelete},

		// Schedules, including both activation paths the reference suggests.
		{"GET /api/schedules", agentsOnly, s.handleScheduleList},
		{"POST /api/schedules", agentsOnly, s.handleScheduleCreate},
		{"PUT /api/schedules/{id}", agentsOnly, s.handleScheduleUpdate},
		{"DELETE /api/schedules/{id}", agentsOnly, s.handleScheduleDelete},
		{"GET /api/devices/{id}/schedules", anyone, s.handleDeviceSchedules},
		{"PUT /api/devices/{id}/schedules/{schedule_id}/activate", agentsOnly, s.handleScheduleActivate},
		{"POST /api/devices/{id}/schedules/{schedule_id}/activate", agentsOnly, s.handleScheduleActivate},
		{"PUT /api/schedules/{id}/activate", agentsOnly, s.handleScheduleActivateAlt},
		{"POST /api/schedules/{id}/activate", agentsOnly, s.handleScheduleActivateAlt},

		// Invitations: query and update.
		{"GET /api/v2/invitations", agentsOnly, s.handleInvitationList},
		{"PUT /api/v2/invitations/{id}", agentsOnly, s.handleInvitationUpdate},
	}
}
