package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/apitoken"
)

// benchAPIRate lifts the JSON API's per-token limit in the bench child: the timings call back to back, and the
// bucket is still spent on every call, so its cost is measured.
var benchAPIRate = apitoken.Rate{Every: time.Millisecond, Burst: 1 << 20}

// benchAPIToken makes an auditor-scoped API token in the child's store, as an admin would on /api-tokens.
func benchAPIToken(ctx context.Context, store *db.Store) (string, error) {
	token, lookup, hash, err := apitoken.Generate()
	if err != nil {
		return "", err
	}
	_, err = store.CreateAPIToken(ctx, db.APIToken{Lookup: lookup, Hash: hash, Name: "bench", Role: db.RoleAuditor})
	return token, err
}

// timeAPI fetches GET /api/v1/activities (token check, rate limit, audit row, query, JSON) for a few filters and
// the second page of one, one call at a time, and reports p50 and p95.
func timeAPI(ctx context.Context, rd ready, runs int) ([]queryResult, error) {
	c := newClient(1)
	base := rd.API + "/api/v1/activities?"
	first, err := getAPIPage(ctx, c, base+"message_type=Unlock", rd.APIToken)
	if err != nil {
		return nil, err
	}
	calls := []struct{ name, query string }{
		{"newest, no filter", ""},
		{"property", "property=" + strconv.FormatInt(rd.Targets[0].PropertyID, 10)},
		{"event = Unlock", "message_type=Unlock"},
	}
	if first.NextCursor != nil {
		calls = append(calls, struct{ name, query string }{"event = Unlock, page 2 (cursor)",
			"message_type=Unlock&cursor=" + url.QueryEscape(*first.NextCursor)})
	}
	var out []queryResult
	for _, call := range calls {
		durs := make([]time.Duration, 0, runs)
		rows := 0
		for range runs {
			t0 := time.Now()
			pg, err := getAPIPage(ctx, c, base+call.query, rd.APIToken)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", call.name, err)
			}
			durs = append(durs, time.Since(t0))
			rows = len(pg.Data)
		}
		out = append(out, summarize(call.name, rows, durs))
	}
	return out, nil
}

// apiPage is the part of an API list answer the bench reads.
type apiPage struct {
	Data       []json.RawMessage `json:"data"`
	NextCursor *string           `json:"next_cursor"`
}

func getAPIPage(ctx context.Context, c *http.Client, u, token string) (apiPage, error) {
	var pg apiPage
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return pg, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return pg, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return pg, err
	}
	if resp.StatusCode != http.StatusOK {
		return pg, fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	return pg, json.Unmarshal(b, &pg)
}
