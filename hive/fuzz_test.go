package hive_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
)

// seedHives returns small builder hives covering every record kind: lf/lh/li
// leaves, an ri index, big data, inline data, classes, UTF-16 names, a
// cycle and a truncation.
func seedHives(f *testing.F) [][]byte {
	f.Helper()
	return seedHivesT(f)
}

func seedHivesT(f testing.TB) [][]byte {
	f.Helper()
	big := make([]byte, 20000)
	for i := range big {
		big[i] = byte(i)
	}
	tree := func() *hivetest.Key {
		many := &hivetest.Key{Name: "many"}
		for i := 0; i < 6; i++ {
			many.Subkeys = append(many.Subkeys, &hivetest.Key{Name: fmt.Sprint("k", i)})
		}
		return &hivetest.Key{Subkeys: []*hivetest.Key{
			{Name: "Select", Values: []hivetest.Value{hivetest.DWORD("Current", 1)}},
			{Name: "ControlSet001", Class: "cls", Subkeys: []*hivetest.Key{{Name: "Привет", Values: []hivetest.Value{
				hivetest.SZ("s", "x"), hivetest.MultiSZ("m", "a", "", "b"), hivetest.QWORD("q", 7),
				hivetest.Binary("b", []byte{1, 2}), hivetest.Value{Name: "u", Type: 99, Data: []byte("zz")},
			}}}},
			{Name: "big", Values: []hivetest.Value{hivetest.Binary("blob", big)}},
			many,
		}}
	}
	var out [][]byte
	for _, opts := range []hivetest.Options{
		{}, {Minor: 3, SubkeyList: "lf"}, {SubkeyList: "li", RIThreshold: 2},
	} {
		b, err := hivetest.Build(tree(), opts)
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, b.Bytes)
	}
	b, err := hivetest.Build(tree(), hivetest.Options{})
	if err != nil {
		f.Fatal(err)
	}
	if err := b.AddCycle(`\ControlSet001`); err != nil {
		f.Fatal(err)
	}
	out = append(out, append([]byte(nil), b.Bytes...))
	b.Truncate(len(b.Bytes) - 5000)
	out = append(out, b.Bytes)
	return out
}

// maxFuzzKeys bounds a fuzzed walk: a hive of n bytes cannot hold more
// than n/80 key cells, so a walk visiting more is broken.
func fuzzWalk(t *testing.T, data []byte) {
	h, err := hive.Parse(data, "fuzz")
	if err != nil {
		return
	}
	limit := len(data)/80 + 2
	n := 0
	err = h.Walk(context.Background(), `\`, func(k *hive.Key, err error) error {
		if err != nil {
			return nil
		}
		n++
		if n > limit {
			return errors.New("walk visits more keys than the hive can hold")
		}
		k.Name()
		k.LastWrite()
		k.Class()
		vals, _ := k.Values()
		for _, v := range vals {
			v.Data()
			v.Text()
			v.Strings()
			v.Uint64()
		}
		return nil
	})
	if err != nil && err.Error() == "walk visits more keys than the hive can hold" {
		t.Fatal(err)
	}
	h.Kind()
	h.ControlSets()
}

func FuzzParse(f *testing.F) {
	for _, b := range seedHives(f) {
		f.Add(b)
	}
	f.Add([]byte("regf"))
	f.Add([]byte("CREG\x00\x00"))
	f.Add([]byte("HvLE"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := hive.Parse(data, "fuzz")
		if err != nil {
			return
		}
		root, err := h.Root()
		if err != nil {
			return
		}
		subs, _ := root.Subkeys()
		for _, s := range subs {
			s.Values()
		}
		h.Key(`ControlSet001\Привет`)
		h.Select()
	})
}

func FuzzWalk(f *testing.F) {
	for _, b := range seedHives(f) {
		f.Add(b)
	}
	f.Fuzz(fuzzWalk)
}

func FuzzDecodeString(f *testing.F) {
	for _, s := range []string{"", "a", "hello\x00", "\x00\x00", "1;1755\x00", "h\x00i\x00\x00\x00", "\xff\xd8", "'Yck_\x00'Y\x00\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s := hive.DecodeString(b)
		if len(s) > 3*len(b)+3 {
			t.Fatalf("%d bytes decoded to %d", len(b), len(s))
		}
	})
}

func FuzzDecodeMultiString(f *testing.F) {
	for _, s := range []string{"", "a\x00\x00\x00", "a\x00\x00\x00b\x00\x00\x00\x00\x00", "\x00\x00\x00\x00", "x"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		l := hive.DecodeMultiString(b)
		if len(l) > len(b)/2+1 {
			t.Fatalf("%d bytes decoded to %d strings", len(b), len(l))
		}
		if len(l) > 0 && l[len(l)-1] == "" {
			t.Fatalf("trailing empty string in %q", l)
		}
	})
}

func FuzzDecodeData(f *testing.F) {
	f.Add(uint32(1), []byte("a\x00"))
	f.Add(uint32(4), []byte{1, 2, 3, 4})
	f.Add(uint32(5), []byte{1, 2, 3})
	f.Add(uint32(7), []byte("a\x00\x00\x00"))
	f.Add(uint32(11), make([]byte, 8))
	f.Add(uint32(0xffff0012), []byte{9})
	f.Fuzz(func(t *testing.T, typ uint32, b []byte) {
		switch d := hive.DecodeData(hive.ValueType(typ), b).(type) {
		case string, []string, uint64:
		case []byte:
			if len(d) != len(b) {
				t.Fatalf("bytes changed length")
			}
		default:
			t.Fatalf("DecodeData returned %T", d)
		}
	})
}
