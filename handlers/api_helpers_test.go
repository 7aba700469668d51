package handlers

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/keyless/dashboard/db"
)

// apiResponse is one answer of the JSON API.
type apiResponse struct {
	status int
	header http.Header
	body   string
}

// decode unmarshals the body into v, failing the test on anything but JSON.
func (r apiResponse) decode(t *testing.T, v any) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q, want application/json\n%.500s", ct, r.body)
	}
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("body is not JSON: %v\n%.500s", err, r.body)
	}
}

// errorCode is the error.code of a JSON error answer.
func (r apiResponse) errorCode(t *testing.T) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	r.decode(t, &e)
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("error without code or message: %s", r.body)
	}
	return e.Error.Code
}

// apiList is a list answer with raw items.
type apiListBody struct {
	Data       []json.RawMessage `json:"data"`
	Next       *string           `json:"next"`
	NextCursor *string           `json:"next_cursor"`
}

// createAPIToken creates a token through the admins' page and returns the secret the answer shows once.
func (e *testEnv) createAPIToken(t *testing.T, admin *http.Client, name string, role db.Role) string {
	t.Helper()
	r := e.postForm(t, admin, "/api-tokens", url.Values{"name": {name}, "role": {string(role)}})
	wantStatus(t, r, http.StatusOK)
	return strings.TrimSpace(one(t, r.doc, "api-token-secret").Text())
}

// apiGet calls the API with token as the bearer ("" sends no Authorization header) and the extra headers.
func (e *testEnv) apiGet(t *testing.T, token, path string, hdrs ...http.Header) apiResponse {
	t.Helper()
	return e.apiDo(t, http.DefaultClient, http.MethodGet, token, path, hdrs...)
}

func (e *testEnv) apiDo(t *testing.T, c *http.Client, method, token, path string, hdrs ...http.Header) apiResponse {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range hdrs {
		for k, vs := range h {
			req.Header[http.CanonicalHeaderKey(k)] = vs
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return apiResponse{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// wantAPIStatus fails unless r has status want.
func wantAPIStatus(t *testing.T, r apiResponse, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d\n%.1000s", r.status, want, r.body)
	}
}

// apiAll follows next from path until the last page and returns every item.
func (e *testEnv) apiAll(t *testing.T, token, path string) []json.RawMessage {
	t.Helper()
	var all []json.RawMessage
	for pages := 0; path != ""; pages++ {
		if pages > 1000 {
			t.Fatal("next never ends")
		}
		r := e.apiGet(t, token, path)
		wantAPIStatus(t, r, http.StatusOK)
		var l apiListBody
		r.decode(t, &l)
		all = append(all, l.Data...)
		path = ""
		if l.Next != nil {
			path = *l.Next
		}
	}
	return all
}

// apiAuditRows is the audit log's api.read rows of the token with id.
func (e *testEnv) apiAuditRows(t *testing.T, tokenID string) []db.AuditEntry {
	t.Helper()
	rows, err := e.store.SearchAudit(t.Context(), db.AuditSearch{AuditFilter: db.AuditFilter{Action: "api.read",
		TargetType: "api_token", TargetID: tokenID, Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
