package db

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/keyless/dashboard/db/pgtest"
)

// TestMain runs the tests with a throwaway PostgreSQL cluster for the PostgreSQL store (started on first use,
// stopped at the end), then checks that no test left a goroutine behind (a store not closed, an ingester or a
// pool still running).
func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}
