// Package upstream is the Smart Home API as the dashboard uses it: one small method per call over *smarthome.Client,
// and one classification of the calls that got no answer (unreachable, disconnected, timeout), so every page, the
// sync status and the log say the same thing about them.
package upstream

import (
	"context"

	"github.com/keyless/dashboard/smarthome"
)

// New adapts the Smart Home client to the small methods the dashboard consumes.
func New(c *smarthome.Client) *API { return &API{c: c} }

// API is the Smart Home API as the dashboard uses it: a few lines per method over *smarthome.Client.
type API struct{ c *smarthome.Client }

// ListProperties returns one page of properties and the total count.
func (u *API) ListProperties(ctx context.Context, page, perPage int) ([]smarthome.Property, int, error) {
	ps, resp, err := u.c.Properties.List(ctx, &smarthome.ListOptions{Page: page, PerPage: perPage})
	if err != nil {
		return nil, 0, u.fail(ctx, "ListProperties", err)
	}
	return ps, resp.TotalRecords, nil
}

// ListHubs returns one page of hubs and the total count.
func (u *API) ListHubs(ctx context.Context, page, perPage int) ([]smarthome.HubSummary, int, error) {
	hs, resp, err := u.c.Hubs.List(ctx, &smarthome.ListOptions{Page: page, PerPage: perPage})
	if err != nil {
		return nil, 0, u.fail(ctx, "ListHubs", err)
	}
	return hs, resp.TotalRecords, nil
}

// Hub returns a hub's detail with its reported status.
func (u *API) Hub(ctx context.Context, id string) (*smarthome.HubDetail, error) {
	h, _, err := u.c.Hubs.Get(ctx, id)
	return h, u.fail(ctx, "Hub", err)
}

// HubDevices returns every device of a hub, whatever its type.
func (u *API) HubDevices(ctx context.Context, id string) ([]smarthome.Device, error) {
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
