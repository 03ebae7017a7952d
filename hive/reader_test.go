package hive_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/hivetest"
)

// build builds a hive with hivetest and parses it with hive.Parse.
func build(t testing.TB, root *hivetest.Key, opts hivetest.Options) (*hive.Hive, *hivetest.Hive) {
	t.Helper()
	b, err := hivetest.Build(root, opts)
	if err != nil {
		t.Fatalf("hivetest.Build: %v", err)
	}
	h, err := hive.Parse(b.Bytes, "test")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return h, b
}

func mustKey(t testing.TB, h *hive.Hive, path string) *hive.Key {
	t.Helper()
	k, err := h.Key(path)
	if err != nil {
		t.Fatalf("Key(%q): %v", path, err)
	}
	return k
}

func mustValue(t testing.TB, k *hive.Key, name string) *hive.Value {
	t.Helper()
	v, err := k.Value(name)
	if err != nil {
		t.Fatalf("Value(%q): %v", name, err)
	}
	return v
}

func utf16bytes(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, u)
	}
	return b
}

func TestNames(t *testing.T) {
	root := &hivetest.Key{Subkeys: []*hivetest.Key{
		{Name: "Привет", Values: []hivetest.Value{hivetest.SZ("Ключ", "значение")}},
		{Name: "ëigenaardig"},
		{Name: "Software", Subkeys: []*hivetest.Key{{Name: "Run", Values: []hivetest.Value{
			hivetest.SZ("Updater™", `C:\evil.exe`),
		}}}},
	}}
	h, _ := build(t, root, hivetest.Options{})
	tests := []struct {
		path     string
		wantPath string
		wantName string
		compName bool // stored as Latin-1
	}{
		{`\Привет`, `\Привет`, "Привет", false},
		{`привет`, `\Привет`, "Привет", false}, // case-insensitive beyond ASCII
		{`\ËIGENAARDIG`, `\ëigenaardig`, "ëigenaardig", true},
		{`software\RUN`, `\Software\Run`, "Run", true},
	}
	for _, tt := range tests {
		k := mustKey(t, h, tt.path)
		if k.Path() != tt.wantPath || k.Name() != tt.wantName {
			t.Errorf("Key(%q) = %q %q, want %q %q", tt.path, k.Path(), k.Name(), tt.wantPath, tt.wantName)
		}
		if got := k.Flags()&hive.KeyCompName != 0; got != tt.compName {
			t.Errorf("Key(%q): compressed name flag %v, want %v", tt.path, got, tt.compName)
		}
	}
	v := mustValue(t, mustKey(t, h, `\Software\Run`), "updater™")
	if s, err := v.Text(); err != nil || v.Name() != "Updater™" || s != `C:\evil.exe` {
		t.Errorf("Run value = %q %q %v", v.Name(), s, err)
	}
	v = mustValue(t, mustKey(t, h, `\Привет`), "КЛЮЧ")
	if s, _ := v.Text(); s != "значение" {
		t.Errorf("UTF-16 value data = %q", s)
	}
}

func TestLastWrite(t *testing.T) {
	when := time.Date(2019, 6, 1, 10, 20, 30, 123456700, time.UTC)
	h, _ := build(t, &hivetest.Key{LastWrite: when, Subkeys: []*hivetest.Key{{Name: "k", LastWrite: when.Add(100)}}}, hivetest.Options{})
	root, err := h.Root()
	if err != nil {
		t.Fatal(err)
	}
	if got := root.LastWrite(); !got.Equal(when) || got.Location() != time.UTC {
		t.Errorf("root LastWrite = %v, want %v UTC", got, when)
	}
	if got := mustKey(t, h, "k").LastWrite(); !got.Equal(when.Add(100)) {
		t.Errorf("LastWrite = %v, want %v (100 ns step)", got, when.Add(100))
	}
	if !h.Header.LastWritten.Equal(hivetest.DefaultTime()) {
		t.Errorf("Header.LastWritten = %v", h.Header.LastWritten)
	}
}

