package hivewrite

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzBuild builds hives from fuzzed names and data and checks that the
// independent reader finds exactly the description.
func FuzzBuild(f *testing.F) {
	f.Add("Run", "Привет", []byte("data"), uint8(0), uint8(5))
	f.Add("Café", "", make([]byte, 17000), uint8(1), uint8(4))
	f.Add("a", "b", []byte{}, uint8(2), uint8(3))
	f.Fuzz(func(t *testing.T, keyName, valueName string, data []byte, kind, minor uint8) {
		if len(data) > 1<<17 {
			return
		}
		lists := []string{"lh", "lf", "li"}
		opts := Options{Minor: 3 + uint32(minor%4), SubkeyList: lists[int(kind)%3], RIThreshold: 1 + int(kind)%4}
		tree := &Key{Name: "ROOT", Subkeys: []*Key{
			{Name: keyName, Class: valueName, Values: []Value{{Name: valueName, Type: uint32(kind), Data: data}}},
			{Name: keyName + "2"}, {Name: "x" + keyName}, {Name: "X" + keyName + "y"},
		}}
		h, err := Build(tree, opts)
		if err != nil {
			if keyName == "" || strings.Contains(keyName, `\`) || len(keyName) > 200 || len(valueName) > 16000 ||
				strings.EqualFold(keyName+"2", "x"+keyName) || strings.ContainsRune(keyName, 0xFFFD) {
				return // names Windows could not store, or that collide
			}
			t.Fatalf("Build: %v", err)
		}
		got, errs := readTree(h.Bytes, false)
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		want := canonical(tree)
		// Names round-trip through UTF-16 and Latin-1; invalid UTF-8 does not.
		if strings.ToValidUTF8(keyName, "\uFFFD") != keyName || strings.ToValidUTF8(valueName, "\uFFFD") != valueName {
			return
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("read back (-want +got):\n%.2000s", d)
		}
	})
}
