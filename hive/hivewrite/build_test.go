package hivewrite

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/internal/wintext"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// canonical is what a reader should find for k: default times filled in,
// subkeys sorted by upper-cased name, empty data as nil, deletions gone.
func canonical(k *Key) *Key {
	c := &Key{Name: k.Name, Class: k.Class, LastWrite: k.LastWrite}
	if c.LastWrite.IsZero() {
		c.LastWrite = DefaultTime()
	}
	for _, v := range k.Values {
		if len(v.Data) == 0 {
			v.Data = nil
		}
		c.Values = append(c.Values, v)
	}
	for _, s := range k.Subkeys {
		c.Subkeys = append(c.Subkeys, canonical(s))
	}
	slices.SortFunc(c.Subkeys, func(a, b *Key) int { return strings.Compare(strings.ToUpper(a.Name), strings.ToUpper(b.Name)) })
	return c
}

func TestBuildReadsBack(t *testing.T) {
	trees := map[string]*Key{
		"peer":  peerTree(),
		"empty": {Name: "CMI-CreateHive{2A7FB991-7BBE-4F9D-B91E-7CB51D4737F5}"},
		"deleted": {Name: "ROOT", Subkeys: []*Key{{Name: "Run", Values: []Value{SZ("keep", "x")},
			DeletedValues:  []Value{SZ("evil", `C:\evil.exe`), Binary("bigevil", make([]byte, 20000))},
			DeletedSubkeys: []*Key{{Name: "Gone", Values: []Value{DWORD("v", 1)}, Subkeys: []*Key{{Name: "Inner"}}}},
		}}},
	}
	for _, v := range peerVariants {
		for name, tree := range trees {
			t.Run(v.name+"/"+name, func(t *testing.T) {
				h, err := Build(tree, v.opts)
				if err != nil {
					t.Fatal(err)
				}
				got, errs := readTree(h.Bytes, false)
				for _, e := range errs {
					t.Error(e)
				}
				if diff := cmp.Diff(canonical(tree), got); diff != "" {
					t.Errorf("read back (-want +got):\n%.3000s", diff)
				}
			})
		}
	}
}

func TestBaseBlock(t *testing.T) {
	lw := time.Date(2019, 12, 31, 23, 59, 58, 100, time.UTC)
	tests := []struct {
		name string
		opts Options
		// want maps a base-block offset to the uint32 expected there.
		want     map[int]uint32
		fileName string
	}{
		{"defaults", Options{}, map[int]uint32{0x04: 1, 0x08: 1, 0x14: 1, 0x18: 5, 0x1C: 0, 0x20: 1, 0x24: 0x20, 0x2C: 1}, ""},
		{"dirty 1.3", Options{Minor: 3, Sequence1: 7, Sequence2: 6}, map[int]uint32{0x04: 7, 0x08: 6, 0x18: 3}, ""},
		{"log type", Options{FileType: 1}, map[int]uint32{0x1C: 1}, ""},
		{"short name", Options{FileName: `\??\C:\Users\bob\ntuser.dat`}, nil, `\??\C:\Users\bob\ntuser.dat`},
		{"long name keeps tail", Options{FileName: `\SystemRoot\System32\Config\SOFTWARE`}, nil, `emRoot\System32\Config\SOFTWARE`},
		{"last written", Options{LastWritten: lw}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := Build(&Key{Name: "ROOT"}, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			b := h.Bytes
			if string(b[:4]) != "regf" || len(b) != 8192 {
				t.Fatalf("signature %q, length %d", b[:4], len(b))
			}
			for off, w := range tt.want {
				if g := le32(b, off); g != w {
					t.Errorf("field %#x = %d, want %d", off, g, w)
				}
			}
			name := utf16String(b[0x30:0x70])
			if i := strings.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			} else {
				t.Errorf("file name %q is not NUL-terminated", name)
			}
			if name != tt.fileName {
				t.Errorf("file name %q, want %q", name, tt.fileName)
			}
			wantLW := tt.opts.LastWritten
			if wantLW.IsZero() {
				wantLW = DefaultTime()
			}
			ft := uint64(wantLW.Unix()+11644473600)*1e7 + uint64(wantLW.Nanosecond()/100)
			if g := binary.LittleEndian.Uint64(b[0x0C:]); g != ft {
				t.Errorf("last written %d, want %d", g, ft)
			}
			if g := binary.LittleEndian.Uint64(b[4096+20:]); g != ft {
				t.Errorf("first hbin timestamp %d, want %d", g, ft)
			}
			if g := le32(b, 0x28); g != 4096 {
				t.Errorf("hive bins size %d", g)
			}
			if errs := readRaw(b).errs; len(errs) > 0 {
				t.Error(errs)
			}
		})
	}
}

