package hivewrite

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/internal/corpus"
)

// These tests check built hives against readers nobody here wrote.
//
// Peer quirks they pin down:
//   - reglookup converts names and string data to US-ASCII. A name or string
//     it cannot convert is printed as its raw stored bytes: Latin-1 for a
//     compressed name ("Café" -> Caf%E9), UTF-16LE otherwise ("П" -> %1F%04),
//     raw string data including the NUL terminator. Every byte outside
//     printable ASCII, and ',', '/', '%', is escaped as %XX. MULTI_SZ strings
//     are joined with '|'. Times have one-second precision, UTC.
//   - hivexml prints names and strings as UTF-8, cuts REG_SZ at the first
//     NUL, lists a REG_MULTI_SZ's final empty string as an empty <string/>,
//     prints REG_DWORD_BIG_ENDIAN decoded as big-endian under type "int32",
//     prints a REG_DWORD shorter than 4 bytes as -1, wraps base64 every 72
//     characters and does not show class names.
//   - On a subkey list that points back at an ancestor (AddCycle) hivexml
//     stops with "Too many levels of symbolic links" (exit 1); reglookup and
//     regfexport recurse without end, so they are not run on cycles.
//   - regfexport (libregf 20201007) shows class names, but misreports inline
//     data shorter than 4 bytes of non-string types (zeros instead of the
//     bytes), so it is only used for classes here.

func peerBigData() []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, 100*1024)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// peerTree describes a hive using every feature the peers can show.
func peerTree() *Key {
	many := &Key{Name: "Many", LastWrite: time.Date(2020, 2, 3, 4, 5, 6, 0, time.UTC)}
	for i := range 2000 {
		name := fmt.Sprintf("Sub%04d", i)
		if i%3 == 0 {
			name = strings.ToLower(name)
		}
		many.Subkeys = append(many.Subkeys, &Key{Name: name, Values: []Value{DWORD("i", uint32(i))}})
	}
	return &Key{Name: "ROOT", Subkeys: []*Key{
		{Name: "Software", Class: "SoftwareClass", LastWrite: time.Date(2021, 5, 6, 7, 8, 9, 123456700, time.UTC), Values: []Value{
			SZ("", "default value"),
			SZ("Path", `C:\Windows\System32`),
			ExpandSZ("Expand", `%SystemRoot%\system32\svc.exe`),
			MultiSZ("Multi", "one", "two words"),
			DWORD("Dword", 0xDEADBEEF),
			QWORD("Qword", 1<<40+5),
			Binary("Bin", []byte{0, 1, 2, 0xFF, ',', '%', '/'}),
			{Name: "None", Type: TypeNone, Data: []byte{9, 8, 7, 6, 5}},
			{Name: "BigEndian", Type: TypeDWORDBigEndian, Data: []byte{1, 2, 3, 4}},
			{Name: "Link", Type: TypeLink, Data: utf16le(`\Registry\Machine\Software`)},
			{Name: "Resources", Type: TypeResourceList, Data: []byte{1, 0, 0, 0, 5, 0, 0, 0}},
			Binary("Big", peerBigData()),
			SZ("Привет", "мир"),
			SZ("Café", "crème"),
			{Name: "Tiny", Type: TypeBinary, Data: []byte{0xAB}},
			{Name: "Empty", Type: TypeBinary},
		}},
		{Name: "Привет", Class: "Класс", Subkeys: []*Key{
			{Name: "Мир", Values: []Value{SZ("ключ", "значение")}},
			{Name: "ascii", Subkeys: []*Key{{Name: "deeper", Subkeys: []*Key{{Name: "deepest"}}}}},
		}},
		{Name: "Café", Values: []Value{DWORD("n", 1)}},
		many,
		{Name: "aaa"}, {Name: "ZZZ"}, {Name: "mmm"},
	}}
}

var peerVariants = []struct {
	name string
	opts Options
}{
	{"v15-lh", Options{}},
	{"v13-lf", Options{Minor: 3}},
	{"v15-lf", Options{SubkeyList: "lf"}},
	{"v15-li", Options{SubkeyList: "li"}},
	{"v13-li-ri7", Options{Minor: 3, SubkeyList: "li", RIThreshold: 7}},
	{"v16-lh-ri1000", Options{Minor: 6, RIThreshold: 1000}},
}

func buildPeerFiles(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{}
	for _, v := range peerVariants {
		h, err := Build(peerTree(), v.opts)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		p := filepath.Join(dir, v.name+".hiv")
		if err := h.WriteFile(p); err != nil {
			t.Fatal(err)
		}
		files[v.name] = p
	}
	return files
}

func runPeer(t *testing.T, tool string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(tool, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, stderr.Bytes())
	}
	return out
}

// walk calls fn for every key with its path components below the root.
func walk(k *Key, path []string, fn func(path []string, k *Key)) {
	fn(path, k)
	for _, s := range k.Subkeys {
		walk(s, append(slices.Clip(path), s.Name), fn)
	}
}

