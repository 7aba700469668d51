package auth

import (
	"os"
	"testing"

	"github.com/keyless/dashboard/db/pgtest"
)

// TestMain starts the throwaway PostgreSQL cluster the shared-throttle and session tests use.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
