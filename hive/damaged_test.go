package hive_test

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
)

// damagedHive builds a hive with keys Software\Run (values Alpha, Beta) and
// Software\Other, then lets patch damage its bytes.
func damagedHive(t *testing.T, patch func(b *hivetest.Hive)) *hive.Hive {
	t.Helper()
	b, err := hivetest.Build(&hivetest.Key{Subkeys: []*hivetest.Key{
		{Name: "Software", Subkeys: []*hivetest.Key{
			{Name: "Other"},
			{Name: "Run", Values: []hivetest.Value{hivetest.SZ("Alpha", "a"), hivetest.SZ("Beta", "b")}},
		}},
	}}, hivetest.Options{})
	if err != nil {
		t.Fatalf("hivetest.Build: %v", err)
	}
	patch(b)
	b.Fix()
	h, err := hive.Parse(b.Bytes, "damaged")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return h
}

func TestLookupDamagedIsNotAbsent(t *testing.T) {
	smashCell := func(cell func(b *hivetest.Hive) (int, bool)) func(*hivetest.Hive) {
		return func(b *hivetest.Hive) {
			off, ok := cell(b)
			if !ok {
				t.Fatal("cell not found")
			}
			// Overwrite the list's signature (subkey list) or first
			// entry (value list) with an offset no cell has.
			p := hivetest.HiveBinsOffset + off + 4
			copy(b.Bytes[p:], []byte{0xfe, 0xff, 0xff, 0x7f})
		}
	}
	subList := smashCell(func(b *hivetest.Hive) (int, bool) { return b.SubkeyListCell(`Software`) })
	valList := smashCell(func(b *hivetest.Hive) (int, bool) { return b.ValueListCell(`Software\Run`) })
	intact := func(*hivetest.Hive) {}

	for _, tc := range []struct {
		name     string
		patch    func(*hivetest.Hive)
		lookup   func(h *hive.Hive) error
		damaged  bool // want ErrDamaged (and not fs.ErrNotExist)
		notExist bool // want fs.ErrNotExist (and not ErrDamaged)
	}{
		{"subkey present", intact, subkey(`Software`, "Run"), false, false},
		{"subkey missing", intact, subkey(`Software`, "Nope"), false, true},
		{"subkey in damaged list", subList, subkey(`Software`, "Run"), true, false},
		{"path through damaged list", subList, key(`Software\Run`), true, false},
		{"path missing above damaged list", subList, key(`Nope\Run`), false, true},
		{"subkeys of damaged list", subList, subkeys(`Software`), true, false},
		{"value present", intact, value(`Software\Run`, "Beta"), false, false},
		{"value missing", intact, value(`Software\Run`, "Gamma"), false, true},
		{"value in damaged list", valList, value(`Software\Run`, "Alpha"), true, false},
		{"value missing beside damaged list", valList, value(`Software\Run`, "Gamma"), true, false},
		{"values of damaged list", valList, values(`Software\Run`), true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.lookup(damagedHive(t, tc.patch))
			if got := errors.Is(err, hive.ErrDamaged); got != tc.damaged {
				t.Errorf("errors.Is(%v, ErrDamaged) = %v, want %v", err, got, tc.damaged)
			}
			if got := errors.Is(err, fs.ErrNotExist); got != tc.notExist {
				t.Errorf("errors.Is(%v, fs.ErrNotExist) = %v, want %v", err, got, tc.notExist)
			}
			if !tc.damaged && !tc.notExist && err != nil {
				t.Errorf("err = %v, want nil", err)
			}
			var fe *hive.FormatError
			if tc.damaged && !errors.As(err, &fe) {
				t.Errorf("%v carries no FormatError (offset)", err)
			}
		})
	}
}

