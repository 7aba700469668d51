package main

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// testGetenv serves loadConfig from a map, as the process environment would.
func testGetenv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func TestConfigTrustedProxies(t *testing.T) {
	t.Parallel()
	cases := []struct {
		value   string
		want    []string // as netip.Prefix.String
		wantErr string
	}{
		{"", nil, ""},
		{" , ", nil, ""},
		{"10.0.0.0/8", []string{"10.0.0.0/8"}, ""},
		{"10.0.0.0/8, 172.16.0.0/12 ,fd00::/8", []string{"10.0.0.0/8", "172.16.0.0/12", "fd00::/8"}, ""},
		{"192.0.2.1", []string{"192.0.2.1/32"}, ""},
		{"2001:db8::1", []string{"2001:db8::1/128"}, ""},
		{"::ffff:192.0.2.1", []string{"192.0.2.1/32"}, ""},
		{"::ffff:10.0.0.0/104", []string{"10.0.0.0/8"}, ""},
		{"10.1.2.3/8", []string{"10.0.0.0/8"}, ""}, // host bits dropped: the range is what is trusted
		{"10.0.0.0/33", nil, `"10.0.0.0/33" is not a CIDR range`},
		{"10.0.0.0/8,proxy.internal", nil, `"proxy.internal" is not an IP address`},
		{"10.0.0", nil, `"10.0.0" is not an IP address`},
		{"fe80::1%eth0", nil, `"fe80::1%eth0" is not an IP address`},
		{"*", nil, `"*" is not an IP address`},
	}
	for _, tc := range cases {
		cfg, err := loadConfig([]string{"web"}, testGetenv(map[string]string{"TRUSTED_PROXIES": tc.value}))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), "TRUSTED_PROXIES") || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("TRUSTED_PROXIES=%q: error %v, want one containing %q", tc.value, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("TRUSTED_PROXIES=%q: %v", tc.value, err)
			continue
		}
		var got []string
		for _, p := range cfg.TrustedProxies {
			got = append(got, p.String())
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("TRUSTED_PROXIES=%q: %v, want %v", tc.value, got, tc.want)
		}
	}
	// The parsed ranges hold what they say: a mapped peer and a plain one both match.
	cfg, err := loadConfig([]string{"web"}, testGetenv(map[string]string{"TRUSTED_PROXIES": "::ffff:10.0.0.0/104"}))
	if err != nil || !cfg.TrustedProxies[0].Contains(netip.MustParseAddr("10.9.9.9")) {
		t.Errorf("a mapped range does not contain its IPv4 addresses: %v %v", cfg.TrustedProxies, err)
	}
}

func TestConfigDatabaseURL(t *testing.T) {
	t.Parallel()
	secret := strings.Repeat("s", 32)
	cases := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"SQLite by default", map[string]string{}, ""},
		{"postgres:// with a secret", map[string]string{"DATABASE_URL": "postgres://u@db/dash", "SESSION_SECRET": secret}, ""},
		{"postgresql:// with a secret", map[string]string{"DATABASE_URL": "postgresql://u@db/dash", "SESSION_SECRET": secret}, ""},
		{"without SESSION_SECRET", map[string]string{"DATABASE_URL": "postgres://u@db/dash"}, "set SESSION_SECRET too"},
		{"a short SESSION_SECRET", map[string]string{"DATABASE_URL": "postgres://u@db/dash", "SESSION_SECRET": "short"}, "at least 32 characters"},
		{"another scheme", map[string]string{"DATABASE_URL": "mysql://u@db/dash", "SESSION_SECRET": secret}, "must start with postgres://"},
		{"a bare file name", map[string]string{"DATABASE_URL": "dashboard.db", "SESSION_SECRET": secret}, "must start with postgres://"},
		{"blank is unset", map[string]string{"DATABASE_URL": "   "}, ""},
	}
	for _, tc := range cases {
		cfg, err := loadConfig([]string{"web"}, testGetenv(tc.env))
		if tc.wantErr == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			} else if cfg.DatabaseURL != strings.TrimSpace(tc.env["DATABASE_URL"]) {
				t.Errorf("%s: DatabaseURL %q", tc.name, cfg.DatabaseURL)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.wantErr)
		}
	}
}
