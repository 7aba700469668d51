package handlers

import (
	"net/http"

	"github.com/keyless/dashboard/domain/apitoken"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/static"
)

// addRoutes is the whole HTTP surface on one screen.
func addRoutes(mux *http.ServeMux, d Deps, opts Options) {
	s := d.Sessions
	view := func(h http.Handler) http.Handler { return s.require(auth.ViewPortfolio, h) }
	attempts := auth.NewLoginAttempts(d.Store)

	// Health, assets, sign-in
	mux.Handle("GET /healthz", handleHealthz(d.Store))
	mux.Handle("GET /readyz", handleReadyz(d))
	mux.Handle("GET /metrics", handleMetrics(d, opts.MetricsToken))
	mux.Handle("GET /static/", static.Handler())
	mux.Handle("GET /login", handleLoginForm(s))
	mux.Handle("POST /login", handleLogin(s, attempts, d.Hasher))
	mux.Handle("POST /logout", s.signedIn(handleLogout(s)))
	mux.Handle("GET /account", s.signedIn(handleAccount(s)))
	mux.Handle("POST /account/password", s.signedIn(handleChangePassword(s, d.Hasher)))

	// Portfolio, read from the mirror
	mux.Handle("GET /{$}", view(handleHome(d, opts)))
	mux.Handle("GET /properties", view(handlePropertyList(d)))
	mux.Handle("GET /properties/{id}", view(handleProperty(d)))
	mux.Handle("GET /hubs", view(handleHubList(d)))
	mux.Handle("GET /hubs/{id}", view(handleHub(d)))
	mux.Handle("GET /devices/{id}", view(handleDevice(d)))
	mux.Handle("POST /sync", s.require(auth.Sync, handleSyncNow(d)))
	mux.Handle("GET /sync", view(handleSyncStatus(d)))

	// Live updates
	mux.Handle("GET /events", s.require(auth.ViewPortfolio, handleEvents(d)))

	// People
	mux.Handle("GET /users", s.require(auth.ManageUsers, handleUsers(s)))
	mux.Handle("POST /users", s.require(auth.ManageUsers, handleUserCreate(s, d.Hasher)))
	mux.Handle("POST /users/{id}", s.require(auth.ManageUsers, handleUserUpdate(s)))

	// Access: reservations, invitations, move-outs, guest self-tour links (staff), and the guests' own pages
	acc := &stayPages{Deps: d}
	manage := func(h http.Handler) http.Handler { return s.require(auth.ManageAccess, h) }
	mux.Handle("GET /reservations/new", manage(handleReservationNew(acc)))
	mux.Handle("POST /reservations", manage(handleReservationCreate(acc)))
	mux.Handle("GET /reservations/{id}", manage(handleReservation(acc)))
	mux.Handle("POST /reservations/{id}", manage(handleReservationUpdate(acc)))
	mux.Handle("POST /reservations/{id}/cancel", manage(handleReservationCancel(acc)))
	mux.Handle("POST /reservations/{id}/reveal", manage(handleReservationReveal(acc)))
	mux.Handle("GET /reservations/{id}/code", manage(handleReservationCode(acc)))
	mux.Handle("GET /invitations", manage(handleInvitations(acc)))
	mux.Handle("GET /invitations/new", manage(handleInvitationNew(acc)))
	mux.Handle("POST /invitations", manage(handleInvitationCreate(acc)))
	mux.Handle("GET /invitations/{id}", manage(handleInvitation(acc)))
	mux.Handle("POST /invitations/{id}", manage(handleInvitationUpdate(acc)))
	mux.Handle("GET /invitations/{id}/code", manage(handleInvitationCode(acc)))
	mux.Handle("POST /invitations/{id}/links", manage(handleGuestLinkCreate(acc)))
	mux.Handle("POST /guest-links/{id}/revoke", manage(handleGuestLinkRevoke(acc)))
	mux.Handle("GET /properties/{id}/access", manage(handleAccessSection(acc)))
	mux.Handle("GET /properties/{id}/move-out", manage(handleMoveOutConfirm(acc)))
	mux.Handle("POST /properties/{id}/move-out", manage(handleMoveOut(acc)))
	mux.Handle("GET /move-outs/{id}", manage(handleMoveOutPage(acc)))
	mux.Handle("GET /move-outs/{id}/progress", manage(handleMoveOutProgress(acc)))
	mux.Handle("GET /i/{token}", handleGuestPage(acc))
	mux.Handle("POST /i/{token}/unlock", handleGuestUnlock(acc))

	// Hardware commands, hub/device history, MQTT response, master-code reset; the staff audit log
	if d.Observed != nil && d.Commands != nil {
		d.Observed.Add(d.Commands.Observe) // webhook confirmations of pending commands
	}
	operate := func(action, target string, h http.Handler) http.Handler {
		return requireAudited(d, auth.Operate, action, target, h)
	}
	mux.Handle("POST /devices/{id}/commands", operate("device.command", "device", handleDeviceCommand(d)))
	mux.Handle("GET /devices/{id}/commands", view(handleCommandList(d, "device")))
	mux.Handle("GET /devices/{id}/history", view(handleHistory(d, "device")))
	mux.Handle("POST /hubs/{id}/commands", operate("hub.command", "hub", handleHubCommand(d)))
	mux.Handle("GET /hubs/{id}/commands", view(handleCommandList(d, "hub")))
	mux.Handle("GET /hubs/{id}/history", view(handleHistory(d, "hub")))
	mux.Handle("GET /hubs/{id}/mqtt", view(handleHubMQTT(d)))
	mux.Handle("POST /hubs/{id}/master-code",
		requireAudited(d, auth.ResetMasterCode, "hub.master_code_reset", "hub", handleMasterCodeReset(d)))
	mux.Handle("GET /audit", s.require(auth.ViewAudit, handleAuditPage(d)))
	mux.Handle("GET /audit/export", s.require(auth.ViewAudit, handleAuditExport(d)))

	// Webhook intake (no session, no CSRF: senders have no browser headers), the device activity log, the inbox
	rx := d.Receiver
	if rx == nil {
		rx = NewReceiver(d, opts, false)
	}
	mux.Handle("POST /webhooks/smarthome", handleWebhook(d, rx))
	mux.Handle("GET /activities", s.require(auth.ViewActivity, handleActivities(d)))
	mux.Handle("GET /activities/export", s.require(auth.ViewActivity, handleActivityExport(d)))
	mux.Handle("GET /activities/feed", s.require(auth.ViewActivity, handleActivityFeed(d)))
	mux.Handle("GET /activities/{id}", s.require(auth.ViewActivity, handleActivityDetail(d)))
	mux.Handle("GET /inbox", s.require(auth.ManageInbox, handleInbox(d, opts, rx)))
	mux.Handle("POST /inbox/{id}/reprocess", s.require(auth.ManageInbox, handleInboxReprocess(d, rx)))

	// Lock codes, code drift and one-off (mls_unlock) codes: all for people who manage access
	lc := newLockCodeRoutes(d)
	codes := func(h http.Handler) http.Handler { return s.require(auth.ManageAccess, h) }
	mux.Handle("GET /properties/{id}/lock-codes", codes(handleLockCodesProperty(lc)))
	mux.Handle("GET /properties/{id}/lock-codes/list", codes(handleLockCodeListRefresh(lc, false)))
	mux.Handle("GET /properties/{id}/lock-codes/new", codes(handleLockCodeNew(lc)))
	mux.Handle("GET /properties/{id}/lock-codes/validity", codes(handleLockCodeValidityFields(lc)))
	mux.Handle("POST /properties/{id}/lock-codes", codes(handleLockCodeCreate(lc)))
	mux.Handle("GET /devices/{id}/lock-codes", codes(handleLockCodesDevice(lc)))
	mux.Handle("GET /devices/{id}/lock-codes/list", codes(handleLockCodeListRefresh(lc, true)))
	mux.Handle("GET /lock-codes/{id}/edit", codes(handleLockCodeEdit(lc)))
	mux.Handle("POST /lock-codes/{id}", codes(handleLockCodeUpdate(lc)))
	mux.Handle("GET /lock-codes/{id}/delete", codes(handleLockCodeDeleteConfirm(lc)))
	mux.Handle("POST /lock-codes/{id}/delete", codes(handleLockCodeDelete(lc)))
	mux.Handle("POST /lock-codes/{id}/retry", codes(handleLockCodeRetry(lc)))
	mux.Handle("POST /lock-codes/{id}/reveal", codes(handleLockCodeReveal(lc)))
	mux.Handle("GET /lock-codes/{id}/pin", codes(handleLockCodeFragment(lc, "pin")))
	mux.Handle("GET /lock-codes/{id}/row", codes(handleLockCodeFragment(lc, "row")))
	mux.Handle("GET /lock-codes/{id}/actions", codes(handleLockCodeFragment(lc, "actions")))
	mux.Handle("GET /drift", codes(handleDriftIndex(lc)))
	mux.Handle("GET /properties/{id}/drift", codes(handleDrift(lc)))
	mux.Handle("POST /properties/{id}/drift/remove", codes(handleDriftRemedy(lc, lc.remedyRemoveExpired)))
	mux.Handle("POST /properties/{id}/drift/resend", codes(handleDriftRemedy(lc, lc.remedyResend)))
	mux.Handle("POST /properties/{id}/drift/clear-slot", codes(handleDriftRemedy(lc, lc.remedyClearSlot)))
	mux.Handle("GET /properties/{id}/drift/adopt", codes(handleDriftAdoptForm(lc)))
	mux.Handle("POST /properties/{id}/drift/adopt", codes(handleDriftAdopt(lc)))
	mux.Handle("POST /hubs/{id}/unlock-code", codes(handleHubUnlock(lc)))
	mux.Handle("POST /devices/{id}/unlock-code", codes(handleLockUnlock(lc)))

	// Schedules: a device's weekly programs (the card on the device page reads the mirror; changes go upstream first)
	mux.Handle("GET /devices/{id}/schedules", view(handleScheduleSection(d)))
	mux.Handle("GET /devices/{id}/schedules/new", s.require(auth.ManageSchedules, handleScheduleNew(d)))
	mux.Handle("POST /devices/{id}/schedules", s.require(auth.ManageSchedules, handleScheduleSave(d)))
	mux.Handle("POST /devices/{id}/schedules/form", s.require(auth.ManageSchedules, handleScheduleForm(d)))
	mux.Handle("GET /devices/{id}/schedules/{sid}/edit", s.require(auth.ManageSchedules, handleScheduleEdit(d)))
	mux.Handle("POST /devices/{id}/schedules/{sid}/edit", s.require(auth.ManageSchedules, handleScheduleSave(d)))
	mux.Handle("POST /devices/{id}/schedules/{sid}/activate", s.require(auth.ManageSchedules, handleScheduleActivate(d)))
	mux.Handle("GET /devices/{id}/schedules/{sid}/delete", s.require(auth.ManageSchedules, handleScheduleDeleteConfirm(d)))
	mux.Handle("POST /devices/{id}/schedules/{sid}/delete", s.require(auth.ManageSchedules, handleScheduleDelete(d)))

	// Portfolio edits (admins): properties, hub details, device assignment
	mux.Handle("GET /properties/new", s.require(auth.EditPortfolio, handlePropertyNew(d)))
	mux.Handle("POST /properties/new", s.require(auth.EditPortfolio, handlePropertyCreate(d)))
	mux.Handle("GET /properties/{id}/edit", s.require(auth.EditPortfolio, handlePropertyEditForm(d)))
	mux.Handle("POST /properties/{id}/edit", s.require(auth.EditPortfolio, handlePropertyUpdate(d)))
	mux.Handle("GET /properties/{id}/delete", s.require(auth.EditPortfolio, handlePropertyDeleteConfirm(d)))
	mux.Handle("POST /properties/{id}/delete", s.require(auth.EditPortfolio, handlePropertyDelete(d)))
	mux.Handle("GET /hubs/{id}/edit", s.require(auth.EditPortfolio, handleHubEditForm(d)))
	mux.Handle("POST /hubs/{id}/edit", s.require(auth.EditPortfolio, handleHubUpdate(d)))
	mux.Handle("POST /devices/{id}/assign", s.require(auth.EditPortfolio, handleDeviceAssign(d)))

	// Alerts: the records (everyone who views the portfolio), their lifecycle (people who handle alerts), the
	// thresholds (admins). Every action is audited, refusals included.
	d.Observed.Add(d.Alerts.Observe) // webhooks open, bump and resolve alerts
	handle := func(action string, h http.Handler) http.Handler {
		return requireAudited(d, auth.HandleAlerts, action, "alert", h)
	}
	configure := func(action string, h http.Handler) http.Handler {
		return requireAudited(d, auth.ConfigureAlerts, action, "alert_thresholds", h)
	}
	mux.Handle("GET /alerts", view(handleAlerts(d)))
	mux.Handle("GET /alerts/{id}", view(handleAlert(d))) // where notifications link
	mux.Handle("POST /alerts/{id}/acknowledge", handle("alert.acknowledge", handleAlertAction(d, "alert.acknowledge", acknowledgeAlert)))
	mux.Handle("POST /alerts/{id}/resolve", handle("alert.resolve", handleAlertAction(d, "alert.resolve", resolveAlert)))
	mux.Handle("GET /alerts/settings", s.require(auth.ConfigureAlerts, handleAlertSettings(d)))
	mux.Handle("POST /alerts/settings", configure("alert_thresholds.set", handleAlertSettingsSave(d)))
	mux.Handle("POST /alerts/settings/remove", configure("alert_thresholds.clear", handleAlertSettingsRemove(d)))
	// Automations per property (a leak closes the water valves), off by default; set by whoever sets thresholds.
	mux.Handle("POST /properties/{id}/automations", requireAudited(d, auth.ConfigureAlerts, "automation.set", "property", handleAutomationsSave(d)))
	// Alert notifications (admins): rules, webhook endpoints, the outbox and its attempts, tests and resends
	alerts := func(h http.Handler) http.Handler { return s.require(auth.ManageAlerts, h) }
	mux.Handle("GET /notifications", alerts(handleNotifyPage(d)))
	mux.Handle("POST /notifications/test-email", alerts(handleNotifyTestEmail(d)))
	mux.Handle("GET /notifications/log/{id}", alerts(handleNotification(d)))
	mux.Handle("POST /notifications/log/{id}/resend", alerts(handleNotificationResend(d)))
	mux.Handle("GET /notifications/rules/new", alerts(handleNotifyRuleNew(d)))
	mux.Handle("POST /notifications/rules", alerts(handleNotifyRuleSave(d)))
	mux.Handle("GET /notifications/rules/{id}", alerts(handleNotifyRuleEdit(d)))
	mux.Handle("POST /notifications/rules/{id}", alerts(handleNotifyRuleSave(d)))
	mux.Handle("POST /notifications/rules/{id}/delete", alerts(handleNotifyRuleDelete(d)))
	mux.Handle("POST /notifications/endpoints", alerts(handleNotifyEndpointCreate(d)))
	mux.Handle("GET /notifications/endpoints/{id}", alerts(handleNotifyEndpoint(d)))
	mux.Handle("POST /notifications/endpoints/{id}/test", alerts(handleNotifyEndpointTest(d)))
	mux.Handle("POST /notifications/endpoints/{id}/disabled", alerts(handleNotifyEndpointDisabled(d)))
	mux.Handle("POST /notifications/endpoints/{id}/delete", alerts(handleNotifyEndpointDelete(d)))

	// Device names (device_name, occupant_setting): people who edit the portfolio; saves and refusals audited
	mux.Handle("GET /devices/{id}/edit", s.require(auth.EditPortfolio, handleDeviceEditForm(d)))
	mux.Handle("POST /devices/{id}/edit", requireAudited(d, auth.EditPortfolio, "device.update", "device", handleDeviceUpdate(d)))

	// Read-only JSON API for integrators (bearer tokens, never cookies; its routes are the apiRoutes table of
	// handlers/api.go) and the admins' API tokens page
	tokens := apitoken.New(d.Store, opts.APIRate)
	addAPIRoutes(mux, d, tokens)
	mux.Handle("GET /api-tokens", s.require(auth.ManageAPITokens, handleAPITokens(d)))
	mux.Handle("POST /api-tokens", requireAudited(d, auth.ManageAPITokens, "api_token.create", "api_token", handleAPITokenCreate(d, tokens)))
	mux.Handle("POST /api-tokens/{id}/revoke",
		requireAudited(d, auth.ManageAPITokens, "api_token.revoke", "api_token", handleAPITokenRevoke(d, tokens)))

	// Bulk access (issue 13): one code on many locks, a person's codes revoked everywhere, move-outs at many
	// properties; each one bulk record, audited as one action (refusals included), run in the background.
	bk := newBulkRoutes(d, lc)
	bulkDo := func(action string, h http.Handler) http.Handler {
		return requireAudited(d, auth.ManageAccess, action, "bulk", h)
	}
	mux.Handle("GET /bulk", codes(handleBulkIndex(bk)))
	mux.Handle("GET /bulk/code", codes(handleBulkCodeForm(bk)))
	mux.Handle("POST /bulk/codes", bulkDo("bulk.lock_code.create", handleBulkCodeCreate(bk)))
	mux.Handle("GET /bulk/revoke", codes(handleBulkRevokeConfirm(bk)))
	mux.Handle("POST /bulk/revoke", bulkDo("bulk.lock_code.revoke", handleBulkRevoke(bk)))
	mux.Handle("GET /bulk/move-out", codes(handleBulkMoveOutConfirm(bk)))
	mux.Handle("POST /bulk/move-outs", bulkDo("bulk.move_out", handleBulkMoveOut(bk)))
	mux.Handle("GET /bulk/{id}", codes(handleBulkPage(bk)))
	mux.Handle("GET /bulk/{id}/progress", codes(handleBulkProgress(bk)))
	mux.Handle("POST /bulk/{id}/retry", bulkDo("bulk.retry", handleBulkRetry(bk)))
	mux.Handle("GET /lock-codes/{id}/revoke-everywhere", codes(handleRevokeEverywhere(bk)))

	// Device list: every device of the portfolio, filtered (GET /devices/{id} above stays the device's page)
	mux.Handle("GET /devices", view(handleDeviceList(d)))

	// routes: feature blocks go above this line, one block per feature, each under a short comment

	mux.Handle("/", handleNotFound(d))
}
