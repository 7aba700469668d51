package simulator

import "testing"

// TestDemoHasEveryType: the default portfolio, the handler tests' one (seed 7, 12 properties) and the smallest that
// promises it (7 properties) hold every upstream device type at a property, with its kind's defaults.
func TestDemoHasEveryType(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		seed        int64
		properties  int
		wantPerType int // at least this many of each type
	}{
		{"default demo", DemoPortfolio, 40, 4},
		{"handler tests", 7, 12, 1},
		{"smallest", 3, 7, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := generateDemo(tt.seed, tt.properties, testStart)
			counts := map[string]int{}
			for _, d := range st.Devices {
				if d.PropertyID == 0 {
					continue
				}
				counts[d.Type]++
				if d.Name == "" || d.Manufacturer == "Generic" {
					t.Errorf("%s %s: name %q, manufacturer %q", d.Type, d.ID, d.Name, d.Manufacturer)
				}
			}
			for _, typ := range allDeviceTypes {
				if counts[typ] < tt.wantPerType {
					t.Errorf("%d %s at properties, want at least %d", counts[typ], typ, tt.wantPerType)
				}
			}
			if len(counts) != len(allDeviceTypes) || len(allDeviceTypes) != 15 {
				t.Errorf("types %v, want the 15 of allDeviceTypes", counts)
			}
		})
	}
}
