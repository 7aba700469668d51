package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/keyless/dashboard/domain/clip"
	"github.com/keyless/dashboard/smarthome"
)

// NewSecret returns a fresh endpoint secret: "whsec_" and the base64 of 24 random bytes, the Standard Webhooks
// form that smarthome.Sign (and any Standard Webhooks library) decodes to the HMAC key.
func NewSecret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // never fails (crypto/rand panics rather)
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// CheckEndpoint validates an endpoint's name and URL as an admin typed them and returns them trimmed, or the
// problems in words.
func CheckEndpoint(name, rawURL string) (string, string, []string) {
	name, rawURL = strings.TrimSpace(name), strings.TrimSpace(rawURL)
	var problems []string
	if name == "" || len([]rune(name)) > 100 || strings.IndexFunc(name, isControl) >= 0 {
		problems = append(problems, "Enter a name of 1 to 100 characters, without control characters.")
	}
	u, err := url.Parse(rawURL)
	switch {
	case rawURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		problems = append(problems, "Enter the receiver's full URL, starting with https:// (or http://).")
	case len(rawURL) > 2000:
		problems = append(problems, "The URL is longer than 2,000 characters.")
	case u.User != nil:
		problems = append(problems, "Leave user names and passwords out of the URL: receivers check the signature instead.")
	case u.Fragment != "":
		problems = append(problems, "Leave the #fragment out of the URL: it is never sent.")
	}
	return name, rawURL, problems
}

// sendWebhook POSTs body to url signed with secret (Standard Webhooks headers; id stays the same on every attempt
// of one notification, so a receiver can drop repeats). 2xx is delivered; any other answer or none is a failure.
func (d *Dispatcher) sendWebhook(ctx context.Context, target, secret, id string, body []byte) (int, string, error) {
	ctx, cancel := context.WithTimeout(ctx, WebhookTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, "", fmt.Errorf("bad endpoint URL: %w", err)
	}
	now := d.now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "keyless-dashboard-notify/1")
	req.Header.Set(smarthome.HeaderWebhookID, id)
	req.Header.Set(smarthome.HeaderWebhookTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(smarthome.HeaderWebhookSignature, smarthome.Sign(id, now, body, secret))
	resp, err := d.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // its text repeats the whole URL, which may carry a token in the query
			err = ue.Err
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s", WebhookTimeout)
		}
		return 0, "", err
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	reply := clip.String(strings.TrimSpace(string(head)), 300)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, reply, fmt.Errorf("the receiver answered %s", resp.Status)
	}
	return resp.StatusCode, reply, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' }

// backoff is the wait after the attempt-th failed attempt: FirstBackoff doubling, at most MaxBackoff.
func backoff(attempt int) time.Duration {
	wait := FirstBackoff
	for i := 1; i < attempt && wait < MaxBackoff; i++ {
		wait *= 2
	}
	return min(wait, MaxBackoff)
}
