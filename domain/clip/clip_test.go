package clip

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		n        int
		want     string
	}{
		{"short", "abc", 5, "abc"},
		{"exact", "abcde", 5, "abcde"},
		{"ascii cut", "abcdef", 3, "abc"},
		{"rune straddles the cut", "ab€", 3, "ab"}, // € is 3 bytes
		{"rune ends at the cut", "a€b", 4, "a€"},
		{"four-byte rune straddles", "a😀", 3, "a"},
		{"invalid bytes replaced", "a\xffb", 5, "a\uFFFDb"},
		{"stray continuation bytes keep the text before them", "0" + strings.Repeat("\xb3", 200), 100, "0\uFFFD"},
		{"continuation run after a valid rune", "é" + strings.Repeat("\x80", 10), 5, "é\uFFFD"},
		{"zero", "abc", 0, ""},
		{"negative", "abc", -1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := String(tc.in, tc.n)
			if got != tc.want {
				t.Fatalf("String(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}

// FuzzString: the result is valid UTF-8, and cutting its own output again changes nothing.
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "abc", "ab€", "0\xb3\xb3\xb3", "\xff\xfe", "😀😀"} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		n = n % 200
		got := String(s, n)
		if !utf8.ValidString(got) {
			t.Fatalf("String(%q, %d) = %q: not valid UTF-8", s, n, got)
		}
		if len(s) <= max(n, 0) && utf8.ValidString(s) && got != s {
			t.Fatalf("String(%q, %d) = %q: changed a short valid string", s, n, got)
		}
		if again := String(got, 3*max(n, 0)); again != got {
			t.Fatalf("not stable: %q then %q", got, again)
		}
	})
}
