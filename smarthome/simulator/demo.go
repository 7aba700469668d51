package simulator

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// demoGen builds a portfolio from one seeded generator, so the same seed always gives the same ids and names.
type demoGen struct {
	r     *rand.Rand
	extra *rand.Rand // draws the seven later types, so adding them left the rest of the portfolio as it was
	st    *state
	now   time.Time
	zones zoneCache
	leaks []*device // leakage sensors, from which one or two leaks are picked
}

// generateDemo builds n properties, each with one hub and its devices, plus three unassigned hubs and one hub of
// another company. About 10% of hubs are offline and 10% of battery devices are below 20%.
func generateDemo(seed int64, n int, now time.Time) *state {
	g := &demoGen{r: rand.New(rand.NewPCG(uint64(seed), 0xde30)), extra: rand.New(rand.NewPCG(uint64(seed), 0xe7a5)),
		st: newState(seed), now: now}
	for i := range n {
		g.property(i)
	}
	for i := range 3 {
		h := g.hub(90001+int64(i), nil, demoCompany, true)
		g.device(h, "lock", "Spare Lock", 0)
		g.device(h, "switch", "Spare Switch", 0)
	}
	foreign := g.hub(95001, nil, otherCompany, true)
	g.device(foreign, "lock", "Front Door", 0)
	g.pickLeaks(n)
	g.st.NextProperty = 101 + int64(n)
	g.st.LastTick = now
	return g.st
}

func (g *demoGen) property(i int) {
	c := demoCities[i%len(demoCities)]
	street := demoStreets[g.r.IntN(len(demoStreets))] + " " + demoSuffixes[g.r.IntN(len(demoSuffixes))]
	number := 1 + g.r.IntN(9899)
	created := g.now.AddDate(0, 0, -30-g.r.IntN(700))
	p := &property{
		ID: 101 + int64(i), Name: fmt.Sprintf("%s %d", street, number),
		StreetAddress: fmt.Sprintf("%d %s", number, street), City: c.Name, State: c.State,
		Zipcode: fmt.Sprintf("%s%02d", c.ZipPrefix, g.r.IntN(100)), TimeZone: c.Zone,
		Latitude:  strconv.FormatFloat(c.Lat+g.r.Float64()*0.2-0.1, 'f', 4, 64),
		Longitude: strconv.FormatFloat(c.Lon+g.r.Float64()*0.2-0.1, 'f', 4, 64),
		CreatedAt: created, UpdatedAt: created,
	}
	g.st.Properties[p.ID] = p
	// The first property is the demo resident's home: keep it online so its devices always answer.
	h := g.hub(30001+int64(i), p, demoCompany, i == 0 || g.r.Float64() >= 0.1)
	if g.r.Float64() < 0.05 { // recently transferred from another company: activities before this are not ours
		h.CompanyChangeDate = g.now.In(g.zones.get(h.TimeZone)).AddDate(0, 0, -2-g.r.IntN(10)).Format("2006-01-02")
	}
	g.devices(h, p.ID)
	g.extraDevices(h, p.ID, i)
	if g.r.Float64() < 0.2 {
		kinds := []string{"lockbox", "blue", "smart_bolt"}
		serial := strconv.Itoa(700001 + i)
		g.st.Lockboxes[serial] = &lockbox{Serial: serial, Kind: kinds[i%3], PropertyID: p.ID, TimeZone: p.TimeZone}
	}
}

// hub creates a hub, at a property when p is not nil.
func (g *demoGen) hub(serial int64, p *property, company string, online bool) *hub {
	created := g.now.AddDate(0, 0, -30-g.r.IntN(700))
	h := &hub{
		ID: newUUID(g.r), Serial: serial, HomeName: strconv.FormatInt(serial, 10), TimeZone: "America/Chicago",
		Company: company, MasterCode: randomDigits(g.r, 6), Online: online, PowerSource: "external",
		Battery: 100, FwVer: fmt.Sprintf("2.4.%d", 3+g.r.IntN(5)), Model: "RHB-300",
		IMEI: "35" + randomDigits(g.r, 13), IMSI: "310" + randomDigits(g.r, 12), SignalStrength: 10 + g.r.IntN(22),
		HeartBeat: g.now.Add(-time.Duration(g.r.IntN(60)) * time.Second), LastRefresh: created,
		AssignedDate: created.Format("2006-01-02"), NextNode: 2, CreatedAt: created,
	}
	if !online {
		h.HeartBeat = g.now.Add(-time.Duration(1+g.r.IntN(48)) * time.Hour)
	}
	if g.r.Float64() < 0.05 {
		h.PowerSource, h.Battery = "battery", 40+g.r.IntN(60)
	}
	if p != nil {
		h.PropertyID, h.HomeName = p.ID, fmt.Sprintf("%d, %s", serial, p.StreetAddress)
		h.StreetAddress, h.City, h.State, h.Zipcode = p.StreetAddress, p.City, p.State, p.Zipcode
		h.TimeZone, h.Latitude, h.Longitude = p.TimeZone, p.Latitude, p.Longitude
	}
	g.st.Hubs[h.ID] = h
	return h
}

