package handlers

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/db"
)

// TestActivityExport: CSV and JSON hold exactly the filtered view, in order, with spreadsheet formulas defused.
func TestActivityExport(t *testing.T) {
	t.Parallel()
	f := newLogFixture(t)
	f.deliver(t, deviceEvent(f.lockA, f.hubA, "Unlock", "", `=HYPERLINK("http://x")`, f.start.Add(time.Hour)))
	c := f.signedInClient(t, db.RoleAuditor)
	q := url.Values{"device": {f.lockA.ID}}
	var want []string
	next := "/activities?" + q.Encode()
	for next != "" { // every page of the view
		r := f.get(t, c, next)
		want = append(want, activityRowIDs(r)...)
		next = byTestID(r.doc, "page-next").AttrOr("href", "")
	}
	csvResp := f.get(t, c, "/activities/export?format=csv&"+q.Encode())
	wantStatus(t, csvResp, http.StatusOK)
	if cd := csvResp.header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.HasSuffix(cd, `.csv"`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	recs, err := csv.NewReader(strings.NewReader(csvResp.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != strings.Join(exportColumns, ",") {
		t.Errorf("header %v", recs[0])
	}
	var got []string
	for _, r := range recs[1:] {
		got = append(got, r[0])
		if strings.HasPrefix(r[16], "=") {
			t.Errorf("formula left live in the who column: %q", r[16])
		}
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("csv ids %v, list ids %v", got, want)
	}

	jsonResp := f.get(t, c, "/activities/export?format=json&device_type=lock&message_type=low_battery")
	var recsJSON []exportRecord
	if err := json.Unmarshal([]byte(jsonResp.body), &recsJSON); err != nil {
		t.Fatalf("json export: %v\n%.300s", err, jsonResp.body)
	}
	if len(recsJSON) != 4 || string(recsJSON[0].DetailsRaw) != "27" || recsJSON[0].Details != "27" || recsJSON[0].TimeZone == "" {
		t.Errorf("json export %+v", recsJSON)
	}
	empty := f.get(t, c, "/activities/export?format=json&who=nobody")
	if strings.TrimSpace(empty.body) != "[]" {
		t.Errorf("empty json export %q", empty.body)
	}
	if r := f.get(t, c, "/activities/export?format=xml"); r.status != http.StatusBadRequest {
		t.Errorf("format=xml: %d", r.status)
	}
	entries, err := f.store.ListAudit(t.Context(), db.AuditFilter{Action: "activities.export"})
	if err != nil || len(entries) < 3 {
		t.Errorf("exports audited: %d (%v)", len(entries), err)
	}
}
