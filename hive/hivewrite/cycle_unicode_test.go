package hivewrite_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivewrite"
)

// AddCycle on a key whose path is not ASCII used to dereference a nil
// parent (the parent was looked up by its path as written, the map is keyed
// upper-cased). The cycle it makes must be what a reader sees.
func TestAddCycleUnicodePath(t *testing.T) {
	root := &hivewrite.Key{Name: "ROOT", Subkeys: []*hivewrite.Key{{Name: "ControlSet001", Subkeys: []*hivewrite.Key{{Name: "Привет", Subkeys: []*hivewrite.Key{{Name: "x"}}}}}}}
	b, err := hivewrite.Build(root, hivewrite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.AddCycle(`\controlset001\привет`); err != nil {
		t.Fatal(err)
	}
	b.Fix()
	h, err := hive.Parse(b.Bytes, "cycle")
	if err != nil {
		t.Fatal(err)
	}
	var cycles int
	err = h.Walk(context.Background(), `\`, func(k *hive.Key, err error) error {
		if errors.Is(err, hive.ErrCycle) && k.Path() == `\ControlSet001\Привет` {
			cycles++
		}
		return nil
	})
	if err != nil || cycles != 1 {
		t.Fatalf("walk: err %v, %d cycles reported at the Unicode key", err, cycles)
	}
}
