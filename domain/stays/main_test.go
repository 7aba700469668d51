package stays

import (
	"os"
	"testing"

	"github.com/keyless/dashboard/db/pgtest"
)

// TestMain starts the throwaway PostgreSQL cluster the shared guest-limit test uses.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
