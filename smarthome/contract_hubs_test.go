package smarthome_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

func TestContractHubsList(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	all, resp, err := c.Hubs.List(t.Context(), &smarthome.ListOptions{PerPage: 100})
	must(t, err)
	// One hub per property plus three unassigned ones; the other company's hub stays hidden.
	if want := contractProperties + 3; len(all) != want || resp.TotalRecords != want {
		t.Fatalf("%d hubs (total %d), want %d", len(all), resp.TotalRecords, want)
	}
	first := all[0]
	street := strings.SplitN(first.HomeName, ", ", 2)[1] // "30001, 12 Maple Court" → "12 Maple Court"
	tests := []struct {
		name      string
		opts      smarthome.ListOptions
		wantSer   []string
		wantTotal int
	}{
		{"by home name, any case", smarthome.ListOptions{SearchKey: strings.ToLower(street)}, []string{"30001"}, 1},
		{"by serial", smarthome.ListOptions{SearchKey: "30004"}, []string{"30004"}, 1},
		{"by serial prefix", smarthome.ListOptions{SearchKey: "9000"}, []string{"90001", "90002", "90003"}, 3},
		{"other company's hub not found", smarthome.ListOptions{SearchKey: "95001"}, nil, 0},
		{"paged", smarthome.ListOptions{Page: 5, PerPage: 2}, []string{"90003"}, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, resp, err := c.Hubs.List(t.Context(), &tt.opts)
			must(t, err)
			var serials []string
			for _, h := range got {
				serials = append(serials, h.SerialNo.String())
			}
			if !slices.Equal(serials, tt.wantSer) || resp.TotalRecords != tt.wantTotal {
				t.Errorf("serials %v total %d, want %v %d", serials, resp.TotalRecords, tt.wantSer, tt.wantTotal)
			}
		})
	}
	t.Run("summary fields", func(t *testing.T) {
		loc, err := time.LoadLocation(first.TimeZone)
		must(t, err)
		from, err := smarthome.ParseHubActiveTime(first.ActiveFrom, loc)
		must(t, err)
		to, err := smarthome.ParseHubActiveTime(first.ActiveTo, loc)
		must(t, err)
		if !first.Online() || !first.IsActive || first.UserType != "admin" || first.ID == "" || !from.Before(to) ||
			first.PropertyID == nil || *first.PropertyID != 101 || len(first.MasterCode.Reveal()) != 6 ||
			first.AllowedHubCodes.Int() != 250 || !strings.Contains(first.TopicName, "30001") || first.Address == "" {
			t.Errorf("summary %+v", first)
		}
		if spare := all[len(all)-1]; spare.PropertyID != nil || spare.SerialNo != "90003" {
			t.Errorf("unassigned hub %s: property %v", spare.SerialNo, spare.PropertyID)
		}
	})
	t.Run("offline hub", func(t *testing.T) {
		hub := all[5] // serial 30006
		must(t, e.sim.SetHubOnline(hub.ID, false))
		got, _, err := c.Hubs.List(t.Context(), &smarthome.ListOptions{SearchKey: hub.SerialNo.String()})
		must(t, err)
		if len(got) != 1 || got[0].Status != "Offline" || got[0].Online() {
			t.Errorf("listed %+v, want it Offline", got)
		}
		h, _, err := c.Hubs.Get(t.Context(), hub.ID)
		must(t, err)
		if h.Status.Online == nil || *h.Status.Online || h.Status.ReadyForBleCmds {
			t.Errorf("detail status online %v, ready %t", h.Status.Online, h.Status.ReadyForBleCmds)
		}
	})
}

func TestContractHubGet(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	list, _, err := c.Hubs.List(ctx, &smarthome.ListOptions{SearchKey: "30001"})
	must(t, err)
	sum := list[0]
	s := e.site(c, 101)
	h := s.hub
	if h.ID != sum.ID || h.HomeName != sum.HomeName || h.SerialNo != sum.SerialNo || h.Address != sum.Address ||
		h.TimeZone != sum.TimeZone || h.MasterCode != sum.MasterCode || *h.PropertyID != 101 {
		t.Errorf("detail %+v disagrees with summary %+v", h, sum)
	}
	if h.Settings.TimeZone != h.TimeZone || h.Settings.Monitoring != "disarm" {
		t.Errorf("settings %+v", h.Settings)
	}
	if _, err := time.Parse(smarthome.HubAssignedDateLayout, h.AssignedDate); err != nil {
		t.Errorf("assigned_date: %v", err)
	}
	st := h.Status
	beat, err := st.HeartBeatTime()
	must(t, err)
	if beat.After(e.sim.Now()) || e.sim.Now().Sub(beat) > time.Minute {
		t.Errorf("heartBeat %v, want within the last minute of %v", beat, e.sim.Now())
	}
	nodes := 0
	for _, devs := range s.devs {
		for _, d := range devs {
			nodes++
			if got := st.AddDevice[d.RemoteDeviceID.String()]; len(got) == 0 || got[0] != d.DeviceType {
				t.Errorf("add_device[%s] = %v, want %s", d.RemoteDeviceID, got, d.DeviceType)
			}
		}
	}
	if st.Online == nil || !*st.Online || (st.PowerSource != "external" && st.PowerSource != "battery") ||
		len(st.NodeList) != nodes+1 || st.FwVer == "" || st.BoardType != "V3" || st.NetworkType != "cellular" ||
		st.SignalQuery == nil || st.SignalStrength == "" || st.Battery.Int() <= 0 || len(st.Raw) == 0 {
		t.Errorf("status %+v", st)
	}
	byProperty, _, err := c.Properties.Devices(ctx, 101)
	must(t, err)
	for typ, devs := range byProperty {
		if len(s.devs[typ]) != len(devs) || s.devs[typ][0].ID != devs[0].ID {
			t.Errorf("%s: the hub lists %d, the property %d", typ, len(s.devs[typ]), len(devs))
		}
	}
	_, _, err = c.Hubs.Get(ctx, "no-such-hub")
	checkErr(t, err, smarthome.ErrNotFound, "Hub not found")
	foreign, _ := e.foreign()
	_, _, err = c.Hubs.Get(ctx, foreign)
	checkErr(t, err, smarthome.ErrForbidden, "do not have access")
	devs, _, err := c.Hubs.Devices(ctx, foreign)
	checkErr(t, err, smarthome.ErrForbidden, "do not have access")
	if devs != nil {
		t.Errorf("devices %v next to an error", devs)
	}
}

