package metrics

import (
	"context"
	"errors"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// value returns the counter, gauge or histogram count of the series of name with exactly labels.
func value(t *testing.T, m *Metrics, name string, labels ...string) float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			if !hasLabels(s, labels) {
				continue
			}
			switch {
			case s.Counter != nil:
				return s.GetCounter().GetValue()
			case s.Gauge != nil:
				return s.GetGauge().GetValue()
			case s.Histogram != nil:
				return float64(s.GetHistogram().GetSampleCount())
			}
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return 0
}

func hasLabels(s *dto.Metric, kv []string) bool {
	got := map[string]string{}
	for _, l := range s.GetLabel() {
		got[l.GetName()] = l.GetValue()
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if got[kv[i]] != kv[i+1] {
			return false
		}
	}
	return true
}

type nopCommands struct{ told int }

func (n *nopCommands) ListChanged(context.Context, db.Command)                      { n.told++ }
func (n *nopCommands) DeviceChanged(context.Context, db.Device)                     {}
func (n *nopCommands) MQTTChanged(context.Context, db.Hub, *smarthome.MQTTResponse) {}

func TestSeams(t *testing.T) {
	t.Parallel()
	m := New()
	ctx := context.Background()
	m.Opened(ctx, db.Alert{})
	m.Opened(ctx, db.Alert{})
	m.Resolved(ctx, db.Alert{})
	next := &nopCommands{}
	cmds := m.Commands(next)
	cmds.ListChanged(ctx, db.Command{Status: db.CommandPending})
	cmds.ListChanged(ctx, db.Command{Status: db.CommandFailed})
	cmds.ListChanged(ctx, db.Command{Status: "weird"})
	m.Webhook("stored")
	m.Webhook("no such result") // not a label value: ignored, never a new series
	m.IngestBatch(3, time.Millisecond, true)
	m.IngestBatch(3, time.Millisecond, false)
	m.SyncRun(db.SyncRun{OK: false})
	m.UpstreamCall(smarthome.Call{Method: "GET", Route: "/api/hubs", Outcome: "ok"})
	m.Login(errors.New("refused"))
	m.HTTPRequest("", 403, time.Millisecond, false)
	m.HTTPRequest("GET /events", 200, time.Hour, true)

	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"dashboard_alerts_total", []string{"event", "opened"}, 2},
		{"dashboard_alerts_total", []string{"event", "resolved"}, 1},
		{"dashboard_commands_total", []string{"status", "pending"}, 1},
		{"dashboard_commands_total", []string{"status", "failed"}, 1},
		{"dashboard_commands_total", []string{"status", "other"}, 1},
		{"dashboard_webhook_deliveries_total", []string{"result", "accepted"}, 1},
		{"dashboard_webhook_deliveries_total", []string{"result", "kept"}, 0},
		{"dashboard_ingest_batch_size", nil, 1},
		{"dashboard_ingest_batch_failures_total", nil, 1},
		{"dashboard_sync_runs_total", []string{"outcome", "failed"}, 1},
		{"dashboard_sync_last_success_age_seconds", nil, -1},
		{"dashboard_upstream_requests_total", []string{"method", "GET", "route", "/api/hubs", "outcome", "ok"}, 1},
		{"dashboard_upstream_logins_total", []string{"outcome", "failed"}, 1},
		{"dashboard_http_requests_total", []string{"route", "unmatched", "status", "403"}, 1},
		{"dashboard_http_requests_total", []string{"route", "GET /events", "status", "200"}, 1},
	} {
		if got := value(t, m, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if next.told != 3 {
		t.Errorf("the wrapped notifier was told %d times, want 3", next.told)
	}
	if at, err := m.LastLogin(); at.IsZero() || err == nil {
		t.Errorf("LastLogin = %v, %v; want the failed login", at, err)
	}
	m.Gauge("dashboard_test_gauge", "twice is fine", func() float64 { return 1 })
	m.Gauge("dashboard_test_gauge", "twice is fine", func() float64 { return 2 })
	if got := value(t, m, "dashboard_test_gauge"); got != 1 {
		t.Errorf("gauge registered twice reads %v, want the first's 1", got)
	}
	var nilM *Metrics // code built without metrics records nothing and does not panic
	nilM.HTTPRequest("GET /", 200, 0, false)
	nilM.Webhook("stored")
	nilM.Login(nil)
	nilM.Commands(next).ListChanged(ctx, db.Command{})
	nilM.Gauge("x", "y", func() float64 { return 0 })
}
