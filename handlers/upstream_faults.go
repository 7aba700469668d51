package handlers

import (
	"net/http"

	"github.com/keyless/dashboard/domain/upstream"
)

// faultAdvice is what to do when a fault keeps happening: the two things an administrator can check.
const faultAdvice = " If this keeps happening, check the Smart Home service's status and the dashboard's " +
	"SMARTHOME_API_URL setting."

// faultAnswer is the status and the message a person gets for a fault: what failed, what it means for the change,
// and what to do. A timeout is 504 and says the change may still happen, since the request may have arrived.
func faultAnswer(c upstream.FaultClass) (int, string) {
	switch c {
	case upstream.Timeout:
		return http.StatusGatewayTimeout, "The Smart Home service could not be reached in time: it did not answer in " +
			"time. The request may not have reached it, or it may still be carried out, so check before trying again " +
			"in a minute." + faultAdvice
	case upstream.Disconnected:
		return http.StatusBadGateway, "The Smart Home service could not be reached: the connection broke before it " +
			"answered. The request may not have reached it, or it may still be carried out, so check before trying " +
			"again in a minute." + faultAdvice
	}
	return http.StatusBadGateway, "The Smart Home service could not be reached. Nothing was changed: the request " +
		"never got to it. Try again in a minute." + faultAdvice
}
