package notify

import (
	"slices"
	"testing"

	"github.com/keyless/dashboard/db"
)

// A rule can name every kind an alert record may have, and nothing part A never raises.
func TestKindsAreTheRecordKinds(t *testing.T) {
	var kinds []string
	for _, k := range Kinds {
		kinds = append(kinds, k.Kind)
	}
	want := slices.Clone(db.AlertKinds)
	slices.Sort(kinds)
	slices.Sort(want)
	if !slices.Equal(kinds, want) {
		t.Fatalf("notify.Kinds = %v, db.AlertKinds = %v", kinds, want)
	}
}
