package smarthome_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

// TestContractHubActivityRules walks every 422/403 rule of reference §11. The rules the client checks before
// sending are sent raw as well, with the same token, and must be refused by the simulator too.
func TestContractHubActivityRules(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	token := e.token(c)
	s := e.site(c, 101)
	today := s.localNow(e)
	day := func(n int) time.Time { return today.AddDate(0, 0, n) }
	both := []string{smarthome.EventAddDevice, smarthome.EventRemoveDevice}
	foreign, _ := e.foreign()
	f := smarthome.ActivityDateLayout
	tests := []struct {
		name   string
		hub    string
		q      *smarthome.ActivityQuery // nil: a rule only a raw request can break
		raw    url.Values               // the same query on the wire (nil: not sent raw)
		local  bool                     // the client refuses it before sending
		status int                      // the simulator's answer to the raw request or to the client
		msg    string
	}{
		{"events missing", s.hub.ID, &smarthome.ActivityQuery{}, url.Values{}, true, 422, "events is required"},
		{"events empty", s.hub.ID, nil, url.Values{"events": {""}}, false, 422, "events is required"},
		{"event not allowed", s.hub.ID, &smarthome.ActivityQuery{Events: []string{"add_device", "reboot"}},
			url.Values{"events": {"add_device,reboot"}}, true, 422, `Invalid event "reboot"`},
		{"only from_date", s.hub.ID, &smarthome.ActivityQuery{From: day(-1), Events: both},
			url.Values{"events": {"add_device"}, "from_date": {day(-1).Format(f)}}, true, 422, "must be given together"},
		{"only to_date", s.hub.ID, &smarthome.ActivityQuery{To: day(0), Events: both},
			url.Values{"events": {"add_device"}, "to_date": {day(0).Format(f)}}, true, 422, "must be given together"},
		{"date not MM/DD/YYYY", s.hub.ID, nil, url.Values{"events": {"add_device"},
			"from_date": {day(-1).Format(time.DateOnly)}, "to_date": {day(0).Format(time.DateOnly)}}, false, 422, "MM/DD/YYYY"},
		{"from after to", s.hub.ID, &smarthome.ActivityQuery{From: day(0), To: day(-1), Events: both},
			url.Values{"events": {"add_device"}, "from_date": {day(0).Format(f)}, "to_date": {day(-1).Format(f)}},
			true, 422, "from_date must not be after to_date"},
		{"longer than a week", s.hub.ID, &smarthome.ActivityQuery{From: day(-8), To: day(0), Events: both},
			url.Values{"events": {"add_device"}, "from_date": {day(-8).Format(f)}, "to_date": {day(0).Format(f)}},
			true, 422, "longer than one week"},
		{"exactly a week", s.hub.ID, &smarthome.ActivityQuery{From: day(-7), To: day(0), Events: both}, nil, false, 200, ""},
		{"unknown hub", "no-such-hub", &smarthome.ActivityQuery{Events: both}, nil, false, 403, "Hub not found"},
		{"other company's hub", foreign, &smarthome.ActivityQuery{Events: both}, nil, false, 403, "do not have access"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.raw != nil {
				e.wantRaw(token, "GET", "/api/hubs/"+tt.hub+"/desired_activities?"+tt.raw.Encode(), nil, tt.status, tt.msg)
			}
			if tt.q == nil {
				return
			}
			before := c.rec.total()
			got, _, err := c.Hubs.DesiredActivities(t.Context(), tt.hub, *tt.q)
			switch {
			case tt.local:
				checkLocal(t, c, before, err)
			case tt.status == 403:
				checkErr(t, err, smarthome.ErrForbidden, tt.msg)
			default:
				must(t, err)
				if len(got) != 2 || got[smarthome.EventAddDevice] == nil || got[smarthome.EventRemoveDevice] == nil {
					t.Errorf("activities keyed %v, want both requested events", keys(got))
				}
			}
		})
	}
}

func TestContractHubActivities(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	s := e.site(c, richSite)
	q := smarthome.ActivityQuery{Events: []string{smarthome.EventAddDevice, smarthome.EventRemoveDevice}}

	res, _, err := c.Hubs.Command(ctx, s.hub.ID, smarthome.HubCommand{Command: smarthome.HubAddDevice})
	must(t, err)
	e.advance(commandDelay)
	m, _, err := c.Hubs.MQTTResponse(ctx, s.hub.ID)
	must(t, err)
	if m.CommandID != res.CommandID {
		t.Fatalf("mqtt %+v", m)
	}
	got, _, err := c.Hubs.DesiredActivities(ctx, s.hub.ID, q)
	must(t, err)
	if len(got[smarthome.EventAddDevice]) != 1 || len(got[smarthome.EventRemoveDevice]) != 0 {
		t.Fatalf("activities %+v: want the one inclusion of this week", got)
	}
	added := got[smarthome.EventAddDevice][0]
	if added.DeviceType != "switch" || added.NodeID == "" || added.DeviceID == "" || !added.ActivityTime.Equal(e.sim.Now()) {
		t.Errorf("add_device %+v at %v", added, e.sim.Now())
	}

	_, _, err = c.Hubs.Command(ctx, s.hub.ID, smarthome.HubCommand{Command: smarthome.HubRemoveDevice, NodeID: added.NodeID.String()})
	must(t, err)
	e.advance(commandDelay)
	got, _, err = c.Hubs.DesiredActivities(ctx, s.hub.ID, smarthome.ActivityQuery{Events: []string{smarthome.EventRemoveDevice}})
	must(t, err)
	if len(got) != 1 || len(got[smarthome.EventRemoveDevice]) != 1 || got[smarthome.EventRemoveDevice][0].DeviceID != added.DeviceID {
		t.Errorf("remove_device activities %+v, want the excluded %s only", got, added.DeviceID)
	}
}

