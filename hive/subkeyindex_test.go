package hive

import "testing"

// foldKey(a) == foldKey(b) exactly when foldEqual(a, b): the index answers
// as reading the list would.
func TestFoldKeyIsFoldEqual(t *testing.T) {
	names := []string{"", "Key", "KEY", "key", "\u212aey", "kEY", "Keys", "ſ", "S", "s", "Σ", "σ", "ς",
		"Größe", "GRÖSSE", "größe", "ß", "ẞ", "İ", "i", "I", "ı", "Имя", "ИМЯ", "имя", "\xff", "\xfe", "a\x00b", "A\x00B"}
	for _, a := range names {
		for _, b := range names {
			if got, want := foldKey(a) == foldKey(b), foldEqual(a, b); got != want {
				t.Errorf("%q, %q: same key %v, foldEqual %v", a, b, got, want)
			}
		}
	}
}

func FuzzFoldKey(f *testing.F) {
	f.Add("Key", "\u212aEY")
	f.Add("ſervices", "SERVICES")
	f.Add("Σίσυφος", "ΣΊΣΥΦΟΣ")
	f.Add("\xff", "\xfe")
	f.Fuzz(func(t *testing.T, a, b string) {
		if got, want := foldKey(a) == foldKey(b), foldEqual(a, b); got != want {
			t.Errorf("%q, %q: same key %v, foldEqual %v", a, b, got, want)
		}
	})
}