func TestValues(t *testing.T) {
	big := make([]byte, 100<<10)
	for i := range big {
		big[i] = byte(i * 7)
	}
	odd := append(utf16bytes("abc"), 'x') // an odd trailing byte
	tests := []struct {
		val      hivetest.Value
		wantType hive.ValueType
		want     any
	}{
		{hivetest.SZ("sz", "hello"), hive.RegSZ, "hello"},
		{hivetest.SZ("empty", ""), hive.RegSZ, ""},
		{hivetest.Value{Name: "odd", Type: hivetest.TypeSZ, Data: odd}, hive.RegSZ, "abc"},
		{hivetest.Value{Name: "noterm", Type: hivetest.TypeSZ, Data: utf16bytes("abc")}, hive.RegSZ, "abc"},
		{hivetest.Value{Name: "8bit", Type: hivetest.TypeSZ, Data: []byte("1;17553340146431275410\x00")}, hive.RegSZ, "1;17553340146431275410"},
		{hivetest.Value{Name: "utf16-printable-bytes", Type: hivetest.TypeSZ, Data: utf16bytes("大正_大\x00")}, hive.RegSZ, "大正_大"},
		{hivetest.Value{Name: "junk", Type: hivetest.TypeSZ, Data: append(utf16bytes("ok\x00"), 0x41, 0x42, 0x43, 0x44)}, hive.RegSZ, "ok"},
		{hivetest.ExpandSZ("exp", `%SystemRoot%\x`), hive.RegExpandSZ, `%SystemRoot%\x`},
		{hivetest.Value{Name: "link", Type: hivetest.TypeLink, Data: utf16bytes(`\Registry\Machine\System\ControlSet001`)}, hive.RegLink, `\Registry\Machine\System\ControlSet001`},
		{hivetest.MultiSZ("multi", "a", "bb", "ccc"), hive.RegMultiSZ, []string{"a", "bb", "ccc"}},
		{hivetest.MultiSZ("multi-empty"), hive.RegMultiSZ, []string{}},
		{hivetest.MultiSZ("pending", `\??\C:\a.tmp`, "", `\??\C:\b.tmp`, `\??\C:\c.tmp`), hive.RegMultiSZ, []string{`\??\C:\a.tmp`, "", `\??\C:\b.tmp`, `\??\C:\c.tmp`}},
		{hivetest.DWORD("dword", 0xdeadbeef), hive.RegDWORD, uint64(0xdeadbeef)},
		{hivetest.Value{Name: "dwordbe", Type: hivetest.TypeDWORDBigEndian, Data: []byte{0xde, 0xad, 0xbe, 0xef}}, hive.RegDWORDBigEndian, uint64(0xdeadbeef)},
		{hivetest.Value{Name: "dword8", Type: hivetest.TypeDWORD, Data: make([]byte, 8)}, hive.RegDWORD, make([]byte, 8)},
		{hivetest.QWORD("qword", 0x0102030405060708), hive.RegQWORD, uint64(0x0102030405060708)},
		{hivetest.Value{Name: "none", Type: hivetest.TypeNone}, hive.RegNone, []byte{}},
		{hivetest.Value{Name: "none2", Type: hivetest.TypeNone, Data: []byte{1, 2}}, hive.RegNone, []byte{1, 2}},
		{hivetest.Value{Name: "unknown", Type: 0x1234, Data: []byte{9, 8, 7, 6, 5}}, hive.ValueType(0x1234), []byte{9, 8, 7, 6, 5}},
		{hivetest.Binary("inline3", []byte{1, 2, 3}), hive.RegBinary, []byte{1, 2, 3}},
		{hivetest.Binary("big", big), hive.RegBinary, big},
		{hivetest.Value{Name: "", Type: hivetest.TypeSZ, Data: utf16bytes("default\x00")}, hive.RegSZ, "default"},
	}
	var vals []hivetest.Value
	for _, tt := range tests {
		vals = append(vals, tt.val)
	}
	h, _ := build(t, &hivetest.Key{Subkeys: []*hivetest.Key{{Name: "v", Values: vals}}}, hivetest.Options{})
	k := mustKey(t, h, "v")
	if k.NumValues() != len(tests) {
		t.Fatalf("NumValues = %d, want %d", k.NumValues(), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.val.Name, func(t *testing.T) {
			v := mustValue(t, k, tt.val.Name)
			if v.Type() != tt.wantType {
				t.Errorf("Type = %v, want %v", v.Type(), tt.wantType)
			}
			if v.Size() != len(tt.val.Data) {
				t.Errorf("Size = %d, want %d", v.Size(), len(tt.val.Data))
			}
			b, err := v.Bytes()
			if err != nil || !bytes.Equal(b, tt.val.Data) {
				t.Errorf("Bytes = %d bytes, %v; want the %d bytes stored", len(b), err, len(tt.val.Data))
			}
			got, err := v.Data()
			if err != nil {
				t.Fatalf("Data: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Data (-want +got):\n%s", diff)
			}
		})
	}
	// The typed accessors.
	if n, err := mustValue(t, k, "dwordbe").Uint64(); err != nil || n != 0xdeadbeef {
		t.Errorf("Uint64(dwordbe) = %#x, %v", n, err)
	}
	if _, err := mustValue(t, k, "dword8").Uint64(); err == nil {
		t.Error("Uint64 of an 8-byte REG_DWORD: no error")
	}
	if _, err := mustValue(t, k, "dword").Text(); err == nil {
		t.Error("Text of a REG_DWORD: no error")
	}
	if s, err := mustValue(t, k, "sz").Strings(); err != nil || !cmp.Equal(s, []string{"hello"}) {
		t.Errorf("Strings(sz) = %q, %v", s, err)
	}
	if got := hive.ValueType(0x1234).String(); got != "REG_UNKNOWN_0x1234" {
		t.Errorf("String = %q", got)
	}
}

