package handlers

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"github.com/keyless/dashboard/db"
	"github.com/keyless/dashboard/domain/access"
	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/domain/tz"
	"github.com/keyless/dashboard/views"
)

// lcMaxListed is how many codes one list shows; the rest are counted.
const lcMaxListed = 300

// lockCodeRoutes are what the lock-code, drift and one-off code handlers share: the server's deps and the lock-code
// service that holds the rules and the state. (domain/access is imported as lockcodes here: handlers has an access
// type of its own, the reservations' and invitations' routes.)
type lockCodeRoutes struct {
	d   Deps
	svc *access.Service
}

// newLockCodeRoutes takes Deps.Codes and adds its observer to the webhook's. A server built without one (tests,
// tools) gets a read-only service whose tracker nobody runs.
func newLockCodeRoutes(d Deps) *lockCodeRoutes {
	svc := d.Codes
	if svc == nil {
		svc = access.NewService(access.Config{Logger: d.Logger, Store: d.Store, Upstream: d.Upstream,
			Notifier: NewLockCodePush(d.Logger, d.Store, d.Broker)})
	} else if d.Observed != nil {
		d.Observed.Add(svc.Observe)
	}
	return &lockCodeRoutes{d: d, svc: svc}
}

// lcScope is what a code list or form is about: a property, and on a lock's page that lock.
type lcScope struct {
	property db.Property
	device   *db.Device  // the lock of a lock's page
	locks    []db.Device // every lock of the property, by name
	loc      *time.Location
}

func lcIsLock(t string) bool { return t == "lock" || t == "access_panel" }

func lcPropertyScope(ctx context.Context, store *db.Store, id int64) (lcScope, error) {
	p, err := store.Property(ctx, id)
	if err != nil {
		return lcScope{}, err
	}
	devices, err := store.DevicesByProperty(ctx, id)
	if err != nil {
		return lcScope{}, err
	}
	return lcScopeOf(p, devices), nil
}

// lcScopeOf is the scope of a property whose devices are already read.
func lcScopeOf(p db.Property, devices []db.Device) lcScope {
	sc := lcScope{property: p, loc: tz.Load(p.TimeZone)}
	for _, d := range devices {
		if lcIsLock(d.Type) {
			sc.locks = append(sc.locks, d)
		}
	}
	return sc
}

// lcDeviceScope is the scope of a lock's page; a device that is not a lock of a property is not found.
func lcDeviceScope(ctx context.Context, store *db.Store, id string) (lcScope, error) {
	dev, err := store.Device(ctx, id)
	if err != nil {
		return lcScope{}, err
	}
	if !lcIsLock(dev.Type) || dev.PropertyID == nil {
		return lcScope{}, notFound()
	}
	sc, err := lcPropertyScope(ctx, store, *dev.PropertyID)
	sc.device = &dev
	return sc, err
}

func (sc lcScope) propertyID() string { return strconv.FormatInt(sc.property.ID, 10) }

func (sc lcScope) deviceID() string {
	if sc.device == nil {
		return ""
	}
	return sc.device.ID
}

func (sc lcScope) lockNames() map[string]string {
	names := make(map[string]string, len(sc.locks))
	for _, l := range sc.locks {
		names[l.ID] = deviceName(l)
	}
	return names
}

// lockCodeList builds a scope's list from the mirror for the viewer.
func lockCodeList(ctx context.Context, d Deps, sc lcScope, autoRefresh bool) (views.LockCodeListData, error) {
	p := currentUser(ctx)
	now := time.Now().UTC()
	var codes []db.LockCode
	var err error
	if sc.device != nil {
		codes, err = d.Store.LockCodesByDevice(ctx, sc.device.ID, now.Add(-db.LockCodeRetention))
	} else {
		codes, err = d.Store.LockCodesByProperty(ctx, sc.property.ID, now.Add(-db.LockCodeRetention))
	}
	if err != nil {
		return views.LockCodeListData{}, err
	}
	l := views.LockCodeListData{PropertyID: sc.propertyID(), DeviceID: sc.deviceID(), AutoRefresh: autoRefresh,
		CanManage: p.can(auth.ManageAccess), TimeZone: sc.property.TimeZone}
	names := sc.lockNames()
	var checked time.Time
	for i, c := range codes {
		if c.SyncedAt.After(checked) {
			checked = c.SyncedAt
		}
		if i >= lcMaxListed {
			l.Hidden++
			continue
		}
		l.Codes = append(l.Codes, lcRowData(p, c, names, sc.loc, sc.deviceID(), now))
	}
	if !checked.IsZero() {
		l.Checked, l.CheckedISO = localTimes(&checked, sc.loc)
	}
	return l, nil
}

// refreshList re-lists the scope's property from the upstream (at most every access.SyncGap) and builds the list;
// an upstream failure becomes the list's notice, over the last known state.
func (s *lockCodeRoutes) refreshList(r *http.Request, sc lcScope) (views.LockCodeListData, error) {
	_, syncErr := s.svc.SyncProperty(r.Context(), sc.property.ID, access.SyncGap)
	l, err := lockCodeList(r.Context(), s.d, sc, false)
	if err != nil {
		return l, err
	}
	if syncErr != nil {
		s.d.Logger.WarnContext(r.Context(), "lock-code sync failed", slog.Int64("property_id", sc.property.ID), slog.Any("err", syncErr))
		_, msg := classify(syncErr)
		if errors.Is(syncErr, access.ErrNoKey) {
			msg = "Lock codes cannot be read: the dashboard has no lock-code key configured."
		}
		l.Notice = msg + " Showing the last known state."
	}
	return l, nil
}

