package sigma

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// occurrences lists "pattern@end" for every occurrence of every pattern in
// text, as strings.Index finds them, sorted.
func occurrences(patterns []string, text string) []string {
	var out []string
	for i, p := range patterns {
		if p == "" {
			continue
		}
		for at := 0; at+len(p) <= len(text); at++ {
			if strings.HasPrefix(text[at:], p) {
				out = append(out, fmt.Sprintf("%d@%d", i, at+len(p)))
			}
		}
	}
	slices.Sort(out)
	return out
}

func acOccurrences(m *matcher, text string, split int) []string {
	var out []string
	pos := 0
	fn := func(p int32) { out = append(out, fmt.Sprintf("%d@%d", p, pos)) }
	s := int32(0)
	for i := 0; i < len(text); i++ { // byte by byte, to know the end
		pos = i + 1
		if i == split { // a state handed from one call to the next goes on
			s = m.each(s, []byte(text[i:i+1]), fn)
			continue
		}
		s = m.each(s, []byte{text[i]}, fn)
	}
	slices.Sort(out)
	return out
}

func TestMatcher(t *testing.T) {
	patterns := []string{`\run\`, `\runonce`, `run`, `n\`, `\services\`, `ices`, `s`, `\\`, "é", `a\b`}
	texts := []string{``, `hklm\software\microsoft\windows\currentversion\run\x`, `\runonce\run\`, `sss`, `\\\\`, "aé\\b", `hklm\system\currentcontrolset\services\x`}
	m := newMatcher(patterns)
	for _, text := range texts {
		want := occurrences(patterns, text)
		if got := acOccurrences(m, text, len(text)/2); !slices.Equal(got, want) {
			t.Errorf("%q: got %v, want %v", text, got, want)
		}
	}
	if e := newMatcher(nil); e.each(0, []byte("anything"), func(int32) { t.Error("empty matcher reported a pattern") }) != 0 {
		t.Error("empty matcher left the start state")
	}
}

func FuzzMatcher(f *testing.F) {
	f.Add("run|\\run\\|n", `hklm\run\run`)
	f.Add("aa|a|aaa", "aaaa")
	f.Fuzz(func(t *testing.T, pats, text string) {
		if len(pats) > 200 || len(text) > 400 {
			return
		}
		patterns := strings.Split(pats, "|")
		m := newMatcher(patterns)
		want := occurrences(patterns, text)
		if got := acOccurrences(m, text, len(text)/3); !slices.Equal(got, want) {
			t.Fatalf("%q in %q: got %v, want %v", patterns, text, got, want)
		}
	})
}
