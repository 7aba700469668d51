package ingest

import (
	"os"
	"testing"

	"github.com/keyless/dashboard/db/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