// TestContractCompanyChange: an agent sees a transferred hub's activities only from its company_change_date; a
// window entirely before it is 403, one overlapping it is clipped (reference §11).
func TestContractCompanyChange(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	s := e.site(c, 101)
	today := s.localNow(e)
	noon := func(n int) time.Time {
		d := today.AddDate(0, 0, n)
		return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, s.loc)
	}
	e.editHub(s.hub.ID, func(h map[string]any) {
		h["company_change_date"] = noon(-2).Format(time.DateOnly)
		h["activities"] = []map[string]any{
			{"event": "add_device", "node_id": "41", "device_id": "before-change", "device_type": "switch", "device_name": "Old", "at": noon(-4)},
			{"event": "add_device", "node_id": "42", "device_id": "after-change", "device_type": "switch", "device_name": "New", "at": noon(-1)},
		}
	})
	h, _, err := c.Hubs.Get(t.Context(), s.hub.ID)
	must(t, err)
	if h.CompanyChangeDate == nil || *h.CompanyChangeDate != noon(-2).Format(time.DateOnly) {
		t.Fatalf("company_change_date %v", h.CompanyChangeDate)
	}
	tests := []struct {
		name     string
		from, to int // days from today
		want     []string
		target   error
	}{
		{"all before the change", -6, -3, nil, smarthome.ErrForbidden},
		{"overlapping the change", -6, 0, []string{"after-change"}, nil},
		{"after the change", -1, 0, []string{"after-change"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := c.Hubs.DesiredActivities(t.Context(), s.hub.ID, smarthome.ActivityQuery{
				From: noon(tt.from), To: noon(tt.to), Events: []string{smarthome.EventAddDevice}})
			if tt.target != nil {
				checkErr(t, err, tt.target, "do not have access to this hub's activities before")
				return
			}
			must(t, err)
			var ids []string
			for _, a := range got[smarthome.EventAddDevice] {
				ids = append(ids, a.DeviceID)
			}
			if len(ids) != len(tt.want) || (len(ids) > 0 && ids[0] != tt.want[0]) {
				t.Errorf("devices %v, want %v", ids, tt.want)
			}
		})
	}
}

func TestContractDeviceActivities(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	s := e.site(c, 101)
	lock := s.first(t, "lock")
	_, err := c.Devices.Command(ctx, lock.ID, smarthome.LockCommand(false))
	must(t, err)
	e.advance(commandDelay)

	got, _, err := c.Devices.DesiredActivities(ctx, lock.ID, smarthome.ActivityQuery{Events: []string{"Unlock", "lock"}})
	must(t, err)
	unlocks := got["Unlock"]
	if len(got) != 2 || len(unlocks) != 1 || len(got["Lock"]) != 0 {
		t.Fatalf("activities %+v: want keys Unlock and Lock (matched case-insensitively), one unlock", got)
	}
	if u := unlocks[0]; u.MessageType != "Unlock" || u.User != "App" || u.Details != "" || !u.ActivityTime.Equal(e.sim.Now()) {
		t.Errorf("unlock %+v", u)
	}
	today := s.localNow(e)
	_, _, err = c.Devices.DesiredActivities(ctx, lock.ID, smarthome.ActivityQuery{From: today.AddDate(0, 0, -7), To: today,
		Events: []string{"switch_on"}})
	checkErr(t, err, smarthome.ErrValidation, `Invalid event "switch_on"`)
	_, _, err = c.Devices.DesiredActivities(ctx, "no-such-device", smarthome.ActivityQuery{Events: []string{"Lock"}})
	checkErr(t, err, smarthome.ErrNotFound, "Device not found")

	before := c.rec.total()
	_, _, err = c.Devices.DesiredActivities(ctx, lock.ID, smarthome.ActivityQuery{From: today})
	checkLocal(t, c, before, err)
	e.wantRaw(e.token(c), "GET", "/api/devices/"+lock.ID+"/desired_activities?from_date="+today.Format(smarthome.ActivityDateLayout),
		nil, 422, "events is required")
}
