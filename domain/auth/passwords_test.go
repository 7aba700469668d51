package auth

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestPasswordHasher(t *testing.T) {
	t.Parallel()
	h := NewPasswordHasher(bcrypt.MinCost)
	hash, err := h.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !h.Compare(hash, "correct horse battery") || h.Compare(hash, "correct horse batterY") {
		t.Error("Compare does not tell the password from another")
	}
	if h.Compare("", "correct horse battery") {
		t.Error("an empty hash matched")
	}
	for _, pw := range []string{"short", strings.Repeat("x", MaxPassword+1)} {
		if _, err := h.Hash(pw); err == nil {
			t.Errorf("Hash(%d bytes) accepted a password the rules refuse", len(pw))
		}
	}
}

func TestPasswordProblem(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		pw   string
		want string
	}{
		{strings.Repeat("a", MinPassword-1), "at least 10"},
		{strings.Repeat("a", MinPassword), ""},
		{strings.Repeat("a", MaxPassword), ""},
		{strings.Repeat("a", MaxPassword+1), "at most 72"},
	} {
		got := PasswordProblem(tt.pw)
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("PasswordProblem(%d bytes) = %q, want %q", len(tt.pw), got, tt.want)
		}
	}
}
