package auth

import (
	"errors"
	"fmt"

	"golang.org/x/crypto/bcrypt"
)

// PasswordHasher hashes with bcrypt. Cost is configurable so tests can run at bcrypt.MinCost.
type PasswordHasher struct {
	Cost  int
	dummy []byte
}

// NewPasswordHasher returns a hasher at cost (bcrypt.DefaultCost when 0).
func NewPasswordHasher(cost int) *PasswordHasher {
	if cost == 0 {
		cost = 12
	}
	dummy, _ := bcrypt.GenerateFromPassword([]byte("timing-equaliser"), cost)
	return &PasswordHasher{Cost: cost, dummy: dummy}
}

// Password rules: 10 to 72 bytes (bcrypt reads no further than 72). Exported so forms and tests name the same limits.
const (
	MinPassword = 10
	MaxPassword = 72
)

// PasswordProblem says, for people, what is wrong with pw; "" when nothing is. Forms show it as it is.
func PasswordProblem(pw string) string {
	switch {
	case len(pw) < MinPassword:
		return fmt.Sprintf("Use at least %d characters.", MinPassword)
	case len(pw) > MaxPassword:
		return fmt.Sprintf("Use at most %d bytes (bcrypt ignores the rest).", MaxPassword)
	}
	return ""
}

// Hash returns the bcrypt hash of pw.
func (h *PasswordHasher) Hash(pw string) (string, error) {
	if p := PasswordProblem(pw); p != "" {
		return "", errors.New("auth: password rejected: " + p)
	}
	b, err := bcrypt.GenerateFromPassword([]byte(pw), h.Cost)
	return string(b), err
}

// Compare reports whether pw matches hash; with an empty hash it still spends the time of one comparison.
func (h *PasswordHasher) Compare(hash, pw string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(h.dummy, []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}
