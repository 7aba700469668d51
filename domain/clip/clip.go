// Package clip cuts text from outside (the upstream, webhooks, forms, headers) to a size the store and the pages
// accept.
package clip

import (
	"strings"
	"unicode/utf8"
)

// String cuts s to at most n bytes without splitting a UTF-8 sequence, and replaces invalid UTF-8.
func String(s string, n int) string {
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
