package mirror

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/smarthome"
)

// syncPage is the page size of upstream lists; the upstream caps it at 100.
const syncPage = 100

// fetch reads the whole portfolio into a snapshot. Any failure aborts it: a partial snapshot applied as a full sync
// would delete what it missed.
func (s *Syncer) fetch(ctx context.Context) (db.Snapshot, error) {
	var snap db.Snapshot
	props, err := collectPages(ctx, s, s.src.ListProperties)
	if err != nil {
		return snap, fmt.Errorf("list properties: %w", err)
	}
	for _, p := range props {
		snap.Properties = append(snap.Properties, Property(p))
	}
	hubs, err := collectPages(ctx, s, s.src.ListHubs)
	if err != nil {
		return snap, fmt.Errorf("list hubs: %w", err)
	}
	snap.Hubs = make([]db.Hub, len(hubs))
	devices := make([][]db.Device, len(hubs))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range s.opts.Workers {
		wg.Go(func() {
			for i := range jobs {
				if err := s.fetchHub(ctx, hubs[i], &snap.Hubs[i], &devices[i]); err != nil {
					cancel(err)
				}
			}
		})
	}
feed:
	for i := range hubs {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return snap, err
	}
	for _, ds := range devices {
		snap.Devices = append(snap.Devices, ds...)
	}
	unassignStrays(&snap)
	return snap, nil
}

// unassignStrays keeps a snapshot consistent when the upstream lists a hub or device under a property the agent
// cannot list (another company's, or one deleted mid-sync): it is mirrored as unassigned rather than failing the sync.
func unassignStrays(snap *db.Snapshot) {
	props := make(map[int64]bool, len(snap.Properties))
	for _, p := range snap.Properties {
		props[p.ID] = true
	}
	for i, h := range snap.Hubs {
		if h.PropertyID != nil && !props[*h.PropertyID] {
			snap.Hubs[i].PropertyID = nil
		}
	}
	for i, d := range snap.Devices {
		if d.PropertyID != nil && !props[*d.PropertyID] {
			snap.Devices[i].PropertyID = nil
		}
	}
}

func collectPages[T any](ctx context.Context, s *Syncer, list func(context.Context, int, int) ([]T, int, error)) ([]T, error) {
	var all []T
	for page := 1; ; page++ {
		if err := s.limiter.Wait(ctx); err != nil {
			return nil, err
		}
		items, total, err := list(ctx, page, syncPage)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if len(items) < syncPage || len(all) >= total || page > 10_000 {
			return all, nil
		}
	}
}

func (s *Syncer) fetchHub(ctx context.Context, sum smarthome.HubSummary, hub *db.Hub, devices *[]db.Device) error {
	if err := s.limiter.Wait(ctx); err != nil {
		return err
	}
	detail, err := s.src.Hub(ctx, sum.ID)
	if err != nil {
		return fmt.Errorf("hub %s: %w", sum.ID, err)
	}
	*hub = Hub(sum, detail)
	if err := s.limiter.Wait(ctx); err != nil {
		return err
	}
	ds, err := s.src.HubDevices(ctx, sum.ID)
	if err != nil {
		return fmt.Errorf("devices of hub %s: %w", sum.ID, err)
	}
	for _, d := range ds {
		*devices = append(*devices, Device(d, *hub))
	}
	return nil
}

// Property maps an upstream property to its mirror row.
func Property(p smarthome.Property) db.Property {
	return db.Property{ID: p.ID, Name: p.Name, Address: p.Address, StreetAddress: p.StreetAddress, City: p.City,
		State: p.State, Zipcode: p.Zipcode.String(), TimeZone: p.TimeZone, Latitude: p.Latitude.String(),
		Longitude: p.Longitude.String()}
}

// Hub keeps the hub's reported status object but never its master code, which is a secret.
func Hub(sum smarthome.HubSummary, d *smarthome.HubDetail) db.Hub {
	st := d.Status
	online := strings.EqualFold(sum.Status, "online")
	if st.Online != nil {
		online = *st.Online
	}
	h := db.Hub{ID: d.ID, PropertyID: d.PropertyID, SerialNo: d.SerialNo.String(), HomeName: d.HomeName,
		TimeZone: cmp.Or(d.Settings.TimeZone, d.TimeZone), Address: d.Address, Status: sum.Status, Online: online,
		PowerSource: st.PowerSource, Signal: st.SignalStrength.String(), Firmware: st.FwVer, Model: st.Model,
		NetworkType: st.NetworkType, Raw: string(st.Raw)}
	if t, err := time.Parse(time.RFC3339Nano, st.HeartBeat); err == nil {
		t = t.UTC()
		h.LastHeartbeatAt = &t
	}
	if st.Battery != 0 {
		b := st.Battery.Int()
		h.Battery = &b
	}
	return h
}

// Device maps a device and derives what the lists filter on: battery, reachability and the current alarm.
// Lock PINs are replaced by "set" before the state is stored: the mirror never holds them.
func Device(d smarthome.Device, hub db.Hub) db.Device {
	out := db.Device{ID: d.ID, HubID: cmp.Or(d.HubID, hub.ID), PropertyID: d.PropertyID, Name: d.DeviceName,
		OccupantSetting: d.OccupantSetting, Type: d.DeviceType, Online: hub.Online, Settings: string(d.Settings)}
	if out.PropertyID == nil {
		out.PropertyID = hub.PropertyID
	}
	status := map[string]json.RawMessage{}
	_ = json.Unmarshal(d.Status, &status) // an unreadable status is mirrored as empty, never fails the sync
	out.State, out.Battery, out.Alert = readStatus(status)
	if raw, ok := status["online"]; ok {
		var on bool
		if json.Unmarshal(raw, &on) == nil {
			out.Online = hub.Online && on
		}
	}
	return out
}

// readStatus sanitises a status object and reads its battery and alarm.
func readStatus(status map[string]json.RawMessage) (state string, battery *int, alert string) {
	if raw, ok := status["codes"]; ok {
		status["codes"] = maskCodes(raw)
	}
	var b smarthome.FlexInt
	if raw, ok := status["battery"]; ok && json.Unmarshal(raw, &b) == nil && string(raw) != "null" {
		v := b.Int()
		battery = &v
	}
	str := func(key string) string {
		var v string
		_ = json.Unmarshal(status[key], &v)
		return strings.ToLower(v)
	}
	var mode struct{ Type string }
	_ = json.Unmarshal(status["mode"], &mode)
	var tamper bool
	_ = json.Unmarshal(status["tamper"], &tamper)
	switch {
	case str("leakage") == "yes":
		alert = "leak"
	case str("smoke") == "yes":
		alert = "smoke"
	case strings.EqualFold(mode.Type, "jammed") || str("mode") == "jammed":
		alert = "jammed"
	case tamper:
		alert = "tamper"
	}
	b2, _ := json.Marshal(status)
	return string(b2), battery, alert
}

// maskCodes turns {"1": "123456", "2": null} into {"1": "set", "2": null}.
func maskCodes(raw json.RawMessage) json.RawMessage {
	var slots map[string]*string
	if json.Unmarshal(raw, &slots) != nil {
		return json.RawMessage(`{}`)
	}
	masked := make(map[string]*string, len(slots))
	set := "set"
	for k, v := range slots {
		if v != nil && *v != "" {
			masked[k] = &set
		} else {
			masked[k] = nil
		}
	}
	b, _ := json.Marshal(masked)
	return b
}
