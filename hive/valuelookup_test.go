package hive_test

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/hivescan/hivescan/hive/hivetest"
)

// Value looks names up in the value cells without decoding the others: the
// same answers as a decode-everything lookup, for ASCII, Latin-1 and UTF-16
// names, in any letter case.
func TestValueLookupByName(t *testing.T) {
	h, _ := build(t, &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{{
		Name: "K",
		Values: []hivetest.Value{
			hivetest.SZ("ImagePath", "a"),
			hivetest.SZ("Größe", "b"),  // Latin-1: stored compressed
			hivetest.SZ("Имя", "c"),    // UTF-16
			hivetest.SZ("", "default"), // the default value
			hivetest.SZ("ImagePathX", "d"),
		},
	}}}, hivetest.Options{})
	k := mustKey(t, h, `K`)
	for name, want := range map[string]string{
		"ImagePath": "a", "imagepath": "a", "IMAGEPATH": "a", "imagepathx": "d",
		"Größe": "b", "größe": "b", "Имя": "c", "имя": "c", "": "default",
	} {
		v, err := k.Value(name)
		if err != nil {
			t.Errorf("Value(%q): %v", name, err)
			continue
		}
		if s, _ := v.Text(); s != want {
			t.Errorf("Value(%q) = %q, want %q", name, s, want)
		}
	}
	for _, name := range []string{"Image", "ImagePat", "Grosse", "x"} {
		_, err := k.Value(name)
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Value(%q): %v, want fs.ErrNotExist", name, err)
		}
	}
	if _, err := k.Value("Image"); err == nil || err.Error() != `\K: value "Image": file does not exist` {
		t.Errorf("missing value error: %v", err)
	}
}
