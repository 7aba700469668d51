package simulator

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// signingKey applies the Standard Webhooks convention shared with the dashboard's receiver (CONTRACT.md, Webhooks):
// "whsec_<base64>" is decoded, any other secret is used as raw bytes.
func signingKey(secret string) []byte {
	if rest, ok := strings.CutPrefix(secret, "whsec_"); ok {
		if key, err := base64.StdEncoding.DecodeString(rest); err == nil && len(key) > 0 {
			return key
		}
	}
	return []byte(secret)
}

// sign returns the webhook-signature value: "v1," + base64(HMAC-SHA256(key, id.timestamp.body)).
func sign(key []byte, id, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + timestamp + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// post sends one attempt. Any 2xx is success; the timestamp (and so the signature) is fresh on every attempt, since a
// receiver rejects timestamps more than five minutes old.
func (dl *deliverer) post(ctx context.Context, rec *Delivery) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dl.url, bytes.NewReader(rec.Body))
	if err != nil {
		return 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "smarthome-simulator")
	if dl.key != nil {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		req.Header.Set("webhook-id", rec.ID)
		req.Header.Set("webhook-timestamp", ts)
		req.Header.Set("webhook-signature", sign(dl.key, rec.ID, ts, rec.Body))
	}
	resp, err := dl.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) { // its text repeats the URL, which may carry the receiver's ?token= secret
			err = ue.Err
		}
		return 0, fmt.Errorf("post: %w", err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("receiver answered %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}
