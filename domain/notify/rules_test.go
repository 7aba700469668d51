package notify

import (
	"strconv"
	"strings"
	"testing"
)

func TestCheckRule(t *testing.T) {
	t.Parallel()
	s, c := newStore(t), newClock(t0)
	rx := newReceiver(t, c, NewSecret(), 0)
	ep := endpoint(t, s, "PMS", rx)
	d := NewDispatcher(s, c.Now, MailConfig{}, nil, Options{})
	epID := strconv.FormatInt(ep.ID, 10)
	good := RuleForm{Name: "Leaks", Kinds: []string{"leak", "leak"}, MinSeverity: "warning", QuietStart: "22:00",
		QuietEnd: "07:00", Enabled: true, Steps: []StepForm{{Delay: "5", Emails: "a@example.com; B@example.com"}, {},
			{Delay: "15", EndpointID: epID}}}
	r, problems, err := d.CheckRule(t.Context(), good)
	if err != nil || len(problems) != 0 {
		t.Fatalf("good rule: %v %v", problems, err)
	}
	if len(r.Kinds) != 1 || r.QuietStart != 22*60 || r.QuietEnd != 7*60 || len(r.Steps) != 2 ||
		r.Steps[0].Emails[1] != "b@example.com" || *r.Steps[1].EndpointID != ep.ID {
		t.Errorf("rule %+v", r)
	}
	for _, tc := range []struct {
		name string
		edit func(*RuleForm)
		want string
	}{
		{"no name", func(f *RuleForm) { f.Name = " " }, "Name:"},
		{"unknown kind", func(f *RuleForm) { f.Kinds = []string{"<x>"} }, `"<x>" is not a kind`},
		{"unknown property", func(f *RuleForm) { f.PropertyIDs = []string{"999999"} }, "not a property"},
		{"severity", func(f *RuleForm) { f.MinSeverity = "info" }, "warning or critical"},
		{"half quiet hours", func(f *RuleForm) { f.QuietEnd = "" }, "both the start and the end"},
		{"equal quiet hours", func(f *RuleForm) { f.QuietEnd = "22:00" }, "the same"},
		{"bad email", func(f *RuleForm) { f.Steps = []StepForm{{Emails: "a@example.com\r\nBcc: x"}} }, "not an email address"},
		{"escalation delay 0", func(f *RuleForm) { f.Steps[2].Delay = "0" }, "Step 3: escalate after 1"},
		{"gone endpoint", func(f *RuleForm) { f.Steps[2].EndpointID = "12345" }, "no longer exists"},
		{"no steps", func(f *RuleForm) { f.Steps = nil }, "at least one step"},
		{"no recipients", func(f *RuleForm) { f.Steps = []StepForm{{Delay: "3"}} }, "add email addresses"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := good
			f.Steps = append([]StepForm(nil), good.Steps...)
			tc.edit(&f)
			_, problems, err := d.CheckRule(t.Context(), f)
			if err != nil || !strings.Contains(strings.Join(problems, "\n"), tc.want) {
				t.Errorf("problems %q (err %v), want one containing %q", problems, err, tc.want)
			}
		})
	}
	stored, err := s.CreateNotifyRule(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	if back, problems, _ := d.CheckRule(t.Context(), FormOf(stored)); len(problems) != 0 || back.QuietStart != 22*60 || len(back.Steps) != 2 {
		t.Errorf("a stored rule's form does not check again: %v", problems)
	}
}

func TestCheckEndpoint(t *testing.T) {
	t.Parallel()
	if _, _, p := CheckEndpoint(" PMS ", " https://pms.example/hook?x=1 "); len(p) != 0 {
		t.Errorf("good endpoint: %v", p)
	}
	for _, u := range []string{"", "ftp://x", "https://", "https://u:p@x.example/", "javascript:alert(1)", "https://x.example/#f"} {
		if _, _, p := CheckEndpoint("n", u); len(p) == 0 {
			t.Errorf("URL %q accepted", u)
		}
	}
	if s := NewSecret(); !strings.HasPrefix(s, "whsec_") || len(s) != len("whsec_")+32 {
		t.Errorf("secret %q", s)
	}
}

func TestScrubPINs(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"code 4821 set":     "code **** set",
		"1234 5678":         "**** ****",
		"PIN:987654.":       "PIN:****.",
		"85 °F, battery 12": "85 °F, battery 12",
		"hub-1234567890123": "hub-1234567890123",
	} {
		if got := scrubPINs(in); got != want {
			t.Errorf("scrubPINs(%q) = %q, want %q", in, got, want)
		}
	}
}