func TestManySubkeysThroughIndexRoot(t *testing.T) {
	const n = 2000
	parent := &hivetest.Key{Name: "many"}
	for i := 0; i < n; i++ {
		parent.Subkeys = append(parent.Subkeys, &hivetest.Key{Name: fmt.Sprintf("key%04d", i)})
	}
	h, b := build(t, &hivetest.Key{Subkeys: []*hivetest.Key{parent}}, hivetest.Options{})
	if leaves, _ := b.LeafCells(`\many`); len(leaves) < 2 {
		t.Fatalf("builder made %d leaves, want an ri of several", len(leaves))
	}
	k := mustKey(t, h, "many")
	subs, err := k.Subkeys()
	if err != nil || len(subs) != n || k.NumSubkeys() != n {
		t.Fatalf("Subkeys = %d, %v (NumSubkeys %d), want %d", len(subs), err, k.NumSubkeys(), n)
	}
	for i, s := range subs {
		if want := fmt.Sprintf("key%04d", i); s.Name() != want {
			t.Fatalf("subkey %d = %q, want %q (stored order)", i, s.Name(), want)
		}
	}
	if got := mustKey(t, h, `many\KEY1999`).Path(); got != `\many\key1999` {
		t.Errorf("Path = %q", got)
	}
}

func TestClass(t *testing.T) {
	h, _ := build(t, &hivetest.Key{Subkeys: []*hivetest.Key{
		{Name: "JD", Class: "c3d2a1b0"},
		{Name: "plain"},
	}}, hivetest.Options{})
	if c, err := mustKey(t, h, "JD").Class(); err != nil || c != "c3d2a1b0" {
		t.Errorf("Class = %q, %v", c, err)
	}
	if c, err := mustKey(t, h, "plain").Class(); err != nil || c != "" {
		t.Errorf("Class of a key without one = %q, %v", c, err)
	}
}

func TestNotExist(t *testing.T) {
	h, _ := build(t, &hivetest.Key{Subkeys: []*hivetest.Key{{Name: "a", Values: []hivetest.Value{hivetest.DWORD("x", 1)}}}}, hivetest.Options{})
	for _, p := range []string{`\b`, `a\b`, `\a\x`} {
		if _, err := h.Key(p); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Key(%q) error = %v, want fs.ErrNotExist", p, err)
		}
	}
	if _, err := mustKey(t, h, "A").Value("y"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Value error = %v, want fs.ErrNotExist", err)
	}
	if k := mustKey(t, h, `\\a\\`); k.Path() != `\a` {
		t.Errorf("empty components: Path = %q", k.Path())
	}
}