// devices gives a property's hub its locks, thermostat and a mix of switches and sensors.
func (g *demoGen) devices(h *hub, propertyID int64) {
	add := func(t string, names []string, n int) {
		for _, name := range names[:min(n, len(names))] {
			g.device(h, t, name, propertyID)
		}
	}
	add("lock", lockNames, 1+g.r.IntN(2))
	g.device(h, "thermostat", "Thermostat", propertyID)
	add("switch", switchNames, g.r.IntN(3))
	add("dimmable_switch", dimmerNames, g.r.IntN(2))
	add("leakage_sensor", leakNames, 1+g.r.IntN(2))
	add("contact_sensor", contactNames, g.r.IntN(3))
	add("motion_sensor", motionNames, g.r.IntN(2))
	if g.r.Float64() < 0.25 {
		add("door_bell", doorbellNames, 1)
	}
}

// extraTypes are the types a property may have besides the core set, with the share of properties that have one:
// smoke alarms in most homes, sirens and access panels (multi-unit entrances) in few.
var extraTypes = []struct {
	t     string
	share float64
}{{"smoke_alarm", 0.6}, {"lightbulb", 0.4}, {"garage_door", 0.3}, {"valve_controller", 0.3}, {"repeater", 0.2},
	{"siren", 0.1}, {"access_panel", 0.1}}

// extraDevices adds the later types from their own generator. Property i always gets extraTypes[i%7], so any
// portfolio of 7 properties or more has every type; the others come by their share.
func (g *demoGen) extraDevices(h *hub, propertyID int64, i int) {
	for k, e := range extraTypes {
		if g.extra.Float64() < e.share || i%len(extraTypes) == k {
			g.deviceFrom(g.extra, h, e.t, extraNames[e.t], propertyID)
		}
	}
}

// device adds one device to h with realistic state and an add_device entry in the hub's log.
func (g *demoGen) device(h *hub, t, name string, propertyID int64) {
	g.deviceFrom(g.r, h, t, name, propertyID)
}

// deviceFrom is device drawing from r.
func (g *demoGen) deviceFrom(r *rand.Rand, h *hub, t, name string, propertyID int64) {
	node := h.NextNode
	h.NextNode++
	added := h.CreatedAt.Add(time.Duration(node) * time.Minute)
	d := newDevice(r, h, t, name, node, added)
	d.PropertyID = propertyID
	if slices.Contains(batteryDeviceTypes, t) && d.PowerSource == "battery" {
		d.Battery = 40 + r.IntN(61)
		if r.Float64() < 0.1 {
			d.Battery = 5 + r.IntN(14)
		}
	}
	switch t {
	case "lock":
		d.Mode = []string{"locked", "locked", "locked", "unlocked"}[r.IntN(4)]
	case "thermostat":
		d.Mode = []string{"heat", "cool", "auto", "off"}[r.IntN(4)]
		d.HeatSetpoint, d.CoolSetpoint = 66+r.IntN(5), 74+r.IntN(5)
		d.RoomTemp, d.RoomHumidity = 64+r.IntN(16), 30+r.IntN(30)
	case "switch", "dimmable_switch", "lightbulb":
		d.Mode = []string{"on", "off", "off"}[r.IntN(3)]
		if t != "switch" && d.Mode == "on" {
			d.Power = 20 + 10*r.IntN(9)
		}
	case "garage_door":
		d.Mode = []string{"closed", "closed", "closed", "open"}[r.IntN(4)]
	case "contact_sensor":
		d.ContactOpen = r.Float64() < 0.1
	case "leakage_sensor":
		g.leaks = append(g.leaks, d)
	}
	g.st.Devices[d.ID] = d
	h.Activities = append(h.Activities, hubActivity{Event: "add_device", NodeID: strconv.Itoa(node), DeviceID: d.ID,
		DeviceType: t, DeviceName: name, At: added})
}

// pickLeaks marks one leak, or two in portfolios of 20 properties or more.
func (g *demoGen) pickLeaks(n int) {
	want := 1
	if n >= 20 {
		want = 2
	}
	for range min(want, len(g.leaks)) {
		i := g.r.IntN(len(g.leaks))
		g.leaks[i].Leak = true
		g.leaks = slices.Delete(g.leaks, i, i+1)
	}
}

// newDevice returns a device of type t with the defaults of its kind (used by the demo and by hub inclusion).
func newDevice(r *rand.Rand, h *hub, t, name string, node int, at time.Time) *device {
	models := deviceModels[t]
	m := deviceModel{Manufacturer: "Generic", Product: "Z-Wave Device", Model: "ZW-1"}
	if len(models) > 0 {
		m = models[r.IntN(len(models))]
	}
	d := &device{
		ID: newUUID(r), HubID: h.ID, PropertyID: h.PropertyID, Type: t, Name: name, OccupantSetting: name,
		NodeID: node, Manufacturer: m.Manufacturer, ProductName: m.Product, ModelNumber: m.Model,
		PowerSource: "main", Battery: 100, ZwaveSignal: 50 + r.IntN(50), Source: "physical",
		LogMinDate: at, CreatedAt: at,
	}
	if slices.Contains(batteryDeviceTypes, t) {
		d.PowerSource = "battery"
	}
	switch t {
	case "lock", "access_panel":
		d.Mode, d.MaxSlots, d.AutoLockTimer = "locked", max(m.MaxSlots, 1), 60
		d.AutoLock = t == "lock"
		d.Codes, d.SettingErrors = map[string]*string{}, map[string]string{}
	case "thermostat":
		d.Mode, d.Fan, d.HeatSetpoint, d.CoolSetpoint, d.RoomTemp, d.RoomHumidity = "off", "auto", 68, 76, 72, 45
	case "switch", "dimmable_switch", "lightbulb", "siren":
		d.Mode = "off"
	case "garage_door", "valve_controller":
		d.Mode = "closed"
		if t == "valve_controller" {
			d.Mode = "open"
		}
	}
	return d
}
