package static

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHandlerManyRanges guards against a Range amplification in net/http's file serving: before go1.27.3, a
// header naming thousands of one-byte ranges (their sum within the file's size) got a multipart reply with one
// part header per range, about 146 times the file. The fixed toolchain ignores a header with more than 200 ranges
// and sends the file once. The header here is ~18 KB, well under the dashboard's 64 KB MaxHeaderBytes, so any
// client can send it. Fails on go1.26.8; run with the go.mod toolchain (GOTOOLCHAIN=go1.27.3).
func TestHandlerManyRanges(t *testing.T) {
	t.Parallel()
	const name = "app.js"
	b, err := FS.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	n := min(len(b), 8000)
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, URL(name), nil)
	req.Header.Set("Range", "bytes="+strings.Repeat("0-0,", n-1)+"0-0")
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, req)

	if rec.Code == http.StatusRequestedRangeNotSatisfiable {
		return
	}
	// Twice the file leaves room for a reply with a few parts; amplification is the failure.
	if limit := 2*len(b) + 1024; rec.Body.Len() > limit {
		t.Fatalf("Range with %d parts on a %d-byte file: status %d, %d-byte body (%.0f× the file), want at most %d bytes or a 416",
			n, len(b), rec.Code, rec.Body.Len(), float64(rec.Body.Len())/float64(len(b)), limit)
	}
}
