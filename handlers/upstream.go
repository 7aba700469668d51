package handlers

import (
	"context"

	"github.com/keyless/dashboard/smarthome"
)

// NewUpstream adapts the Smart Home client to the small interfaces the handlers consume.
func NewUpstream(c *smarthome.Client) *Upstream { return &Upstream{c: c} }

// Upstream is the Smart Home API as the dashboard uses it: a few lines per method over *smarthome.Client.
type Upstream struct{ c *smarthome.Client }

// ListProperties returns one page of properties and the total count.
func (u *Upstream) ListProperties(ctx context.Context, page, perPage int) ([]smarthome.Property, int, error) {
	ps, resp, err := u.c.Properties.List(ctx, &smarthome.ListOptions{Page: page, PerPage: perPage})
	if err != nil {
		return nil, 0, u.fail(ctx, "ListProperties", err)
	}
	return ps, resp.TotalRecords, nil
}

// ListHubs returns one page of hubs and the total count.
func (u *Upstream) ListHubs(ctx context.Context, page, perPage int) ([]smarthome.HubSummary, int, error) {
	hs, resp, err := u.c.Hubs.List(ctx, &smarthome.ListOptions{Page: page, PerPage: perPage})
	if err != nil {
		return nil, 0, u.fail(ctx, "ListHubs", err)
	}
	return hs, resp.TotalRecords, nil
}

// Hub returns a hub's detail with its reported status.
func (u *Upstream) Hub(ctx context.Context, id string) (*smarthome.HubDetail, error) {
	h, _, err := u.c.Hubs.Get(ctx, id)
	return h, u.fail(ctx, "Hub", err)
}

// HubDevices returns every device of a hub, whatever its type.
func (u *Upstream) HubDevices(ctx context.Context, id string) ([]smarthome.Device, error) {
	set, _, err := u.c.Hubs.Devices(ctx, id)
	if err != nil {
		return nil, u.fail(ctx, "HubDevices", err)
	}
	var out []smarthome.Device
	for _, ds := range set {
		out = append(out, ds...)
	}
	return out, nil
}