func handleLockCodesProperty(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return notFound()
		}
		sc, err := lcPropertyScope(r.Context(), s.d.Store, id)
		if err != nil {
			return err
		}
		return s.renderListPage(w, r, sc)
	})
}

func handleLockCodesDevice(s *lockCodeRoutes) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		sc, err := lcDeviceScope(r.Context(), s.d.Store, r.PathValue("id"))
		if err != nil {
			return err
		}
		return s.renderListPage(w, r, sc)
	})
}

// renderListPage is the codes page of a scope: the mirror at once, then a live refresh from the upstream.
func (s *lockCodeRoutes) renderListPage(w http.ResponseWriter, r *http.Request, sc lcScope) error {
	list, err := lockCodeList(r.Context(), s.d, sc, true)
	if err != nil {
		return err
	}
	sync, err := s.d.loadSync(r.Context())
	if err != nil {
		return err
	}
	data := views.LockCodesPageData{Title: "Lock codes", Subtitle: sc.property.Name, PropertyID: sc.propertyID(),
		PropertyName: sc.property.Name, List: list, Sync: sync}
	meta := pageMeta(r, "Lock codes · "+sc.property.Name, views.NavProperties)
	meta.EventsURL = eventsURL(sc.property.ID, "", "")
	if sc.device != nil {
		data.DeviceID, data.DeviceName = sc.device.ID, deviceName(*sc.device)
		data.Title, data.Subtitle = "Lock codes on "+deviceName(*sc.device), sc.property.Name
		meta.Title = "Lock codes · " + deviceName(*sc.device)
		meta.EventsURL = eventsURL(0, "", sc.device.ID)
	}
	if f, ok := lockCodeFlashes[r.URL.Query().Get("done")]; ok {
		meta.Flash = append(meta.Flash, f)
	}
	meta.Notices = upstreamNotice(sync)
	return page(w, r, views.LockCodesPage(meta, data), views.LockCodeList(list))
}

// lockCodeFlashes are the messages a redirect after a save may ask for, by code: no text from the URL is shown.
var lockCodeFlashes = map[string]views.FlashData{
	"created": {Kind: "ok", Message: "The code was sent to its locks. Its state on each lock updates below as the locks answer."},
	"saved":   {Kind: "ok", Message: "The changes were sent to the locks. Their state updates below as the locks answer."},
	"deleted": {Kind: "ok", Message: "The code is being removed from its locks."},
	"retried": {Kind: "ok", Message: "The code was sent to its locks again."},
	"adopted": {Kind: "ok", Message: "The keypad code is now managed here: its lock takes it back within seconds, and it no longer shows as drift."},
}

// handleLockCodeListRefresh answers the list's own refresh: re-read from the upstream, then the list fragment.
func handleLockCodeListRefresh(s *lockCodeRoutes, byDevice bool) http.Handler {
	return withErrors(s.d.Logger, func(w http.ResponseWriter, r *http.Request) error {
		var sc lcScope
		var err error
		if byDevice {
			sc, err = lcDeviceScope(r.Context(), s.d.Store, r.PathValue("id"))
		} else {
			var id int64
			if id, err = parseID(r.PathValue("id")); err != nil {
				return notFound()
			}
			sc, err = lcPropertyScope(r.Context(), s.d.Store, id)
		}
		if err != nil {
			return err
		}
		list, err := s.refreshList(r, sc)
		if err != nil {
			return err
		}
		w.Header().Add("Vary", "HX-Request")
		return render(w, r, http.StatusOK, views.LockCodeList(list))
	})
}

// lockCodesPropertySection is the codes part of a property page, for people who manage codes.
func lockCodesPropertySection(r *http.Request, d Deps, p propertyView) (templ.Component, error) {
	if !currentUser(r.Context()).can(auth.ManageAccess) {
		return nil, nil
	}
	list, err := lockCodeList(r.Context(), d, lcScopeOf(p.Property, p.Devices), true)
	if err != nil {
		return nil, err
	}
	return views.LockCodesSection(list, lcPropertyPath(p.ID)+"/drift"), nil
}

// lockCodesDeviceSection is the codes part of a lock's page, for people who manage codes.
func lockCodesDeviceSection(r *http.Request, d Deps, dev db.Device, _ db.Hub) (templ.Component, error) {
	if !currentUser(r.Context()).can(auth.ManageAccess) || !lcIsLock(dev.Type) || dev.PropertyID == nil {
		return nil, nil
	}
	sc, err := lcDeviceScope(r.Context(), d.Store, dev.ID)
	if err != nil {
		return nil, err
	}
	list, err := lockCodeList(r.Context(), d, sc, true)
	if err != nil {
		return nil, err
	}
	return views.LockCodesSection(list, lcPropertyPath(*dev.PropertyID)+"/drift"), nil
}

func lcPropertyPath(id int64) string { return "/properties/" + strconv.FormatInt(id, 10) }
