package access

import (
	"bytes"
	"testing"

	"github.com/keyless/dashboard/domain/auth"
	"github.com/keyless/dashboard/smarthome"
)

// testSecret stands for the session secret the code key is derived from.
const testSecret = "handlers-test-secret-0123456789abcdef"

func TestSealer(t *testing.T) {
	t.Parallel()
	s, err := newSealer(DeriveCodeKey(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	other, err := newSealer(DeriveCodeKey(testSecret + "-rotated"))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.seal("code-1", "482913")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("482913")) {
		t.Fatal("the sealed PIN contains the PIN")
	}
	again, _ := s.seal("code-1", "482913")
	if bytes.Equal(sealed, again) {
		t.Error("two seals of one PIN are equal: the nonce is not random")
	}
	if pin, err := s.open("code-1", sealed); err != nil || pin != smarthome.PIN("482913") {
		t.Errorf("open = %q, %v", pin.Reveal(), err)
	}
	tests := []struct {
		name   string
		sealer *sealer
		id     string
		sealed []byte
	}{
		{"another code's row", s, "code-2", sealed},
		{"another key", other, "code-1", sealed},
		{"truncated", s, "code-1", sealed[:10]},
		{"tampered", s, "code-1", append(bytes.Clone(sealed[:len(sealed)-1]), sealed[len(sealed)-1]^1)},
		{"no key", nil, "code-1", sealed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pin, err := tt.sealer.open(tt.id, tt.sealed)
			if err == nil || pin != "" {
				t.Errorf("opened: %q", pin.Reveal())
			}
			if err != nil && bytes.Contains([]byte(err.Error()), []byte("482913")) {
				t.Error("the error shows the PIN")
			}
		})
	}
	if _, err := newSealer(nil); err == nil {
		t.Error("a sealer without a key")
	}
	if !bytes.Equal(DeriveCodeKey("a"), DeriveCodeKey("a")) || bytes.Equal(DeriveCodeKey(testSecret), auth.DeriveKey(testSecret, "cookie-aes")) {
		t.Error("the code key is not a stable key of its own")
	}
}
