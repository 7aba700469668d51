package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// apiError is an error a handler returns to answer {"success": false, "message": msg} with status.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.status, e.msg) }

func errf(status int, format string, args ...any) error {
	return &apiError{status: status, msg: fmt.Sprintf(format, args...)}
}

func badRequest(msg string) error    { return &apiError{http.StatusBadRequest, msg} }
func forbidden(msg string) error     { return &apiError{http.StatusForbidden, msg} }
func notFound(msg string) error      { return &apiError{http.StatusNotFound, msg} }
func conflict(msg string) error      { return &apiError{http.StatusConflict, msg} }
func unprocessable(msg string) error { return &apiError{http.StatusUnprocessableEntity, msg} }

// failure is the error envelope every route uses (CONTRACT.md, general rules).
type failure struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

// success is {"success": true, "message": ...}.
type success struct {
	Success bool   `json:"success"`
	Message string `json:"message,omitempty"`
}

func ok(msg string) success { return success{Success: true, Message: msg} }

// writeJSON answers v with status. Encoding to a buffer first means a failure can still become a clean 500.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"success":false,"message":"internal error"}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// writeError answers err: an *apiError with its status, anything else as a 500.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{http.StatusInternalServerError, "internal error"}
	}
	if ae.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="smarthome"`)
	}
	writeJSON(w, ae.status, failure{Message: ae.msg})
}

// maxBody bounds request bodies; nothing the API accepts comes near it.
const maxBody = 1 << 20

// decodeJSON reads a JSON object body into v. An empty body decodes as {} so routes with optional bodies work.
func decodeJSON(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return badRequest("Could not read request body")
	}
	if len(b) > maxBody {
		return errf(http.StatusRequestEntityTooLarge, "Request body too large")
	}
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("{}")
	}
	err = json.Unmarshal(b, v)
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return badRequest("Invalid JSON body")
	case errors.As(err, &te) && te.Field != "":
		return unprocessable(te.Field + " has the wrong type")
	case errors.As(err, &te):
		return badRequest("Invalid JSON body") // not an object
	default:
		return unprocessable("Invalid value in request body: " + err.Error())
	}
}

// flexInt accepts a JSON number or a string of digits (ids and epoch seconds arrive both ways).
type flexInt struct {
	Set   bool
	Value int64
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		*f = flexInt{}
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%s is not an integer", b)
	}
	*f = flexInt{Set: true, Value: n}
	return nil
}

// flexString accepts a JSON string or number (a hub serial is both).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	if string(b) == "null" {
		*f = ""
		return nil
	}
	*f = flexString(b)
	return nil
}

// page is the parsed page/per_page query of a list route (1-based page, per_page default 25, capped at 100).
type page struct {
	Page, PerPage int
}

func parsePage(q url.Values) (page, error) {
	p := page{Page: 1, PerPage: 25}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"page", &p.Page}, {"per_page", &p.PerPage}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, unprocessable(f.name + " must be a positive integer")
		}
		*f.dst = n
	}
	p.PerPage = min(p.PerPage, 100)
	return p, nil
}

// bounds returns the slice bounds of this page in a list of n items.
func (p page) bounds(n int) (lo, hi int) {
	lo = min((p.Page-1)*p.PerPage, n)
	return lo, min(lo+p.PerPage, n)
}

// paged builds the list envelope {"<key>": items, "total_records", "page", "per_page"}.
func paged[T any](key string, all []T, p page) map[string]any {
	lo, hi := p.bounds(len(all))
	items := all[lo:hi]
	if items == nil {
		items = []T{}
	}
	return map[string]any{key: items, "total_records": len(all), "page": p.Page, "per_page": p.PerPage}
}

// queryInt parses an optional integer query parameter; 0 means absent.
func queryInt(q url.Values, name string) (int64, error) {
	v := q.Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, unprocessable(name + " must be a positive integer")
	}
	return n, nil
}

// pathInt parses an integer path segment (property, reservation, invitation ids); a non-number is simply unknown.
func pathInt(r *http.Request, name, what string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n < 1 {
		return 0, notFound(what + " not found")
	}
	return n, nil
}
