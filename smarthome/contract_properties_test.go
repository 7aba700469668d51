package smarthome_test

import (
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/keyless/dashboard/smarthome"
	"github.com/keyless/dashboard/smarthome/simulator"
)

func TestContractPropertiesList(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	all, resp, err := c.Properties.List(t.Context(), nil)
	must(t, err)
	if len(all) != contractProperties || resp.TotalRecords != contractProperties || resp.Page != 1 || resp.PerPage != 25 {
		t.Fatalf("%d properties, paging %d/%d/%d; want %d on page 1 of 25", len(all), resp.TotalRecords, resp.Page,
			resp.PerPage, contractProperties)
	}
	city := all[0].City
	var inCity []int64
	for _, p := range all {
		if strings.Contains(strings.ToLower(p.Name+" "+p.Address), strings.ToLower(city)) {
			inCity = append(inCity, p.ID)
		}
	}
	tests := []struct {
		name      string
		opts      *smarthome.ListOptions
		wantIDs   []int64
		wantTotal int
		wantPer   int
	}{
		{"first page of 4", &smarthome.ListOptions{PerPage: 4}, []int64{101, 102, 103, 104}, 6, 4},
		{"second page of 4", &smarthome.ListOptions{Page: 2, PerPage: 4}, []int64{105, 106}, 6, 4},
		{"past the end", &smarthome.ListOptions{Page: 3, PerPage: 4}, nil, 6, 4},
		{"search by city, any case", &smarthome.ListOptions{SearchKey: strings.ToUpper(city)}, inCity, len(inCity), 25},
		{"search without match", &smarthome.ListOptions{SearchKey: "no such street"}, nil, 0, 25},
		{"page size capped", &smarthome.ListOptions{PerPage: 500}, []int64{101, 102, 103, 104, 105, 106}, 6, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, resp, err := c.Properties.List(t.Context(), tt.opts)
			must(t, err)
			var ids []int64
			for _, p := range got {
				ids = append(ids, p.ID)
			}
			if !slices.Equal(ids, tt.wantIDs) || resp.TotalRecords != tt.wantTotal || resp.PerPage != tt.wantPer {
				t.Errorf("ids %v total %d per_page %d, want %v %d %d", ids, resp.TotalRecords, resp.PerPage,
					tt.wantIDs, tt.wantTotal, tt.wantPer)
			}
		})
	}
	t.Run("negative page", func(t *testing.T) {
		before := c.rec.total()
		_, _, err := c.Properties.List(t.Context(), &smarthome.ListOptions{Page: -1})
		checkLocal(t, c, before, err)
		e.wantRaw(e.token(c), "GET", "/api/properties?page=-1", nil, 422, "page must be a positive integer")
	})
}

