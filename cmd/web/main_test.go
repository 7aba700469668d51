package main

import (
	"os"
	"testing"

	"github.com/keyless/dashboard/db/pgtest"
)

// TestMain runs the tests with a throwaway PostgreSQL cluster for the multi-instance tests, started on first use
// and stopped at the end.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
