package handlers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/keyless/dashboard/db"
)

// API list bounds: ?limit= takes 1 to apiMaxLimit rows, apiDefaultLimit when absent.
const (
	apiDefaultLimit = 50
	apiMaxLimit     = 200
)

// apiList is every list's envelope. Next is the URL of the following page (this query with its cursor), and
// NextCursor that cursor alone; both are null on the last page.
type apiList struct {
	Data       any     `json:"data"`
	Next       *string `json:"next"`
	NextCursor *string `json:"next_cursor"`
}

// newAPIList wraps items; cursor "" means this is the last page.
func newAPIList(r *http.Request, items any, cursor string) apiList {
	l := apiList{Data: items}
	if cursor != "" {
		q := r.URL.Query()
		q.Set("cursor", cursor)
		next := r.URL.Path + "?" + q.Encode()
		l.Next, l.NextCursor = &next, &cursor
	}
	return l
}

// apiLimit reads ?limit=.
func apiLimit(q url.Values) (int, error) {
	v := q.Get("limit")
	if v == "" {
		return apiDefaultLimit, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > apiMaxLimit {
		return 0, apiBadRequest("limit", "limit must be a whole number from 1 to "+strconv.Itoa(apiMaxLimit)+".")
	}
	return n, nil
}

// apiID reads a numeric id from a query parameter ("" is 0) or the path.
func apiID(v, param string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	id, err := parseID(v)
	if err != nil {
		return 0, apiBadRequest(param, param+" must be a positive whole number.")
	}
	return id, nil
}

// mirrorFilter reads limit, cursor and the scope parameters a list takes (property, hub).
func mirrorFilter(r *http.Request, numericCursor bool, params ...string) (db.MirrorFilter, error) {
	q := r.URL.Query()
	limit, err := apiLimit(q)
	if err != nil {
		return db.MirrorFilter{}, err
	}
	f := db.MirrorFilter{Limit: limit, After: q.Get("cursor")}
	if f.After != "" && (len(f.After) > 200 || numericCursor && !isNumericID(f.After)) {
		return f, apiBadRequest("cursor", "cursor must be a next_cursor this API returned.")
	}
	for _, p := range params {
		switch p {
		case "property":
			if f.PropertyID, err = apiID(q.Get("property"), "property"); err != nil {
				return f, err
			}
		case "hub":
			f.HubID = strings.TrimSpace(q.Get("hub"))
		}
	}
	return f, nil
}

func isNumericID(s string) bool {
	_, err := parseID(s)
	return err == nil
}

func apiPropertyList(a apiDeps) apiFunc {
	return func(r *http.Request, _ db.APIToken) (any, error) {
		f, err := mirrorFilter(r, true)
		if err != nil {
			return nil, err
		}
		pg, err := a.Store.PropertiesByID(r.Context(), f)
		if err != nil {
			return nil, err
		}
		out := make([]apiPropertyJSON, len(pg.Items))
		for i, p := range pg.Items {
			out[i] = newAPIProperty(p)
		}
		return newAPIList(r, out, pg.After), nil
	}
}

func apiProperty(a apiDeps) apiFunc {
	return func(r *http.Request, _ db.APIToken) (any, error) {
		id, err := parseID(r.PathValue("id"))
		if err != nil {
			return nil, notFound()
		}
		p, err := a.Store.Property(r.Context(), id)
		if err != nil {
			return nil, err
		}
		return newAPIProperty(p), nil
	}
}

func apiHubList(a apiDeps) apiFunc {
	return func(r *http.Request, _ db.APIToken) (any, error) {
		f, err := mirrorFilter(r, false, "property")
		if err != nil {
			return nil, err
		}
		pg, err := a.Store.HubsByID(r.Context(), f)
		if err != nil {
			return nil, err
		}
		out := make([]apiHubJSON, len(pg.Items))
		for i, h := range pg.Items {
			out[i] = newAPIHub(h)
		}
		return newAPIList(r, out, pg.After), nil
	}
}

func apiHub(a apiDeps) apiFunc {
	return func(r *http.Request, _ db.APIToken) (any, error) {
		h, err := a.Store.Hub(r.Context(), r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		return newAPIHub(h), nil
	}
}

func apiDeviceList(a apiDeps) apiFunc {
	return func(r *http.Request, _ db.APIToken) (any, error) {
		f, err := mirrorFilter(r, false, "property", "hub")
		if err != nil {
			return nil, err
		}
		pg, err := a.Store.DevicesByID(r.Context(), f)
		if err != nil {
			return nil, err
		}
		out := make([]apiDeviceJSON, len(pg.Items))
		for i, d := range pg.Items {
			out[i] = newAPIDevice(d)
		}
		return newAPIList(r, out, pg.After), nil
	}
}

func apiDevice(a apiDeps) apiFunc {
	return func(r *http.Request, _ db.APIToken) (any, error) {
		d, err := a.Store.Device(r.Context(), r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		return newAPIDevice(d), nil
	}
}

func apiLockCodeList(a apiDeps) apiFunc {
	return func(r *http.Request, _ db.APIToken) (any, error) {
		f, err := mirrorFilter(r, false, "property")
		if err != nil {
			return nil, err
		}
		pg, err := a.Store.CodeStatusesByID(r.Context(), f)
		if err != nil {
			return nil, err
		}
		out := make([]apiLockCodeJSON, len(pg.Items))
		for i, c := range pg.Items {
			out[i] = newAPILockCode(c)
		}
		return newAPIList(r, out, pg.After), nil
	}
}

func apiLockCode(a apiDeps) apiFunc {
	return func(r *http.Request, _ db.APIToken) (any, error) {
		c, err := a.Store.CodeStatusByID(r.Context(), r.PathValue("id"))
		if err != nil {
			return nil, err
		}
		return newAPILockCode(c), nil
	}
}