// The value list keeps its readable entries: Beta, after the smashed
// first entry, is still found.
func TestValueBesideDamagedEntry(t *testing.T) {
	h := damagedHive(t, func(b *hivetest.Hive) {
		off, _ := b.ValueListCell(`Software\Run`)
		copy(b.Bytes[hivetest.HiveBinsOffset+off+4:], []byte{0xfe, 0xff, 0xff, 0x7f})
	})
	if err := value(`Software\Run`, "Beta")(h); err != nil {
		t.Errorf("Value(Beta) beside a damaged entry: %v", err)
	}
}

func TestFormatErrorIsDamaged(t *testing.T) {
	if _, err := hive.Parse(append([]byte("regf"), make([]byte, 96)...), "short"); !errors.Is(err, hive.ErrDamaged) {
		t.Errorf("Parse of a short file: %v, want ErrDamaged", err)
	}
	if errors.Is(&hive.FormatError{Msg: "x"}, fs.ErrNotExist) {
		t.Error("FormatError matches fs.ErrNotExist")
	}
}

func key(path string) func(*hive.Hive) error {
	return func(h *hive.Hive) error { _, err := h.Key(path); return err }
}

// at returns a lookup that finds the key at path, then runs f on it.
func at(path string, f func(k *hive.Key) error) func(*hive.Hive) error {
	return func(h *hive.Hive) error {
		k, err := h.Key(path)
		if err != nil {
			return err
		}
		return f(k)
	}
}

func subkey(path, name string) func(*hive.Hive) error {
	return at(path, func(k *hive.Key) error { _, err := k.Subkey(name); return err })
}

func subkeys(path string) func(*hive.Hive) error {
	return at(path, func(k *hive.Key) error { _, err := k.Subkeys(); return err })
}

func value(path, name string) func(*hive.Hive) error {
	return at(path, func(k *hive.Key) error { _, err := k.Value(name); return err })
}

func values(path string) func(*hive.Hive) error {
	return at(path, func(k *hive.Key) error { _, err := k.Values(); return err })
}

// A Select value that cannot be read is an error, not a missing role; the
// roles that could be read are kept.
func TestSelectDamaged(t *testing.T) {
	for _, tc := range []struct {
		name        string
		values      []hivetest.Value
		smashList   bool
		wantCurrent int
		wantErr     bool
		wantDamaged bool
	}{
		{"clean", []hivetest.Value{hivetest.DWORD("Current", 1)}, false, 1, false, false},
		{"absent values", nil, false, 0, false, false},
		{"Default of the wrong type", []hivetest.Value{hivetest.DWORD("Current", 1), hivetest.SZ("Default", "1")}, false, 1, true, false},
		{"value list damaged", []hivetest.Value{hivetest.DWORD("Current", 1)}, true, 0, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := hivetest.Build(&hivetest.Key{Subkeys: []*hivetest.Key{
				{Name: "ControlSet001"}, {Name: "Select", Values: tc.values},
			}}, hivetest.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if tc.smashList {
				off, _ := b.ValueListCell(`Select`)
				copy(b.Bytes[hivetest.HiveBinsOffset+off+4:], []byte{0xfe, 0xff, 0xff, 0x7f})
				b.Fix()
			}
			h, err := hive.Parse(b.Bytes, "system")
			if err != nil {
				t.Fatal(err)
			}
			sel, err := h.Select()
			if sel.Current != tc.wantCurrent || (err != nil) != tc.wantErr || errors.Is(err, hive.ErrDamaged) != tc.wantDamaged {
				t.Errorf("Select = %+v, %v; want Current %d, error %v (damaged %v)", sel, err, tc.wantCurrent, tc.wantErr, tc.wantDamaged)
			}
			sets, err := h.ControlSets()
			if len(sets) != 1 || (err != nil) != tc.wantErr || sets[0].IsCurrent() != (tc.wantCurrent == 1) {
				t.Errorf("ControlSets = %+v, %v; want ControlSet001 (current %v), error %v", sets, err, tc.wantCurrent == 1, tc.wantErr)
			}
		})
	}
}