// rlName is a name as reglookup prints it, unescaped.
func rlName(s string) string {
	ascii := true
	for _, r := range s {
		ascii = ascii && r < 0x80
	}
	if ascii {
		return s
	}
	if b, compressed := encodeName(s); compressed {
		return string(b)
	}
	return string(utf16le(s))
}

func rlType(t uint32) string {
	if n, ok := map[uint32]string{TypeNone: "NONE", TypeSZ: "SZ", TypeExpandSZ: "EXPAND_SZ", TypeBinary: "BINARY",
		TypeDWORD: "DWORD", TypeDWORDBigEndian: "DWORD_BE", TypeLink: "LINK", TypeMultiSZ: "MULTI_SZ",
		TypeResourceList: "RSRC_LIST", TypeQWORD: "QWORD"}[t]; ok {
		return n
	}
	return fmt.Sprintf("0x%08X", t)
}

// decodeUTF16 decodes UTF-16LE up to the first NUL.
func decodeUTF16(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := binary.LittleEndian.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// multiSZ splits REG_MULTI_SZ data at NULs, up to the first empty string.
func multiSZ(b []byte) []string {
	var out []string
	for len(b) >= 2 {
		s := decodeUTF16(b)
		if s == "" {
			break
		}
		out = append(out, s)
		b = b[2*len(utf16.Encode([]rune(s)))+2:]
	}
	return out
}

// rlData is a value's data as reglookup prints it, unescaped.
func rlData(v Value) string {
	isASCII := func(s string) bool {
		for _, r := range s {
			if r >= 0x80 {
				return false
			}
		}
		return true
	}
	switch v.Type {
	case TypeSZ, TypeExpandSZ, TypeLink:
		if v.Type == TypeLink {
			return decodeUTF16(v.Data)
		}
		if s := decodeUTF16(v.Data); isASCII(s) {
			return s
		}
		return string(v.Data)
	case TypeMultiSZ:
		return strings.Join(multiSZ(v.Data), "|")
	case TypeDWORD:
		return fmt.Sprintf("0x%08X", binary.LittleEndian.Uint32(v.Data))
	case TypeDWORDBigEndian:
		return fmt.Sprintf("0x%08X", binary.BigEndian.Uint32(v.Data))
	case TypeQWORD:
		return fmt.Sprintf("0x%016X", binary.LittleEndian.Uint64(v.Data))
	}
	if len(v.Data) == 0 {
		return "(null)"
	}
	return string(v.Data)
}

func unescapeRL(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			n, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
			if err != nil {
				t.Fatalf("bad reglookup escape in %q", s)
			}
			b.WriteByte(byte(n))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// rlRecord is one reglookup line, unescaped: the path components joined by
// NUL, the type, the data and the time.
type rlRecord struct{ Path, Type, Data, Time string }

func TestReglookupReadsBuiltHives(t *testing.T) {
	tool := corpus.RequireTool(t, "reglookup")
	files := buildPeerFiles(t)

	var want []rlRecord
	walk(peerTree(), nil, func(path []string, k *Key) {
		names := make([]string, len(path))
		for i, p := range path {
			names[i] = rlName(p)
		}
		lw := k.LastWrite
		if lw.IsZero() {
			lw = DefaultTime()
		}
		kp := strings.Join(names, "\x00")
		want = append(want, rlRecord{kp, "KEY", "", lw.Format(time.DateTime)})
		for _, v := range k.Values {
			want = append(want, rlRecord{kp + "\x00\x00" + rlName(v.Name), rlType(v.Type), rlData(v), ""})
		}
	})
	sortRecords(want)

	for name, file := range files {
		t.Run(name, func(t *testing.T) {
			out := runPeer(t, tool, "-H", file)
			var got []rlRecord
			for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
				f := strings.Split(line, ",")
				if len(f) != 4 {
					t.Fatalf("reglookup line with %d fields: %.200q", len(f), line)
				}
				comps := strings.Split(strings.TrimPrefix(f[0], "/"), "/")
				if f[0] == "/" {
					comps = nil
				}
				for i, c := range comps {
					comps[i] = unescapeRL(t, c)
				}
				p := strings.Join(comps, "\x00")
				if f[1] != "KEY" { // the last component is the value name
					p = strings.Join(comps[:len(comps)-1], "\x00") + "\x00\x00" + comps[len(comps)-1]
				}
				got = append(got, rlRecord{p, f[1], unescapeRL(t, f[2]), f[3]})
			}
			sortRecords(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("reglookup disagrees (-want +got):\n%.5000s", diff)
			}
		})
	}
}

func sortRecords(r []rlRecord) {
	slices.SortFunc(r, func(a, b rlRecord) int { return strings.Compare(a.Path, b.Path) })
}

// hivexml's view of a key and a value.
type xNode struct {
	Name   string   `xml:"name,attr"`
	Mtime  string   `xml:"mtime"`
	Values []xValue `xml:"value"`
	Nodes  []xNode  `xml:"node"`
}

type xValue struct {
	Type     string   `xml:"type,attr"`
	Key      string   `xml:"key,attr"`
	Default  string   `xml:"default,attr"`
	Encoding string   `xml:"encoding,attr"`
	Value    string   `xml:"value,attr"`
	Strings  []string `xml:"string"`
}

// normalize decodes base64 data to hex so that line wrapping does not matter.
func (v xValue) normalize(t *testing.T) xValue {
	if v.Encoding == "base64" {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v.Value), ""))
		if err != nil {
			t.Fatalf("value %q: %v", v.Key, err)
		}
		v.Encoding, v.Value = "hex", hex.EncodeToString(b)
	}
	return v
}

