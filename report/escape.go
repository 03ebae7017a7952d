package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// escapeText makes attacker-controlled text safe for a terminal: control
// characters (including ESC, CR, LF and tab), Unicode format characters
// (bidi overrides such as U+202E, zero-width characters, the BOM), line and
// paragraph separators and invalid UTF-8 bytes are shown as Go-style escapes
// (\x1b, \u202e, \xff). Every other character, including non-ASCII letters,
// is kept. A literal backslash is kept too, as registry paths are full of
// them: the JSON report is the unambiguous form.
func escapeText(s string) string { return escapeUnsafe(s, keepBackslashes) }

// backslashRule says what escapeUnsafe does with a literal backslash.
type backslashRule bool

const (
	// keepBackslashes keeps every backslash: the table and the terminal,
	// where the JSON report is the unambiguous form.
	keepBackslashes backslashRule = false
	// escapeAmbiguousBackslashes writes a backslash that would read as an
	// escape (\xNN, \uNNNN, \UNNNNNNNN) as \x5c, so that UnescapeCSVCell
	// gives the text back exactly; other backslashes stay.
	escapeAmbiguousBackslashes backslashRule = true
)

// escapeUnsafe writes unsafe runes (see unsafeRune) and invalid UTF-8 bytes
// of s as \xNN, \uNNNN or \UNNNNNNNN (lower-case hex), and backslashes by
// rule; s is returned as is when nothing needs escaping.
func escapeUnsafe(s string, rule backslashRule) string {
	if !needsEscape(s) && (rule == keepBackslashes || !strings.Contains(s, `\`)) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case rule == escapeAmbiguousBackslashes && r == '\\' && escapeAt(s[i:]) > 0:
			b.WriteString(`\x5c`)
		case !unsafeRune(r):
			b.WriteString(s[i : i+size])
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return true
			}
		}
		if unsafeRune(r) {
			return true
		}
	}
	return false
}

// unsafeRune reports whether r can move the cursor, change the terminal's
// state, reorder text or hide itself.
func unsafeRune(r rune) bool {
	return unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp)
}
