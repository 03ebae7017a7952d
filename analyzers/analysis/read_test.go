package analysis_test

import (
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
)

// readerKey builds a hive whose key \K holds good, oddly typed and damaged
// values, and returns K.
func readerKey(t *testing.T) *hive.Key {
	t.Helper()
	b, err := hivetest.Build(&hivetest.Key{Subkeys: []*hivetest.Key{{Name: "K", Values: []hivetest.Value{
		hivetest.DWORD("one", 1),
		hivetest.QWORD("big", 1<<40),
		{Name: "short", Type: hivetest.TypeDWORD, Data: []byte{1, 2, 3}},
		hivetest.SZ("text", "  cmd.exe /c x  "),
		hivetest.MultiSZ("multi", "a", "b"),
		hivetest.SZ("number-as-text", "1"),
		hivetest.MultiSZ("cut", "a long enough line to need its own data cell"),
	}}}}, hivetest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// "cut" claims more data than the file holds: its cell cannot be read.
	if err := b.SetValueSize(`\K`, "cut", 0x100000); err != nil {
		t.Fatal(err)
	}
	b.Fix()
	h, err := hive.Parse(b.Bytes, "readers")
	if err != nil {
		t.Fatal(err)
	}
	root, err := h.Root()
	if err != nil {
		t.Fatal(err)
	}
	k, err := root.Key("K")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestUintTellsAbsenceFromDamage(t *testing.T) {
	k := readerKey(t)
	tests := []struct {
		name    string
		n       uint64
		found   bool
		wantErr bool
	}{
		{"one", 1, true, false},
		{"big", 1 << 40, true, false},
		{"absent", 0, false, false},
		{"number-as-text", 0, false, false}, // a string is not a number
		{"short", 0, false, true},           // a 3-byte DWORD is damage
	}
	for _, tc := range tests {
		n, v, found, err := analysis.Uint(k, tc.name)
		if n != tc.n || found != tc.found || (err != nil) != tc.wantErr {
			t.Errorf("Uint(%q) = %d, found %v, err %v; want %d, %v, error %v", tc.name, n, found, err, tc.n, tc.found, tc.wantErr)
		}
		if found && v == nil {
			t.Errorf("Uint(%q) found without its value", tc.name)
		}
	}
}

func TestTextReaders(t *testing.T) {
	k := readerKey(t)
	if _, s, err := analysis.Text(k, "text"); s != "cmd.exe /c x" || err != nil {
		t.Errorf("Text(text) = %q, %v", s, err)
	}
	if _, s, err := analysis.Text(k, "multi"); s != "a b" || err != nil {
		t.Errorf("Text(multi) = %q, %v", s, err)
	}
	if v, s, err := analysis.Text(k, "absent"); v != nil || s != "" || err != nil {
		t.Errorf("Text(absent) = %v, %q, %v; want nothing and no error", v, s, err)
	}
	if v, s, err := analysis.Text(k, "one"); v != nil || s != "" || err != nil {
		t.Errorf("Text(DWORD) = %v, %q, %v; want nothing and no error", v, s, err)
	}
	multi, _, _ := analysis.OptionalValue(k, "multi")
	if s, ok, err := analysis.ValueText(multi); s != "a,b" || !ok || err != nil {
		t.Errorf("ValueText(multi) = %q, %v, %v", s, ok, err)
	}
	one, _, _ := analysis.OptionalValue(k, "one")
	if _, ok, err := analysis.ValueText(one); ok || err != nil {
		t.Errorf("ValueText(DWORD) = ok %v, err %v; want not a string, no error", ok, err)
	}
	cut, found, err := analysis.OptionalValue(k, "cut")
	if !found || err != nil {
		t.Fatalf("OptionalValue(cut) = %v, %v", found, err)
	}
	if _, err := analysis.ValueLines(cut); err == nil {
		t.Error("ValueLines of a value whose data lies beyond the file gave no error")
	}
	if _, _, err := analysis.Text(k, "cut"); err == nil {
		t.Error("Text of a value whose data lies beyond the file gave no error")
	}
	if _, _, err := analysis.ValueText(cut); err == nil {
		t.Error("ValueText of a value whose data lies beyond the file gave no error")
	}
}

func TestOptionalKeyAbsence(t *testing.T) {
	k := readerKey(t)
	if sub, found, err := analysis.OptionalKey(k, `No\Such`); sub != nil || found || err != nil {
		t.Errorf("OptionalKey(absent) = %v, %v, %v", sub, found, err)
	}
	if subs, err := analysis.Subkeys(k, "Absent"); subs != nil || err != nil {
		t.Errorf("Subkeys(absent) = %v, %v", subs, err)
	}
}
