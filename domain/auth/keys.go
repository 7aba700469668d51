// Package auth holds who may sign in and what they may do: passwords, sessions, sign-in throttles and roles.
package auth

import (
	"crypto/hmac"
	"crypto/sha256"
)

// DeriveKey derives a 32-byte key for one purpose (label) from the session secret, so one configured secret
// yields independent keys for cookies and for sealing lock-code PINs.
func DeriveKey(secret, label string) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(label))
	return m.Sum(nil)
}
