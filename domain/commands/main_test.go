package commands

import (
	"os"
	"testing"

	"github.com/keyless/dashboard/db/pgtest"
)

// TestMain starts the throwaway PostgreSQL cluster the shared pending-set test uses.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
