package report

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestEscapeText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`C:\Windows\System32\smss.exe`, `C:\Windows\System32\smss.exe`},
		{"ünïcödé 日本語", "ünïcödé 日本語"},
		{"\x1b[2J\x1b]0;title\x07", `\x1b[2J\x1b]0;title\x07`},
		{"a\r\nb\tc\x00d\x7f", `a\x0d\x0ab\x09c\x00d\x7f`},
		{"\u009b31m", `\u009b31m`}, // C1 CSI
		{"evil\u202Eexe.txt", `evil\u202eexe.txt`},
		{"\u2066\u2067\u2068\u2069\u202A\u202B\u202C\u202D\u200E\u200F\u061C", `\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u200e\u200f\u061c`},
		{"zero\u200Bwidth\u200C\u200D\u2060\uFEFF", `zero\u200bwidth\u200c\u200d\u2060\ufeff`},
		{"line\u2028para\u2029", `line\u2028para\u2029`},
		{"tag\U000E0041", `tag\U000e0041`},
		{"bad\xff\xfeutf8", `bad\xff\xfeutf8`},
		{"\uFFFD is a real character", "\uFFFD is a real character"},
	}
	for _, tt := range tests {
		if got := escapeText(tt.in); got != tt.want {
			t.Errorf("escapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Every string of the fixture reaches the table escaped: no control or
// format character survives into the text output.
func TestTableHasNoRawControls(t *testing.T) {
	var b strings.Builder
	if err := (&tableWriter{}).Write(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	for i, r := range b.String() {
		if r != '\n' && unsafeRune(r) {
			t.Fatalf("raw %U at byte %d of the table output", r, i)
		}
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aaa bbb ccc  ddd "+strings.Repeat("x", 12), 10)
	want := []string{"aaa bbb", "ccc  ddd", strings.Repeat("x", 12)}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("wrap = %q, want %q", got, want)
	}
}

func TestTruncate(t *testing.T) {
	if got := truncate("ünï", 3); got != "ünï" {
		t.Errorf("truncate at the limit = %q", got)
	}
	if got, want := truncate("ünïcödé", 3), "ünï... (4 more characters)"; got != want {
		t.Errorf("truncate = %q, want %q", got, want)
	}
}

// FuzzEscapeText checks that no input gets an unsafe or invalid character
// through, and that safe text is left alone.
func FuzzEscapeText(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[31mred", "evil\u202Eexe.txt", "\xff\xfe", "zero\u200Bwidth", "ünï\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := escapeText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("escapeText(%q) = %q is not valid UTF-8", s, got)
		}
		for _, r := range got {
			if unsafeRune(r) {
				t.Fatalf("escapeText(%q) = %q keeps %U", s, got, r)
			}
		}
		if !needsEscape(s) && got != s {
			t.Fatalf("escapeText(%q) = %q changed safe text", s, got)
		}
	})
}