func TestContractPropertyCRUD(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	all, _, err := c.Properties.List(ctx, nil)
	must(t, err)
	got, _, err := c.Properties.Get(ctx, 101)
	must(t, err)
	if !reflect.DeepEqual(*got, all[0]) {
		t.Errorf("Get(101) = %+v, want the list's %+v", *got, all[0])
	}
	_, _, err = c.Properties.Get(ctx, 9999)
	checkErr(t, err, smarthome.ErrNotFound, "Property not found")

	req := smarthome.PropertyRequest{Name: smarthome.Ptr("Contract House"), StreetAddress: smarthome.Ptr("1 Test Way"),
		City: smarthome.Ptr("Austin"), State: smarthome.Ptr("TX"), Zipcode: smarthome.Ptr("78701"),
		TimeZone: smarthome.Ptr("America/Chicago"), Latitude: smarthome.Ptr("30.26"), Longitude: smarthome.Ptr("-97.74")}
	created, resp, err := c.Properties.Create(ctx, req)
	must(t, err)
	if resp.StatusCode != http.StatusCreated || created.ID != 107 || created.Address != "1 Test Way, Austin, TX, 78701" ||
		created.TimeZone != "America/Chicago" || created.Latitude != "30.26" || len(created.HubIDs) != 0 || created.CreatedAt.IsZero() {
		t.Errorf("created %d %+v", resp.StatusCode, created)
	}

	t.Run("create rules", func(t *testing.T) {
		bad := req
		bad.TimeZone = smarthome.Ptr("Mars/Olympus_Mons")
		_, _, err := c.Properties.Create(ctx, bad)
		checkErr(t, err, smarthome.ErrValidation, "time_zone must be an IANA time zone")

		noCity := req
		noCity.City = nil
		before := c.rec.total()
		_, _, err = c.Properties.Create(ctx, noCity)
		checkLocal(t, c, before, err)
		e.wantRaw(e.token(c), "POST", "/api/properties", noCity, 422, "city is required")

		_, _, err = e.resident().Properties.Create(ctx, req)
		checkErr(t, err, smarthome.ErrForbidden, "only available to agents")
	})
	t.Run("update", func(t *testing.T) {
		up, _, err := c.Properties.Update(ctx, created.ID, smarthome.PropertyRequest{Name: smarthome.Ptr("Renamed"),
			City: smarthome.Ptr("Dallas"), TimeZone: smarthome.Ptr("America/Denver")})
		must(t, err)
		if up.Name != "Renamed" || up.City != "Dallas" || up.TimeZone != "America/Denver" || up.StreetAddress != "1 Test Way" ||
			up.Address != "1 Test Way, Dallas, TX, 78701" || !up.UpdatedAt.Equal(e.sim.Now()) {
			t.Errorf("updated %+v", up)
		}
		_, _, err = c.Properties.Update(ctx, created.ID, smarthome.PropertyRequest{Name: smarthome.Ptr(" ")})
		checkErr(t, err, smarthome.ErrValidation, "name must not be empty")
		_, _, err = c.Properties.Update(ctx, 9999, smarthome.PropertyRequest{Name: smarthome.Ptr("x")})
		checkErr(t, err, smarthome.ErrNotFound, "Property not found")
	})
	t.Run("delete", func(t *testing.T) {
		_, err := c.Properties.Delete(ctx, created.ID)
		must(t, err)
		_, _, err = c.Properties.Get(ctx, created.ID)
		checkErr(t, err, smarthome.ErrNotFound, "Property not found")
		_, err = c.Properties.Delete(ctx, created.ID)
		checkErr(t, err, smarthome.ErrNotFound, "Property not found")
	})
	t.Run("delete cascades", func(t *testing.T) {
		s := e.site(c, 102)
		in := e.sim.Now().AddDate(0, 0, 1)
		res, _, err := c.Reservations.Create(ctx, smarthome.ReservationRequest{PropertyID: smarthome.Ptr(int64(102)),
			GuestName: smarthome.Ptr("Ana"), CheckIn: &in, CheckOut: smarthome.Ptr(in.AddDate(0, 0, 2))})
		must(t, err)
		_, err = c.Properties.Delete(ctx, 102)
		must(t, err)
		_, _, err = c.Reservations.Get(ctx, res.ID)
		checkErr(t, err, smarthome.ErrNotFound, "Reservation not found")
		e.advance(commandDelay)
		_, _, err = c.LockCodes.Get(ctx, res.LockCodeID)
		checkErr(t, err, smarthome.ErrNotFound, "Lock code not found")
		h, _, err := c.Hubs.Get(ctx, s.hub.ID)
		must(t, err)
		d, _, err := c.Devices.Get(ctx, s.first(t, "lock").ID)
		must(t, err)
		if h.PropertyID != nil || d.PropertyID != nil {
			t.Errorf("after delete: hub property %v, device property %v, want both unassigned", h.PropertyID, d.PropertyID)
		}
	})
}

// TestContractPropertyRequestStored: every field PropertyRequest sends on update is one the simulator stores; the
// address is not among them, since CONTRACT.md (Properties) derives it from street_address, city, state and zipcode.
func TestContractPropertyRequestStored(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	req := smarthome.PropertyRequest{Name: smarthome.Ptr("Other House"), StreetAddress: smarthome.Ptr("2 Other Road"),
		City: smarthome.Ptr("Dallas"), State: smarthome.Ptr("NM"), Zipcode: smarthome.Ptr("78702"),
		TimeZone: smarthome.Ptr("America/Denver"), Latitude: smarthome.Ptr("32.78"), Longitude: smarthome.Ptr("-96.8")}
	up, _, err := c.Properties.Update(t.Context(), 101, req)
	must(t, err)
	if up.Address != "2 Other Road, Dallas, NM, 78702" {
		t.Errorf("address %q, want it derived from the parts", up.Address)
	}
	wantStored(t, req, e.rawObject(e.token(c), "/api/properties/101"))
}

func TestContractPropertyDevices(t *testing.T) {
	t.Parallel()
	e := startContract(t, simulator.Options{})
	c := e.installer()
	ctx := t.Context()
	s := e.site(c, 101)
	byType, _, err := c.Properties.Devices(ctx, 101)
	must(t, err)
	assets, _, err := c.Properties.AssetsDeviceDetails(ctx, 101)
	must(t, err)
	if len(byType) == 0 || len(byType) != len(assets) {
		t.Fatalf("devices keyed %v, assets keyed %v", keys(byType), keys(assets))
	}
	for typ, devs := range byType {
		plural := assets[typ+"s"] // CONTRACT.md: device_type + "s"
		if len(plural) != len(devs) {
			t.Errorf("%s: %d devices, %d under assets key %q", typ, len(devs), len(plural), typ+"s")
		}
		for i, d := range devs {
			if d.DeviceType != typ || d.HubID != s.hub.ID || d.PropertyID == nil || *d.PropertyID != 101 {
				t.Errorf("%s device %s: type %q hub %s property %v", typ, d.ID, d.DeviceType, d.HubID, d.PropertyID)
			}
			if i < len(plural) && plural[i].ID != d.ID {
				t.Errorf("%s: assets lists %s where devices lists %s", typ, plural[i].ID, d.ID)
			}
		}
	}
	for _, f := range []func() error{
		func() error { _, _, err := c.Properties.Devices(ctx, 9999); return err },
		func() error { _, _, err := c.Properties.AssetsDeviceDetails(ctx, 9999); return err },
	} {
		checkErr(t, f(), smarthome.ErrNotFound, "Property not found")
	}
}
