package access

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/smarthome"
)

// keyLabel separates the lock-code key from the cookie keys derived from the same secret.
const keyLabel = "lock-code-pin-aes-gcm-v1"

// DeriveCodeKey derives the 32-byte key that seals lock-code PINs in the mirror from the session secret. Keep the
// secret stable: PINs sealed under an older key cannot be opened, and stay unreadable until the next lock-code sync
// re-reads them from the upstream.
func DeriveCodeKey(sessionSecret string) []byte { return auth.DeriveKey(sessionSecret, keyLabel) }

// ErrNoKey means the service was built without a code key: it cannot store PINs, so it issues and syncs no codes.
var ErrNoKey = errors.New("access: no lock-code key configured")

// sealer seals PINs with AES-256-GCM. The code id is the associated data, so a sealed PIN copied onto another
// code's row does not open.
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != 32 {
		return nil, ErrNoKey
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("access: lock-code key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("access: lock-code key: %w", err)
	}
	return &sealer{aead: aead}, nil
}

// seal returns nonce ‖ ciphertext of pin, bound to codeID.
func (p *sealer) seal(codeID string, pin smarthome.PIN) ([]byte, error) {
	if p == nil {
		return nil, ErrNoKey
	}
	nonce := make([]byte, p.aead.NonceSize(), p.aead.NonceSize()+len(pin)+p.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return p.aead.Seal(nonce, nonce, []byte(pin.Reveal()), []byte(codeID)), nil
}

// open returns the PIN sealed for codeID. The error never contains the PIN.
func (p *sealer) open(codeID string, sealed []byte) (smarthome.PIN, error) {
	if p == nil {
		return "", ErrNoKey
	}
	n := p.aead.NonceSize()
	if len(sealed) < n+p.aead.Overhead() {
		return "", fmt.Errorf("access: sealed PIN of lock code %s is too short", codeID)
	}
	plain, err := p.aead.Open(nil, sealed[:n], sealed[n:], []byte(codeID))
	if err != nil {
		return "", fmt.Errorf("access: sealed PIN of lock code %s does not open (key changed?)", codeID)
	}
	return smarthome.PIN(plain), nil
}