func TestContractHubUpdate(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	s := e.site(c, 101)
	up, _, err := c.Hubs.Update(ctx, s.hub.ID, smarthome.HubUpdate{HomeName: smarthome.Ptr("Unit 7"),
		Address: smarthome.Ptr("7 New Street"), City: smarthome.Ptr("Reno"),
		Settings: &smarthome.HubSettingsUpdate{TimeZone: smarthome.Ptr("America/Los_Angeles")}})
	must(t, err)
	if up.HomeName != "Unit 7" || up.StreetAddress != "7 New Street" || up.City != "Reno" ||
		up.TimeZone != "America/Los_Angeles" || up.Settings.TimeZone != "America/Los_Angeles" || len(up.Status.Raw) == 0 {
		t.Errorf("updated %+v", up)
	}
	again, _, err := c.Hubs.Get(ctx, s.hub.ID)
	must(t, err)
	if again.HomeName != "Unit 7" || again.City != "Reno" {
		t.Errorf("Get after update: %+v", again)
	}
	tests := []struct {
		name   string
		client *apiClient
		upd    smarthome.HubUpdate
		target error
		msg    string
	}{
		{"bad zone", c, smarthome.HubUpdate{Settings: &smarthome.HubSettingsUpdate{TimeZone: smarthome.Ptr("Nowhere/Land")}},
			smarthome.ErrValidation, "settings.time_zone must be an IANA time zone"},
		{"empty home name", c, smarthome.HubUpdate{HomeName: smarthome.Ptr("")}, smarthome.ErrValidation, "home_name must be 1 to 200"},
		{"resident", e.resident(), smarthome.HubUpdate{HomeName: smarthome.Ptr("x")}, smarthome.ErrForbidden, "only available to agents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := tt.client.Hubs.Update(ctx, s.hub.ID, tt.upd)
			checkErr(t, err, tt.target, tt.msg)
		})
	}
	_, _, err = c.Hubs.Update(ctx, "no-such-hub", smarthome.HubUpdate{HomeName: smarthome.Ptr("x")})
	checkErr(t, err, smarthome.ErrNotFound, "Hub not found")
}

func TestContractResetMasterCode(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	s := e.site(c, 101)
	tests := []struct {
		name   string
		client *apiClient
		hub    string
		target error
		msg    string
	}{
		{"installer", c, s.hub.ID, nil, ""},
		{"leasing agent", e.leasing(), s.hub.ID, smarthome.ErrForbidden, "Only Hub Installer can reset master code"},
		{"resident", e.resident(), s.hub.ID, smarthome.ErrForbidden, "only available to agents"},
		{"unknown hub", c, "no-such-hub", smarthome.ErrNotFound, "Hub not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, err := tt.client.Hubs.ResetMasterCode(t.Context(), tt.hub)
			if tt.target != nil {
				checkErr(t, err, tt.target, tt.msg)
				return
			}
			must(t, err)
			h, _, err := c.Hubs.Get(t.Context(), tt.hub)
			must(t, err)
			if len(code.Reveal()) != 6 || code == s.hub.MasterCode || h.MasterCode != code {
				t.Errorf("new master code %q (hub now %q, was %q)", code.Reveal(), h.MasterCode.Reveal(), s.hub.MasterCode.Reveal())
			}
		})
	}
}

func TestContractCognitoCredentials(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	s := e.site(c, 101)
	cred, _, err := c.Hubs.CognitoCredentials(t.Context(), s.hub.ID)
	must(t, err)
	if !strings.HasPrefix(cred.IdentityID, "us-east-1:") || cred.Token == "" || strings.Contains(cred.String(), cred.Token) {
		t.Errorf("credentials %s (token empty: %t)", cred, cred.Token == "")
	}
	_, _, err = c.Hubs.CognitoCredentials(t.Context(), "no-such-hub")
	checkErr(t, err, smarthome.ErrNotFound, "Hub not found")
}
