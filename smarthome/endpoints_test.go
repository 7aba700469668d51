package smarthome

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"testing"
)

// endpointCase is one API method: the request it must send and what it must return for a given reply.
type endpointCase struct {
	name   string
	method string
	path   string     // escaped request path, e.g. "/api/hubs/h%2F1"
	query  url.Values // expected query; nil: none
	body   string     // expected JSON body; "": none
	status int        // reply status; 0: 200
	reply  string     // reply body
	call   func(ctx context.Context, c *Client) (any, *Response, error)
	want   any
	paging [3]int // want Response TotalRecords, Page, PerPage
}

// runEndpoints checks each case twice: the happy path (request shape, decoded result, paging) and a 404 reply
// (an error matching ErrNotFound and a zero result).
func runEndpoints(t *testing.T, cases []endpointCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
				if r.Method != tc.method || r.URL.EscapedPath() != tc.path {
					t.Errorf("request %s %s, want %s %s", r.Method, r.URL.EscapedPath(), tc.method, tc.path)
				}
				checkRequest(t, r, tc.query, tc.body)
				writeJSON(w, cmpInt(tc.status, http.StatusOK), tc.reply)
			})
			got, resp, err := tc.call(t.Context(), f.client)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if resp == nil || resp.StatusCode != cmpInt(tc.status, http.StatusOK) {
				t.Fatalf("Response = %v", resp)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %s\nwant %s", dump(got), dump(tc.want))
			}
			if paging := [3]int{resp.TotalRecords, resp.Page, resp.PerPage}; paging != tc.paging {
				t.Errorf("paging = %v, want %v", paging, tc.paging)
			}
		})
		t.Run(tc.name+"/404", func(t *testing.T) {
			t.Parallel()
			f := setup(t)
			f.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, http.StatusNotFound, `{"success": false, "message": "Record not found"}`)
			})
			got, resp, err := tc.call(t.Context(), f.client)
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
			if resp == nil || resp.StatusCode != http.StatusNotFound {
				t.Errorf("Response = %v", resp)
			}
			if v := reflect.ValueOf(got); got != nil && !v.IsZero() {
				t.Errorf("result %s next to an error, want zero", dump(got))
			}
		})
	}
}

func cmpInt(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// dump renders a value as JSON for failure messages (fmt would mask the PINs being compared).
func dump(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// noValue adapts a (*Response, error) method to the runner.
func noValue(resp *Response, err error) (any, *Response, error) { return nil, resp, err }

// readTestdata returns a file of testdata/.
func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func errorsIsValidation(err error) bool { return errors.Is(err, ErrValidation) }

func errorsIsRejected(err error) bool { return errors.Is(err, ErrRejected) }