func TestChecksum(t *testing.T) {
	base := make([]byte, 512)
	if got := Checksum(base); got != 1 {
		t.Errorf("checksum of zeros = %#x, want 1", got)
	}
	binary.LittleEndian.PutUint32(base[8:], 0xFFFFFFFF)
	if got := Checksum(base); got != 0xFFFFFFFE {
		t.Errorf("checksum of -1 = %#x, want 0xFFFFFFFE", got)
	}
	binary.LittleEndian.PutUint32(base[508:], 0x12345678) // not covered
	binary.LittleEndian.PutUint32(base[0:], 0x0F0F0F0F)
	if got := Checksum(base); got != 0xF0F0F0F0 {
		t.Errorf("checksum = %#x, want 0xF0F0F0F0", got)
	}

	h, err := Build(&Key{Name: "ROOT"}, Options{BadChecksum: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := le32(h.Bytes, 0x1FC), Checksum(h.Bytes); got == want {
		t.Errorf("BadChecksum stored the right checksum %#x", got)
	}
	h.Bytes[0x100] ^= 0xFF
	h.Fix()
	if got, want := le32(h.Bytes, 0x1FC), Checksum(h.Bytes); got == want {
		t.Errorf("Fix repaired a BadChecksum hive")
	}
}

func TestBuildErrors(t *testing.T) {
	long := strings.Repeat("x", 256)
	tests := []struct {
		name string
		root *Key
		opts Options
		want string
	}{
		{"nil root", nil, Options{}, "nil root"},
		{"minor", &Key{}, Options{Minor: 2}, "minor version"},
		{"list kind", &Key{}, Options{SubkeyList: "lx"}, "subkey list kind"},
		{"ri threshold", &Key{}, Options{RIThreshold: 70000}, "RIThreshold"},
		{"empty subkey", &Key{Subkeys: []*Key{{}}}, Options{}, "empty name"},
		{"nil subkey", &Key{Subkeys: []*Key{nil}}, Options{}, "nil subkey"},
		{"backslash", &Key{Subkeys: []*Key{{Name: `a\b`}}}, Options{}, "backslash"},
		{"long key name", &Key{Subkeys: []*Key{{Name: long}}}, Options{}, "more than 255"},
		{"duplicate subkey", &Key{Subkeys: []*Key{{Name: "Run"}, {Name: "RUN"}}}, Options{}, `duplicate subkey "RUN"`},
		{"duplicate value", &Key{Values: []Value{SZ("a", ""), SZ("A", "")}}, Options{}, `duplicate value "A"`},
		{"deep error has path", &Key{Subkeys: []*Key{{Name: "A", Subkeys: []*Key{{Name: "B", Values: []Value{DWORD("x", 1), DWORD("X", 2)}}}}}}, Options{}, `key "\\A\\B"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(tt.root, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Build error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// goldenTree is a small hive whose bytes are pinned by testdata/small.sha256.
func goldenTree() *Key {
	return &Key{Name: "ROOT", Subkeys: []*Key{
		{Name: "Select", Values: []Value{DWORD("Current", 1)}},
		{Name: "ControlSet001", Subkeys: []*Key{{Name: "Control", Subkeys: []*Key{{Name: "Session Manager",
			Class:  "Класс",
			Values: []Value{MultiSZ("BootExecute", "autocheck autochk *", "evil.exe")}}}}}},
	}}
}

func TestDeterministicGolden(t *testing.T) {
	opts := Options{FileName: `\SystemRoot\System32\Config\SYSTEM`}
	a, err := Build(goldenTree(), opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(goldenTree(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes, b.Bytes) {
		t.Fatal("two builds of one description differ")
	}
	sum := sha256.Sum256(a.Bytes)
	got := hex.EncodeToString(sum[:]) + "\n"
	golden := filepath.Join("testdata", "small.sha256")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("SHA-256 %s, golden %s (layout changed? run go test -update after checking with the peers)", got, want)
	}
}

func TestDeletedEntriesLeaveFreedBytes(t *testing.T) {
	tree := &Key{Name: "ROOT", Subkeys: []*Key{{Name: "Run",
		Values:         []Value{SZ("keep", "x")},
		DeletedValues:  []Value{SZ("evil", `C:\evil.exe`)},
		DeletedSubkeys: []*Key{{Name: "Gone", Values: []Value{SZ("g", "gone data")}}},
	}}}
	h, err := Build(tree, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := readRaw(h.Bytes)
	runNK, _ := h.KeyCell(`\Run`)
	vk, ok := h.DeletedValueCell(`\Run`, "EVIL")
	if !ok {
		t.Fatal("no deleted value cell")
	}
	nk, ok := h.DeletedKeyCell(`\run\gone`)
	if !ok {
		t.Fatal("no deleted key cell")
	}
	gv, ok := h.DeletedValueCell(`\Run\Gone`, "g")
	if !ok {
		t.Fatal("no value cell of the deleted key")
	}
	for _, c := range []struct {
		off  int
		sig  string
		name string
	}{{vk, "vk", "evil"}, {nk, "nk", "Gone"}, {gv, "vk", "g"}} {
		if r.cells[c.off] <= 0 {
			t.Errorf("%s cell %#x has size %d, want a free cell", c.name, c.off, r.cells[c.off])
		}
		p := HiveBinsOffset + c.off + 4
		if string(h.Bytes[p:p+2]) != c.sig {
			t.Errorf("%s cell lost its %s signature", c.name, c.sig)
		}
	}
	if p := le32(h.Bytes, HiveBinsOffset+nk+4+0x10); int(p) != runNK {
		t.Errorf("deleted key's parent %#x, want %#x", p, runNK)
	}
	if !bytes.Contains(h.Bytes, utf16le(`C:\evil.exe`)) || !bytes.Contains(h.Bytes, utf16le("gone data")) {
		t.Error("deleted data is not in the file")
	}
	if _, ok := h.ValueCell(`\Run`, "evil"); ok {
		t.Error("deleted value is listed as live")
	}
	if _, ok := h.KeyCell(`\Run\Gone`); ok {
		t.Error("deleted key is listed as live")
	}
	got, errs := readTree(h.Bytes, false) // also checks the sk count excludes deleted keys
	if len(errs) > 0 {
		t.Error(errs)
	}
	if diff := cmp.Diff(canonical(tree), got); diff != "" {
		t.Errorf("live tree (-want +got):\n%s", diff)
	}
}

func TestCellLookups(t *testing.T) {
	h, err := Build(peerTree(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sig := func(off int) string { return string(h.Bytes[HiveBinsOffset+off+4 : HiveBinsOffset+off+6]) }
	check := func(what string, off int, ok bool, want string) {
		t.Helper()
		if !ok {
			t.Errorf("%s: not found", what)
			return
		}
		if got := sig(off); got != want {
			t.Errorf("%s: cell %#x has signature %q, want %q", what, off, got, want)
		}
	}
	off, ok := h.KeyCell(`\`)
	check("root", off, ok, "nk")
	if off != h.RootCell() {
		t.Errorf("KeyCell(`\\`) = %#x, RootCell %#x", off, h.RootCell())
	}
	off, ok = h.KeyCell(`\SOFTWARE`)
	check("software", off, ok, "nk")
	off, ok = h.KeyCell(`\привет\мир`)
	check("cyrillic", off, ok, "nk")
	off, ok = h.SubkeyListCell(`\Many`)
	check("ri", off, ok, "ri")
	leaves, ok := h.LeafCells(`\Many`)
	if !ok || len(leaves) != 4 {
		t.Errorf("Many has leaves %v, want 4", leaves)
	}
	off, ok = h.SubkeyListCell(`\Привет`)
	check("lh", off, ok, "lh")
	off, ok = h.ValueCell(`\Software`, "")
	check("default value", off, ok, "vk")
	off, ok = h.DataCell(`\Software`, "big")
	check("big data", off, ok, "db")
	segs, ok := h.SegmentCells(`\Software`, "Big")
	if want := (100*1024 + 16343) / 16344; !ok || len(segs) != want {
		t.Errorf("%d segments, want %d", len(segs), want)
	}
	off, ok = h.SecurityCell(), true
	check("sk", off, ok, "sk")
	if _, ok := h.DataCell(`\Software`, "Dword"); ok {
		t.Error("inline DWORD has a data cell")
	}
	if off, ok := h.DataCell(`\Software`, "Path"); !ok || !bytes.Equal(h.Bytes[HiveBinsOffset+off+4:][:8], utf16le(`C:\W`)) {
		t.Error("Path data cell does not hold its string")
	}
	if _, ok := h.ClassCell(`\Software`); !ok {
		t.Error("no class cell")
	}
	if _, ok := h.ValueListCell(`\Many\Sub0001`); !ok {
		t.Error("no value list")
	}
	for _, p := range []string{`\Nope`, `\Software\Nope`} {
		if _, ok := h.KeyCell(p); ok {
			t.Errorf("KeyCell(%q) found", p)
		}
	}
	if _, ok := h.ValueCell(`\Software`, "nope"); ok {
		t.Error("missing value found")
	}
}

// TestNameHashesMatchWindows checks nameHash and nameHint against the lh and
// lf lists Windows wrote in the corpus hives.
func TestNameHashesMatchWindows(t *testing.T) {
	var checked, lf int
	for _, e := range corpus.Manifest(t) {
		if !strings.Contains(e.Notes, "primary") || !strings.HasPrefix(e.Notes, "regf") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(corpus.Dir(t), filepath.FromSlash(e.Path)))
		if err != nil || len(b) < 8192 {
			continue
		}
		bins := b[4096:]
		cell := func(off uint32) []byte {
			if int(off)+8 > len(bins) {
				return nil
			}
			return bins[off+4:]
		}
		nkName := func(nk []byte) (string, bool) {
			if len(nk) < 76 || string(nk[:2]) != "nk" || 76+le16(nk, 0x48) > len(nk) {
				return "", false
			}
			raw := nk[76 : 76+le16(nk, 0x48)]
			if le16(nk, 2)&0x20 != 0 {
				return latin1(raw), true
			}
			return utf16String(raw), true
		}
		seen := map[uint32]bool{}
		var visit func(off uint32, depth int)
		visit = func(off uint32, depth int) {
			nk := cell(off)
			if depth > 6 || seen[off] || len(nk) < 76 || string(nk[:2]) != "nk" || checked > 200000 {
				return
			}
			seen[off] = true
			if le32(nk, 0x14) == 0 {
				return
			}
			lists := []uint32{le32(nk, 0x1C)}
			if l := cell(lists[0]); len(l) >= 4 && string(l[:2]) == "ri" {
				lists = nil
				for i := range le16(l, 2) {
					if 8+4*i <= len(l) {
						lists = append(lists, le32(l, 4+4*i))
					}
				}
			}
			for _, lo := range lists {
				l := cell(lo)
				if len(l) < 4 || (string(l[:2]) != "lh" && string(l[:2]) != "lf") {
					continue
				}
				for i := range le16(l, 2) {
					if 12+8*i > len(l) {
						break
					}
					child := le32(l, 4+8*i)
					name, ok := nkName(cell(child))
					if !ok {
						continue
					}
					stored := le32(l, 8+8*i)
					var want uint32
					if string(l[:2]) == "lh" {
						want = nameHash(name)
					} else {
						h := nameHint(name)
						want = binary.LittleEndian.Uint32(h[:])
						lf++
					}
					// CompHive (yarp's test of odd compressed names) holds one lf
					// element whose hint Windows did not derive from the name.
					known := e.Path == "msuhanov__yarp/hives_for_tests/CompHive" && name == "\u009f" && stored == 0x81
					if stored != want && !known {
						t.Errorf("%s: %s %q stored %#x, computed %#x", e.Path, l[:2], name, stored, want)
					}
					checked++
					visit(child, depth+1)
				}
			}
		}
		visit(le32(b, 0x24), 0)
	}
	if checked == 0 || lf == 0 {
		t.Fatalf("checked %d list elements (%d lf) in the corpus, want some of each", checked, lf)
	}
	t.Logf("%d list elements (%d lf) agree with Windows", checked, lf)
}

func TestUTF16Helpers(t *testing.T) {
	if got := utf16.Decode([]uint16{upcase('a'), upcase('я'), upcase('1')}); string(got) != "AЯ1" {
		t.Errorf("upcase = %q", string(got))
	}
}

// upperKey, utf16Len and encodeName take a short way for ASCII; every string must get
// what the UTF-16 forms give.
func FuzzNameHelpers(f *testing.F) {
	var all []byte
	for c := 0; c < 0x80; c++ {
		all = append(all, byte(c))
	}
	for _, s := range []string{string(all), "Run", "CurrentVersion\\Run", "größe", "Имя", "a\U0001F600b", "\xff\xfe", "~{|}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := upperKey(s), wintext.UnitsString(upperUnits(s)); got != want {
			t.Fatalf("upperKey(%q) = %q, want %q", s, got, want)
		}
		if got, want := utf16Len(s), 2*len(utf16.Encode([]rune(s))); got != want {
			t.Fatalf("utf16Len(%q) = %d, want %d", s, got, want)
		}
		b, compressed := encodeName(s)
		read := wintext.UTF16(b)
		if compressed {
			rs := make([]rune, len(b))
			for i, c := range b {
				rs[i] = rune(c)
			}
			read = string(rs)
		}
		if read != string([]rune(s)) {
			t.Fatalf("encodeName(%q) = %x, %v: does not read back", s, b, compressed)
		}
	})
}
