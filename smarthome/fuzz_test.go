package smarthome

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// seedWebhooks adds every documented example to a fuzz corpus.
func seedWebhooks(f *testing.F, add func(body []byte)) {
	files, err := filepath.Glob("testdata/webhooks/*.json")
	if err != nil || len(files) == 0 {
		f.Fatalf("no webhook examples: %v", err)
	}
	for _, name := range files {
		body, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		add(body)
	}
}

func FuzzParseEvent(f *testing.F) {
	seedWebhooks(f, func(body []byte) { f.Add(body) })
	f.Add([]byte(`{"hub_id": 1, "message_type": 2, "activity_time": "1", "details": {"a": [1]}, "x": null}`))
	f.Add([]byte(`{"hub_id": "h", "message_type": "m", "activity_time": "9999-12-31 23:59:59 UTC"}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := ParseEvent(body)
		if err != nil {
			if ev != nil {
				t.Fatal("an event next to an error")
			}
			return
		}
		if ev.HubID == "" || ev.MessageType == "" {
			t.Fatalf("accepted an event without hub_id or message_type: %q", body)
		}
		if !bytes.Equal(ev.Raw, body) {
			t.Fatal("Raw differs from the input")
		}
		// None of these may panic on anything ParseEvent accepted.
		_ = Kind(ev)
		_ = ev.DetailsString()
		_ = ev.EffectiveDeviceType()
		if _, err := ev.ActivityTime.MarshalJSON(); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzVerifySignature(f *testing.F) {
	now := time.Unix(1764417600, 0)
	seedWebhooks(f, func(body []byte) {
		f.Add("msg_1", "1764417600", Sign("msg_1", now, body, swSecret), body, swSecret)
	})
	f.Add("", "", "", []byte{}, "")
	f.Add("id", "-1", "v1,", []byte("x"), "whsec_")
	f.Add("id", "1764417600", "v1,==== v1 v1,AAAA", []byte("x"), "whsec_%%%")
	f.Fuzz(func(t *testing.T, id, ts, sig string, body []byte, secret string) {
		h := http.Header{}
		h.Set(HeaderWebhookID, id)
		h.Set(HeaderWebhookTimestamp, ts)
		h.Set(HeaderWebhookSignature, sig)
		err := VerifySignature(h, body, []string{secret}, now)
		// Whatever the input, signing it properly must verify (when the headers are usable at all).
		if id == "" || ts != "1764417600" || secret == "" {
			return
		}
		if err == nil {
			return
		}
		h.Set(HeaderWebhookSignature, Sign(id, now, body, secret))
		if err := VerifySignature(h, body, []string{secret}, now); err != nil {
			t.Fatalf("a freshly signed body failed: %v", err)
		}
	})
}
