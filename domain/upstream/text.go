package upstream

import (
	"cmp"
	"errors"
	"fmt"

	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/smarthome"
)

// Message is the reason the upstream gave for refusing a call, or "no reason given".
func Message(err error) string {
	var apiErr *smarthome.ErrorResponse
	if errors.As(err, &apiErr) {
		return cmp.Or(apiErr.Message, apiErr.OAuthDescription, "no reason given")
	}
	return "no reason given"
}

// ErrorText is what the pages show about a failed upstream read (the sync, a refresh): what failed, in words,
// without internals.
func ErrorText(err error) string {
	switch {
	case errors.Is(err, smarthome.ErrUnauthorized):
		return "the Smart Home service rejected our credentials (check SMARTHOME_USERNAME and SMARTHOME_PASSWORD)"
	case errors.Is(err, smarthome.ErrRateLimited):
		return "the Smart Home service is rate limiting us; the next sync will try again"
	case Class(err) != "":
		return faultText(Class(err))
	case errors.Is(err, smarthome.ErrUnavailable):
		return "the Smart Home service is failing (server errors)"
	}
	var apiErr *smarthome.ErrorResponse
	if errors.As(err, &apiErr) {
		return fmt.Sprintf("the Smart Home service answered %d: %s", apiErr.StatusCode, clip.String(Message(err), 200))
	}
	return "the Smart Home service could not be read: " + clip.String(err.Error(), 200)
}

// faultText is the fault classification in the words of the sync status ("Last sync failed: …").
func faultText(c FaultClass) string {
	switch c {
	case Timeout:
		return "the Smart Home service did not answer in time"
	case Disconnected:
		return "the connection to the Smart Home service broke before it answered"
	}
	return "the Smart Home service could not be reached"
}