// hivexView is what hivexml should print for k (children in the order
// Windows sorts them: by upper-cased name).
func hivexView(k *Key) xNode {
	lw := k.LastWrite
	if lw.IsZero() {
		lw = DefaultTime()
	}
	n := xNode{Name: k.Name, Mtime: lw.Truncate(time.Second).Format(time.RFC3339)}
	for _, v := range k.Values {
		x := xValue{Key: v.Name}
		if v.Name == "" {
			x.Default = "1"
		}
		raw := func(typ string) {
			x.Type, x.Encoding, x.Value = typ, "hex", hex.EncodeToString(v.Data)
		}
		switch v.Type {
		case TypeSZ:
			x.Type, x.Value = "string", decodeUTF16(v.Data)
		case TypeExpandSZ:
			x.Type, x.Value = "expand", decodeUTF16(v.Data)
		case TypeLink:
			x.Type, x.Value = "link", decodeUTF16(v.Data)
		case TypeMultiSZ:
			x.Type = "string-list"
			x.Strings = append(multiSZ(v.Data), "") // hivexml shows the terminator
		case TypeDWORD:
			x.Type, x.Value = "int32", strconv.Itoa(int(int32(binary.LittleEndian.Uint32(v.Data))))
		case TypeDWORDBigEndian:
			x.Type, x.Value = "int32", strconv.Itoa(int(int32(binary.BigEndian.Uint32(v.Data))))
		case TypeQWORD:
			x.Type, x.Value = "int64", strconv.FormatInt(int64(binary.LittleEndian.Uint64(v.Data)), 10)
		case TypeNone:
			raw("none")
		case TypeBinary:
			raw("binary")
		case TypeResourceList:
			raw("resource-list")
		default:
			raw("unknown")
		}
		n.Values = append(n.Values, x)
	}
	subs := slices.Clone(k.Subkeys)
	slices.SortFunc(subs, func(a, b *Key) int { return strings.Compare(strings.ToUpper(a.Name), strings.ToUpper(b.Name)) })
	for _, s := range subs {
		n.Nodes = append(n.Nodes, hivexView(s))
	}
	return n
}

func TestHivexmlReadsBuiltHives(t *testing.T) {
	tool := corpus.RequireTool(t, "hivexml")
	files := buildPeerFiles(t)
	want := hivexView(peerTree())
	for name, file := range files {
		t.Run(name, func(t *testing.T) {
			var doc struct {
				Mtime string  `xml:"mtime"`
				Root  []xNode `xml:"node"`
			}
			if err := xml.Unmarshal(runPeer(t, tool, file), &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Root) != 1 {
				t.Fatalf("hivexml shows %d root nodes", len(doc.Root))
			}
			if w := DefaultTime().Truncate(time.Second).Format(time.RFC3339); doc.Mtime != w {
				t.Errorf("hive mtime = %q, want %q", doc.Mtime, w)
			}
			got := doc.Root[0]
			var norm func(n *xNode)
			norm = func(n *xNode) {
				for i := range n.Values {
					n.Values[i] = n.Values[i].normalize(t)
				}
				for i := range n.Nodes {
					norm(&n.Nodes[i])
				}
			}
			norm(&got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("hivexml disagrees (-want +got):\n%.5000s", diff)
			}
		})
	}
}

func TestRegfexportReadsClasses(t *testing.T) {
	tool := corpus.RequireTool(t, "regfexport")
	files := buildPeerFiles(t)
	want := map[string]string{}
	walk(peerTree(), nil, func(path []string, k *Key) {
		if k.Class != "" {
			want[strings.Join(append([]string{"ROOT"}, path...), `\`)] = k.Class
		}
	})
	for name, file := range files {
		t.Run(name, func(t *testing.T) {
			got := map[string]string{}
			var key string
			for _, line := range strings.Split(string(runPeer(t, tool, file)), "\n") {
				if p, ok := strings.CutPrefix(line, "Key path: "); ok {
					key = p
				}
				if c, ok := strings.CutPrefix(line, "Class name: "); ok {
					got[key] = c
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("regfexport classes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHivexmlDetectsAddCycle(t *testing.T) {
	tool := corpus.RequireTool(t, "hivexml")
	h, err := Build(corruptTree(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "clean.hiv")
	if err := h.WriteFile(file); err != nil {
		t.Fatal(err)
	}
	runPeer(t, tool, file) // clean before the cycle
	if err := h.AddCycle(`\Run`); err != nil {
		t.Fatal(err)
	}
	if err := h.WriteFile(file); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, file).CombinedOutput()
	if err == nil || !bytes.Contains(out, []byte("Too many levels of symbolic links")) {
		t.Errorf("hivexml on a cycle: err %v, output ends %q", err, out[max(0, len(out)-200):])
	}
}
