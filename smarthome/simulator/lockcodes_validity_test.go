package simulator

import (
	"strings"
	"testing"
)

// TestLockCodeUpdateValidityFields: an update naming validity_type brings that type's fields itself (the old type's
// dates or schedule are not carried over), and fields the merged type does not use are refused with 422. The steps
// run in order on one code, each starting from the state the previous one left.
func TestLockCodeUpdateValidityFields(t *testing.T) {
	t.Parallel()
	e := start(t, Options{})
	agent := e.installer()
	id := createCode(e, agent, e.firstOf("lock").ID, "246813")
	steps := []struct {
		name      string
		body      string
		msg       string // a 422's message; empty for a 200
		wantType  string
		wantDates bool
		wantSched int
	}{
		{"period to never expires drops the dates", `{"validity_type":"Never Expires"}`, "", validityNever, false, 0},
		{"a date on never expires", `{"from_date":"2030-01-01 10-00"}`, "only allowed for Specific Period", "", false, 0},
		{"a schedule on never expires", `{"schedule_details_info":[{"wd":["1"],"f":"09:00","t":"10:00"}]}`,
			"schedule_details_info is only allowed", "", false, 0},
		{"daily entry with d", `{"validity_type":"Daily Repeating","schedule_details_info":[{"d":1,"wd":["1"],"f":"09:00","t":"10:00"}]}`,
			"takes wd, not d", "", false, 0},
		{"daily repeating", `{"validity_type":"Daily Repeating","schedule_details_info":[{"wd":["1","3"],"f":"09:00","t":"10:00"}]}`,
			"", validityDaily, false, 1},
		{"by day of week brings no entries", `{"validity_type":"By Day of Week"}`, "schedule_details_info is required", "", false, 0},
		{"daily to period drops the schedule",
			`{"validity_type":"Specific Period","from_date":"2030-01-01 10-00","to_date":"2030-01-02 10-00"}`, "", validityPeriod, true, 0},
	}
	for _, st := range steps {
		if st.msg != "" {
			if b := e.call("PUT", "/api/lock_codes/"+id, agent, st.body, 422, nil); !strings.Contains(string(b), st.msg) {
				t.Errorf("%s: %s, want a message with %q", st.name, b, st.msg)
			}
			continue
		}
		var lc lockCodeJSON
		e.call("PUT", "/api/lock_codes/"+id, agent, st.body, 200, &lc)
		if lc.ValidityType != st.wantType || (lc.FromDate != nil && *lc.FromDate != "") != st.wantDates || len(lc.Schedule) != st.wantSched {
			t.Errorf("%s: got %s, dates %v..%v, schedule %v", st.name, lc.ValidityType, lc.FromDate, lc.ToDate, lc.Schedule)
		}
	}
}
