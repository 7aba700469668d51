package main

import (
	"strings"
	"testing"
)

func TestConfigMail(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		env     map[string]string
		wantErr string
		check   func(Config) bool
	}{
		{"off by default", map[string]string{}, "", func(c Config) bool { return !c.Mail.Enabled() && c.PublicURL == "" }},
		{"SMTP_URL", map[string]string{"SMTP_URL": "smtps://u:p@mail.example.com", "MAIL_FROM": "alerts@example.com", "PUBLIC_URL": "https://dash.example/"},
			"", func(c Config) bool {
				return c.Mail.Host == "mail.example.com" && c.Mail.Port == 465 && c.Mail.ImplicitTLS && c.PublicURL == "https://dash.example"
			}},
		{"host and port", map[string]string{"SMTP_HOST": "mail.example.com", "SMTP_USER": "u", "SMTP_PASSWORD": "p", "MAIL_FROM": "a@example.com"},
			"", func(c Config) bool { return c.Mail.Port == 587 && !c.Mail.ImplicitTLS && c.Mail.Password == "p" }},
		{"both ways", map[string]string{"SMTP_URL": "smtp://h", "SMTP_HOST": "h", "MAIL_FROM": "a@example.com"}, "not both", nil},
		{"no MAIL_FROM", map[string]string{"SMTP_URL": "smtp://h"}, "MAIL_FROM is required", nil},
		{"user without password", map[string]string{"SMTP_HOST": "h", "SMTP_USER": "u", "MAIL_FROM": "a@example.com"}, "SMTP_PASSWORD", nil},
		{"bad port", map[string]string{"SMTP_HOST": "h", "SMTP_PORT": "x", "MAIL_FROM": "a@example.com"}, "SMTP_PORT", nil},
		{"bad PUBLIC_URL", map[string]string{"PUBLIC_URL": "dash.example"}, "PUBLIC_URL", nil},
	} {
		cfg, err := loadConfig([]string{"web"}, testGetenv(tc.env))
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !tc.check(cfg) {
			t.Errorf("%s: %+v, %v", tc.name, cfg.Mail, err)
		}
	}
}
