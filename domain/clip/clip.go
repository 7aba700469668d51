// Package clip cuts text from outside (the upstream, webhooks, forms, headers) to a size the store and the pages
// accept.
package clip

import (
	"strings"
	"unicode/utf8"
)

// String cuts s to at most n bytes without splitting a UTF-8 sequence, and replaces invalid UTF-8.
//
// Only a valid rune that straddles the cut moves it back (by at most three bytes): stray continuation bytes are
// invalid anyway, and walking back over them would drop everything before a long run of them.
func String(s string, n int) string {
	if n < 0 {
		n = 0
	}
	if len(s) > n {
		cut := n
		for i := n - 1; i >= 0 && i > n-utf8.UTFMax; i-- {
			if utf8.RuneStart(s[i]) {
				if _, size := utf8.DecodeRuneInString(s[i:]); size > 1 && i+size > n {
					cut = i
				}
				break
			}
		}
		s = s[:cut]
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
