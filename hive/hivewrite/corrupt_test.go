package hivewrite

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/internal/corpus"
)

func corruptTree() *Key {
	return &Key{Name: "ROOT", Subkeys: []*Key{
		{Name: "Run", Values: []Value{SZ("a", "first"), SZ("evil", `C:\evil.exe`), Binary("big", bytes.Repeat([]byte("B"), 20000)), SZ("z", "last")}},
		{Name: "Leaf"},
		{Name: "Only", Values: []Value{DWORD("one", 1)}},
	}}
}

func TestAddCycle(t *testing.T) {
	for _, v := range []struct {
		path string
		opts Options
	}{
		{`\Run`, Options{}}, // no subkeys: a new leaf
		{`\`, Options{}},    // the root lists itself
		{`\Many`, Options{RIThreshold: 3}},
		{`\Many`, Options{SubkeyList: "li"}},
		{`\Many`, Options{Minor: 3}},
	} {
		t.Run(v.path+"/"+v.opts.SubkeyList, func(t *testing.T) {
			tree := corruptTree()
			many := &Key{Name: "Many"}
			for _, n := range []string{"a", "b", "c", "x", "y", "z", "q"} {
				many.Subkeys = append(many.Subkeys, &Key{Name: n})
			}
			tree.Subkeys = append(tree.Subkeys, many)
			h, err := Build(tree, v.opts)
			if err != nil {
				t.Fatal(err)
			}
			target := h.RootCell() // parent of every key used here
			nk, _ := h.KeyCell(v.path)
			oldList, hadList := h.SubkeyListCell(v.path)
			if err := h.AddCycle(v.path); err != nil {
				t.Fatal(err)
			}
			r := readRaw(h.Bytes)
			if len(r.errs) > 0 {
				t.Fatal(r.errs)
			}
			list := int(le32(h.Bytes, HiveBinsOffset+nk+4+0x1C))
			elems := r.readSubkeyList(list, v.path) // also checks hashes and hints
			if len(r.errs) > 0 {
				t.Error(r.errs)
			}
			found := 0
			for _, e := range elems {
				if e == target {
					found++
				}
			}
			if found != 1 {
				t.Errorf("subkey list lists the ancestor %d times", found)
			}
			if n := int(le32(h.Bytes, HiveBinsOffset+nk+4+0x14)); n != len(elems) {
				t.Errorf("nk subkey count %d, list has %d", n, len(elems))
			}
			if hadList && r.cells[oldList] <= 0 {
				t.Errorf("old list %#x still allocated", oldList)
			}
			if got, ok := h.SubkeyListCell(v.path); !ok || got != list {
				t.Errorf("SubkeyListCell = %#x, nk says %#x", got, list)
			}
		})
	}
	h, _ := Build(corruptTree(), Options{})
	if err := h.AddCycle(`\Nope`); err == nil {
		t.Error("AddCycle on a missing key succeeded")
	}
	h.Truncate(len(h.Bytes) - 1)
	if err := h.AddCycle(`\Run`); err == nil {
		t.Error("AddCycle on a truncated hive succeeded")
	}
}

func TestFreeValue(t *testing.T) {
	h, err := Build(corruptTree(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	vk, _ := h.ValueCell(`\Run`, "evil")
	data, _ := h.DataCell(`\Run`, "evil")
	big, _ := h.DataCell(`\Run`, "big")
	segs, _ := h.SegmentCells(`\Run`, "big")
	for _, name := range []string{"EVIL", "big"} {
		if err := h.FreeValue(`\Run`, name); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.FreeValue(`\Only`, "one"); err != nil {
		t.Fatal(err)
	}
	if err := h.FreeValue(`\Run`, "evil"); err == nil {
		t.Error("freeing a value twice succeeded")
	}
	if err := h.FreeValue(`\Nope`, "x"); err == nil {
		t.Error("freeing in a missing key succeeded")
	}
	r := readRaw(h.Bytes)
	for _, c := range append([]int{vk, data, big}, segs...) {
		if r.cells[c] <= 0 {
			t.Errorf("cell %#x not freed", c)
		}
	}
	p := HiveBinsOffset + vk + 4
	if string(h.Bytes[p:p+2]) != "vk" || !bytes.Contains(h.Bytes, utf16le(`C:\evil.exe`)) {
		t.Error("freed bytes were not left in place")
	}
	got, errs := readTree(h.Bytes, true)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := corruptTree()
	want.Subkeys[0].Values = []Value{SZ("a", "first"), SZ("z", "last")}
	want.Subkeys[2].Values = nil
	if d := cmp.Diff(canonical(want), got); d != "" {
		t.Errorf("after FreeValue (-want +got):\n%s", d)
	}
	if _, ok := h.DeletedValueCell(`\Run`, "evil"); !ok {
		t.Error("freed value not reported as deleted")
	}

	tool := corpus.RequireTool(t, "reglookup")
	file := filepath.Join(t.TempDir(), "freed.hiv")
	if err := h.WriteFile(file); err != nil {
		t.Fatal(err)
	}
	out := string(runPeer(t, tool, "-H", file))
	if strings.Contains(out, "evil") || strings.Contains(out, "/Run/big") || strings.Contains(out, "/Only/one") {
		t.Errorf("reglookup still lists a freed value:\n%s", out)
	}
	if !strings.Contains(out, "/Run/z,SZ,last,") {
		t.Errorf("reglookup lost the value after the freed one:\n%s", out)
	}
}

func TestSetValueSize(t *testing.T) {
	h, err := Build(corruptTree(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.SetValueSize(`\Run`, "a", 0x7FFF0000); err != nil {
		t.Fatal(err)
	}
	vk, _ := h.ValueCell(`\Run`, "a")
	if got := le32(h.Bytes, HiveBinsOffset+vk+4+4); got != 0x7FFF0000 {
		t.Errorf("size field %#x", got)
	}
	r := readRaw(h.Bytes)
	r.readValue(vk, `\Run`)
	if len(r.errs) == 0 {
		t.Error("a reader found no problem with the oversized value")
	}
	if err := h.SetValueSize(`\Run`, "nope", 1); err == nil {
		t.Error("SetValueSize on a missing value succeeded")
	}
}

func TestTruncateAndHbinHeader(t *testing.T) {
	h, err := Build(corruptTree(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	bins := h.Bins()
	if len(bins) < 2 {
		t.Fatalf("want several bins, have %v", bins)
	}
	declared := le32(h.Bytes, 0x28)
	h.Truncate(len(h.Bytes) - 100)
	if len(h.Bytes) != HiveBinsOffset+int(declared)-100 {
		t.Errorf("length %d", len(h.Bytes))
	}
	h.Fix()
	if le32(h.Bytes, 0x28) != declared {
		t.Error("Fix changed the declared size of a truncated hive")
	}
	if errs := readRaw(h.Bytes).errs; len(errs) == 0 {
		t.Error("truncated hive reads clean")
	}

	h, _ = Build(corruptTree(), Options{})
	if err := h.CorruptHbinHeader(1); err != nil {
		t.Fatal(err)
	}
	off := HiveBinsOffset + bins[1].Offset
	if string(h.Bytes[off:off+4]) == "hbin" {
		t.Error("signature intact")
	}
	if errs := readRaw(h.Bytes).errs; len(errs) == 0 || !strings.Contains(errs[0], "hbin") {
		t.Errorf("reader errors %v, want a bad hbin", errs)
	}
	if err := h.CorruptHbinHeader(len(bins)); err == nil {
		t.Error("CorruptHbinHeader past the last bin succeeded")
	}
}

func TestFixAfterPatch(t *testing.T) {
	h, err := Build(corruptTree(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	h.Bytes[0x04]++ // make it dirty by hand
	if le32(h.Bytes, 0x1FC) == Checksum(h.Bytes) {
		t.Fatal("patch did not change the checksum")
	}
	h.Fix()
	if errs := readRaw(h.Bytes).errs; len(errs) > 0 {
		t.Error(errs)
	}
}