func walkAll(t testing.TB, h *hive.Hive, path string) (paths []string, errs []error) {
	t.Helper()
	err := h.Walk(context.Background(), path, func(k *hive.Key, err error) error {
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		paths = append(paths, k.Path())
		return nil
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return paths, errs
}

func TestWalkCycle(t *testing.T) {
	root := &hivetest.Key{Subkeys: []*hivetest.Key{{Name: "A", Subkeys: []*hivetest.Key{{Name: "B", Subkeys: []*hivetest.Key{{Name: "C"}}}}}}}
	_, b := build(t, root, hivetest.Options{})
	if err := b.AddCycle(`\A\B`); err != nil {
		t.Fatal(err)
	}
	h, err := hive.Parse(b.Bytes, "cycle")
	if err != nil {
		t.Fatal(err)
	}
	paths, errs := walkAll(t, h, `\`)
	if diff := cmp.Diff([]string{`\`, `\A`, `\A\B`, `\A\B\C`}, paths); diff != "" {
		t.Errorf("visited (-want +got):\n%s", diff)
	}
	var ce *hive.CycleError
	if len(errs) != 1 || !errors.Is(errs[0], hive.ErrCycle) || !errors.As(errs[0], &ce) || ce.Path != `\A\B` {
		t.Errorf("errors = %v, want one ErrCycle at \\A\\B", errs)
	}
}

func TestTruncated(t *testing.T) {
	root := &hivetest.Key{}
	for i := 0; i < 300; i++ {
		root.Subkeys = append(root.Subkeys, &hivetest.Key{Name: fmt.Sprintf("k%03d", i), Values: []hivetest.Value{hivetest.SZ("v", strings.Repeat("x", 100))}})
	}
	_, b := build(t, root, hivetest.Options{})
	full := len(b.Bytes)
	for _, n := range []int{full - 1, full - 4096, full / 2, 4096 + 32, 4096 + 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			h, err := hive.Parse(b.Bytes[:n:n], "trunc")
			if err != nil {
				var fe *hive.FormatError
				if !errors.As(err, &fe) {
					t.Fatalf("Parse error %v is not a FormatError", err)
				}
				return // the root itself is cut: refused with an offset
			}
			if !h.Truncated {
				t.Error("Truncated not set")
			}
			_, errs := walkAll(t, h, `\`)
			for _, err := range errs {
				var fe *hive.FormatError
				if !errors.As(err, &fe) || fe.Offset <= 0 {
					t.Errorf("walk error without an offset: %v", err)
				}
			}
			if n < full-4096 && len(errs) == 0 {
				t.Error("no error reported for keys past the end")
			}
		})
	}
}

func TestValueSizePastCell(t *testing.T) {
	root := &hivetest.Key{Subkeys: []*hivetest.Key{{Name: "k", Values: []hivetest.Value{hivetest.SZ("v", "hello world")}}}}
	_, b := build(t, root, hivetest.Options{})
	if err := b.SetValueSize(`\k`, "v", 4000); err != nil {
		t.Fatal(err)
	}
	h, err := hive.Parse(b.Bytes, "size")
	if err != nil {
		t.Fatal(err)
	}
	v := mustValue(t, mustKey(t, h, "k"), "v")
	data, err := v.Bytes()
	var fe *hive.FormatError
	if !errors.As(err, &fe) || !strings.Contains(err.Error(), "declares 4000 bytes") {
		t.Fatalf("Bytes error = %v, want a FormatError saying the size runs past the cell", err)
	}
	if !bytes.HasPrefix(data, utf16bytes("hello world")) {
		t.Errorf("partial data = %q", data)
	}
	if s, err := v.Text(); err == nil || s != "hello world" {
		t.Errorf("Text = %q, %v; want the partial string and an error", s, err)
	}
}

func TestKinds(t *testing.T) {
	k := func(name string, subs ...*hivetest.Key) *hivetest.Key {
		return &hivetest.Key{Name: name, Subkeys: subs}
	}
	ntuser := func() *hivetest.Key {
		return k("", k("AppEvents"), k("Console"), k("Control Panel"), k("Environment"), k("Software"))
	}
	tests := []struct {
		name     string
		root     *hivetest.Key
		fileName string
		want     hive.Kind
	}{
		{"system", k("", k("ControlSet001"), k("Select"), k("MountedDevices")), `\REGISTRY\MACHINE\SYSTEM`, hive.KindSystem},
		{"system-unnamed", k("", k("ControlSet001"), k("Select")), "", hive.KindSystem},
		{"software", k("", k("Classes"), k("Microsoft"), k("Policies")), `emRoot\System32\Config\SOFTWARE`, hive.KindSoftware},
		{"ntuser", ntuser(), `\??\C:\Users\bob\ntuser.dat`, hive.KindNTUser},
		{"default", ntuser(), `\SystemRoot\System32\Config\DEFAULT`, hive.KindDefault},
		{"sam", k("", k("SAM")), `\SystemRoot\System32\Config\SAM`, hive.KindSAM},
		{"security", k("", k("Cache"), k("Policy"), k("RXACT")), "", hive.KindSecurity},
		{"usrclass", k("", k("Local Settings"), k("CLSID")), `\Microsoft\Windows\UsrClass.dat`, hive.KindUsrClass},
		{"amcache", k("", k("Root", k("InventoryApplicationFile"))), `\AppCompat\Programs\Amcache.hve`, hive.KindAmcache},
		{"bcd", k("", k("Description"), k("Objects")), `\EFI\Microsoft\Boot\BCD`, hive.KindBCD},
		{"unknown", k("", k("foo"), k("bar")), "", hive.KindUnknown},
		{"not-system-without-select", k("", k("ControlSet001")), "", hive.KindUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := build(t, tt.root, hivetest.Options{FileName: tt.fileName})
			if got := h.Kind(); got != tt.want {
				t.Errorf("Kind = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestControlSets(t *testing.T) {
	sel := &hivetest.Key{Name: "Select", Values: []hivetest.Value{
		hivetest.DWORD("Current", 10), hivetest.DWORD("Default", 10),
		hivetest.DWORD("LastKnownGood", 2), hivetest.DWORD("Failed", 0),
	}}
	root := &hivetest.Key{Subkeys: []*hivetest.Key{
		{Name: "ControlSet002"}, {Name: "ControlSet010"}, {Name: "ControlSet001"}, sel, {Name: "ControlSetXYZ"},
	}}
	h, _ := build(t, root, hivetest.Options{})
	s, err := h.Select()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(hive.Select{Current: 10, Default: 10, LastKnownGood: 2}, s); diff != "" {
		t.Errorf("Select (-want +got):\n%s", diff)
	}
	if got := hive.ControlSetName(s.Current); got != "ControlSet010" {
		t.Errorf("ControlSetName(10) = %q, want ControlSet010 (not RegRipper's ControlSet0010)", got)
	}
	sets, err := h.ControlSets()
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Name  string
		Roles []string
		Path  string
	}
	var got []row
	for _, cs := range sets {
		got = append(got, row{cs.Name, cs.Roles, cs.Key.Path()})
	}
	want := []row{
		{"ControlSet001", nil, `\ControlSet001`},
		{"ControlSet002", []string{hive.RoleLastKnownGood}, `\ControlSet002`},
		{"ControlSet010", []string{hive.RoleCurrent, hive.RoleDefault}, `\ControlSet010`},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ControlSets (-want +got):\n%s", diff)
	}
	if !sets[2].IsCurrent() || sets[0].IsCurrent() {
		t.Error("IsCurrent wrong")
	}
}

func TestRefused(t *testing.T) {
	b, err := hivetest.Build(&hivetest.Key{}, hivetest.Options{FileType: 1})
	if err != nil {
		t.Fatal(err)
	}
	creg := append([]byte("CREG"), make([]byte, 600)...)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"log", b.Bytes, hive.ErrTransactionLog},
		{"hvle", append([]byte("HvLE"), make([]byte, 600)...), hive.ErrTransactionLog},
		{"empty", nil, hive.ErrNotHive},
		{"text", []byte("Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE]\r\n"), hive.ErrNotHive},
		{"creg", creg, hive.ErrWin9x},
		{"short", []byte("regf"), nil}, // a FormatError
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := hive.Parse(tt.data, tt.name)
			if h != nil || err == nil {
				t.Fatalf("Parse = %v, %v; want an error", h, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
			var fe *hive.FormatError
			if tt.want == nil && !errors.As(err, &fe) {
				t.Errorf("error = %v, want a FormatError", err)
			}
		})
	}
	// A zero-byte file on disk.
	empty := t.TempDir() + "/empty"
	if err := writeFile(empty, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := hive.Open(empty); !errors.Is(err, hive.ErrNotHive) {
		t.Errorf("Open(zero bytes) = %v, want ErrNotHive", err)
	}
}

func TestMaxSize(t *testing.T) {
	_, b := build(t, &hivetest.Key{Subkeys: []*hivetest.Key{{Name: "a"}}}, hivetest.Options{})
	if _, err := hive.Parse(b.Bytes, "x", hive.Options{MaxSize: int64(len(b.Bytes) - 1)}); !errors.Is(err, hive.ErrTooLarge) {
		t.Errorf("Parse over MaxSize = %v, want ErrTooLarge", err)
	}
	if _, err := hive.NewReader(bytes.NewReader(b.Bytes), int64(len(b.Bytes)), "x", hive.Options{MaxSize: 4096}); !errors.Is(err, hive.ErrTooLarge) {
		t.Errorf("NewReader over MaxSize = %v, want ErrTooLarge", err)
	}
	if _, err := hive.Parse(b.Bytes, "x", hive.Options{MaxSize: int64(len(b.Bytes))}); err != nil {
		t.Errorf("Parse at MaxSize = %v", err)
	}
}

func TestWalkControl(t *testing.T) {
	root := &hivetest.Key{Subkeys: []*hivetest.Key{
		{Name: "a", Subkeys: []*hivetest.Key{{Name: "a1"}, {Name: "a2"}}},
		{Name: "b", Subkeys: []*hivetest.Key{{Name: "b1"}}},
		{Name: "c"},
	}}
	h, _ := build(t, root, hivetest.Options{})
	paths, _ := walkAll(t, h, `\`)
	if diff := cmp.Diff([]string{`\`, `\a`, `\a\a1`, `\a\a2`, `\b`, `\b\b1`, `\c`}, paths); diff != "" {
		t.Errorf("Walk order (-want +got):\n%s", diff)
	}
	if paths, _ := walkAll(t, h, `B`); !cmp.Equal(paths, []string{`\b`, `\b\b1`}) {
		t.Errorf("Walk from \\b = %q", paths)
	}
	var got []string
	err := h.Walk(context.Background(), `\`, func(k *hive.Key, err error) error {
		got = append(got, k.Path())
		if k.Name() == "a" {
			return fs.SkipDir
		}
		if k.Name() == "b1" {
			return fs.SkipAll
		}
		return nil
	})
	if err != nil || !cmp.Equal(got, []string{`\`, `\a`, `\b`, `\b\b1`}) {
		t.Errorf("SkipDir/SkipAll: visited %q, err %v", got, err)
	}
	stop := errors.New("stop")
	if err := h.Walk(context.Background(), `\`, func(k *hive.Key, err error) error { return stop }); err != stop {
		t.Errorf("Walk error = %v, want the callback's", err)
	}
	if err := h.Walk(context.Background(), `\nope`, func(*hive.Key, error) error { return nil }); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Walk from a missing key = %v", err)
	}
}

func TestWalkCancel(t *testing.T) {
	parent := &hivetest.Key{Name: "p"}
	for i := 0; i < 5000; i++ {
		parent.Subkeys = append(parent.Subkeys, &hivetest.Key{Name: fmt.Sprint(i)})
	}
	h, _ := build(t, &hivetest.Key{Subkeys: []*hivetest.Key{parent}}, hivetest.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := h.Walk(ctx, `\`, func(k *hive.Key, err error) error {
		n++
		if n == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Walk after cancel = %v, want context.Canceled", err)
	}
	if n >= 5002 {
		t.Errorf("Walk visited all %d keys after cancel", n)
	}
}

func writeFile(name string, b []byte) error { return os.WriteFile(name, b, 0o644) }

// A big-data value declaring 1 GiB must not make the reader allocate it
// (found by FuzzWalk: the fuzzer stalled on such inputs).
func TestBigDataDeclaredSizeCapped(t *testing.T) {
	big := make([]byte, 40000)
	root := &hivetest.Key{Subkeys: []*hivetest.Key{{Name: "k", Values: []hivetest.Value{hivetest.Binary("b", big)}}}}
	_, b := build(t, root, hivetest.Options{})
	if err := b.SetValueSize(`\k`, "b", 1<<30-1); err != nil {
		t.Fatal(err)
	}
	h, err := hive.Parse(b.Bytes, "huge")
	if err != nil {
		t.Fatal(err)
	}
	v := mustValue(t, mustKey(t, h, "k"), "b")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	data, err := v.Bytes()
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Error("no error for a declared size beyond the segments")
	}
	if len(data) < len(big) || len(data) > len(big)+8 {
		t.Errorf("got %d bytes, want the %d the segments hold (plus cell padding)", len(data), len(big))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("allocated %d bytes for a value of %d", alloc, len(big))
	}
}
