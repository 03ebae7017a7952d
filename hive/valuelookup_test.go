package hive_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/corpus"
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

// Subkey compares ASCII names without decoding them and decodes the others:
// it finds the same key as comparing decoded names case-insensitively, for
// ASCII, Latin-1 and UTF-16 names and for a query whose fold is not ASCII
// (the Kelvin sign folds to k).
func TestSubkeyLookupByName(t *testing.T) {
	h, _ := build(t, &hivetest.Key{Name: "ROOT", Subkeys: []*hivetest.Key{
		{Name: "Key"}, {Name: "Größe"}, {Name: "Имя"}, {Name: "KeyX"},
	}}, hivetest.Options{})
	for q, want := range map[string]string{
		"Key": "Key", "KEY": "Key", "key": "Key", "\u212aey": "Key", "keyx": "KeyX",
		"Größe": "Größe", "GRÖSSE": "", "größe": "Größe", "Имя": "Имя", "ИМЯ": "Имя",
		"Ke": "", "Keyy": "", "": "",
	} {
		k, err := h.Key(`\` + q)
		if q == "" {
			continue // the root itself
		}
		switch {
		case want == "" && !errors.Is(err, fs.ErrNotExist):
			t.Errorf("Key(%q): %v, want fs.ErrNotExist", q, err)
		case want != "" && (err != nil || k.Name() != want):
			t.Errorf("Key(%q) = %v, %v; want %q", q, k, err, want)
		}
	}
}

// On every primary corpus hive, Subkey(name) in three letter cases, and for
// names the list may not hold, finds the first subkey of the list whose
// decoded name folds equal, or none: read entry by entry or, for a large
// list looked up again and again, from its index.
func TestSubkeyLookupCorpus(t *testing.T) {
	for _, e := range corpus.Manifest(t) {
		if !isPrimary(e) {
			continue
		}
		t.Run(e.Path, func(t *testing.T) {
			t.Parallel()
			h, err := hive.Open(corpus.Path(t, e.Path))
			if err != nil {
				t.Skipf("not readable: %v", err)
			}
			h.Walk(context.Background(), `\`, func(k *hive.Key, err error) error {
				if err != nil {
					return nil
				}
				subs, err := k.Subkeys()
				if err != nil {
					return nil // a damaged list: Subkey's answer is checked elsewhere
				}
				step := max(1, len(subs)/50)
				for i := 0; i < len(subs); i += step {
					n := subs[i].Name()
					// Names the list may not hold too: a large list
					// looked up this often is answered from its index.
					for _, q := range []string{n, strings.ToUpper(n), strings.ToLower(n), n + "x", n[:len(n)/2], "\u212a" + n} {
						var want *hive.Key
						for _, s := range subs {
							if strings.EqualFold(s.Name(), q) {
								want = s
								break
							}
						}
						got, err := k.Subkey(q)
						switch {
						case want == nil && err == nil:
							t.Errorf("%s: Subkey(%q) found %s, want none", k.Path(), q, got.Path())
						case want != nil && (err != nil || got.Offset() != want.Offset()):
							t.Errorf("%s: Subkey(%q) = %v, %v; want the key at %#x", k.Path(), q, got, err, want.Offset())
						}
					}
				}
				return nil
			})
		})
	}
}
