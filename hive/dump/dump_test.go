package dump_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/hive/dump"
	"github.com/hivescan/hivescan/hive/hivetest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sample builds the hive the golden files describe.
func sample(t testing.TB) *hive.Hive {
	t.Helper()
	when := time.Date(2019, 6, 1, 10, 20, 30, 123456700, time.UTC)
	root := &hivetest.Key{LastWrite: when, Subkeys: []*hivetest.Key{
		{Name: "ControlSet001", LastWrite: when, Subkeys: []*hivetest.Key{
			{Name: "Control", LastWrite: when.Add(100), Values: []hivetest.Value{
				hivetest.SZ("SystemStartOptions", " NOEXECUTE=OPTIN"),
				hivetest.DWORD("Count", 42),
			}, Subkeys: []*hivetest.Key{{Name: "A"}, {Name: "B"}, {Name: "C"}}},
		}},
		{Name: "Software", LastWrite: when, Subkeys: []*hivetest.Key{
			{Name: "Run", LastWrite: when, Values: []hivetest.Value{
				hivetest.SZ("Привет", `C:\Users\bob\evil.exe "arg"`),
				hivetest.SZ("=cmd", "=HYPERLINK(\"http://x\")"),
				hivetest.SZ("ctl\x1b[31m", "line1\nline2\t\x00"),
				hivetest.ExpandSZ("", `%SystemRoot%\system32\x.dll`),
				hivetest.MultiSZ("multi", "a", "", "c,d"),
				hivetest.QWORD("q", 1<<40),
				{Name: "be", Type: hivetest.TypeDWORDBigEndian, Data: []byte{0, 0, 1, 0}},
				hivetest.Binary("bin", []byte{0xde, 0xad, 0xbe, 0xef, 0}),
				{Name: "none", Type: hivetest.TypeNone},
				{Name: "odd", Type: 0x1234, Data: []byte{1}},
			}},
		}},
	}}
	b, err := hivetest.Build(root, hivetest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Damage one value so that an error record appears.
	if err := b.SetValueSize(`\Software\Run`, "bin", 5000); err != nil {
		t.Fatal(err)
	}
	h, err := hive.Parse(b.Bytes, "sample")
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestGolden(t *testing.T) {
	h := sample(t)
	for _, format := range dump.Formats {
		t.Run(format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := dump.Write(context.Background(), &buf, h, `\`, format); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "sample."+format)
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s differs from %s (-want +got):\n%s", format, golden, diff)
			}
		})
	}
}

// TestJSONLShape checks the exact line shapes the issue asks for and that
// every line is valid JSON.
func TestJSONLShape(t *testing.T) {
	var buf bytes.Buffer
	if err := dump.Write(context.Background(), &buf, sample(t), `\ControlSet001\Control`, "jsonl"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	want := []string{
		`{"type":"key","path":"\\ControlSet001\\Control","last_write":"2019-06-01T10:20:30.1234568Z","subkeys":3,"values":2}`,
		`{"type":"value","path":"\\ControlSet001\\Control","name":"SystemStartOptions","reg_type":"REG_SZ","size":34,"data":" NOEXECUTE=OPTIN"}`,
		`{"type":"value","path":"\\ControlSet001\\Control","name":"Count","reg_type":"REG_DWORD","size":4,"data":42}`,
		`{"type":"key","path":"\\ControlSet001\\Control\\A","last_write":"2024-01-02T03:04:05.1234567Z","subkeys":0,"values":0}`,
	}
	if diff := cmp.Diff(want, lines[:4]); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	buf.Reset()
	if err := dump.Write(context.Background(), &buf, sample(t), `\`, "jsonl"); err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	for _, l := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("invalid JSON line %s: %v", l, err)
		}
		types[m["type"].(string)]++
		if m["type"] == "key" && len(m["last_write"].(string)) != len("2019-06-01T10:20:30.1234567Z") {
			t.Errorf("last_write %q not 7 fractional digits", m["last_write"])
		}
	}
	if diff := cmp.Diff(map[string]int{"key": 8, "value": 12, "error": 1}, types); diff != "" {
		t.Errorf("record types (-want +got):\n%s", diff)
	}
}

func TestCSVReadsBack(t *testing.T) {
	var buf bytes.Buffer
	if err := dump.Write(context.Background(), &buf, sample(t), `\Software\Run`, "csv"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"type", "path", "last_write", "subkeys", "values", "name", "reg_type", "size", "data"}, rows[0]); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	found := false
	for _, r := range rows[1:] {
		if r[5] == "'=cmd" {
			found = true
			if r[8] != `'=HYPERLINK("http://x")` {
				t.Errorf("formula data not neutralised: %q", r[8])
			}
		}
	}
	if !found {
		t.Error("formula-leading value name not neutralised")
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := dump.Write(context.Background(), &bytes.Buffer{}, sample(t), `\`, "xml"); err == nil {
		t.Error("no error for an unknown format")
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	// Walk checks ctx every 1024 keys; a hive of 1100 keys must stop.
	parent := &hivetest.Key{Name: "p"}
	for i := 0; i < 1100; i++ {
		parent.Subkeys = append(parent.Subkeys, &hivetest.Key{Name: strconv.Itoa(i)})
	}
	b, err := hivetest.Build(&hivetest.Key{Subkeys: []*hivetest.Key{parent}}, hivetest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	big, err := hive.Parse(b.Bytes, "big")
	if err != nil {
		t.Fatal(err)
	}
	if err := dump.Write(ctx, &bytes.Buffer{}, big, `\`, "jsonl"); err != context.Canceled {
		t.Errorf("Write after cancel = %v, want context.Canceled", err)
	}
}

func ExampleWrite() {
	root := &hivetest.Key{Subkeys: []*hivetest.Key{{Name: "Run", Values: []hivetest.Value{hivetest.SZ("Updater", `C:\u.exe`)}}}}
	b, _ := hivetest.Build(root, hivetest.Options{})
	h, _ := hive.Parse(b.Bytes, "example")
	dump.Write(context.Background(), os.Stdout, h, `\Run`, "jsonl")
	// Output:
	// {"type":"key","path":"\\Run","last_write":"2024-01-02T03:04:05.1234567Z","subkeys":0,"values":1}
	// {"type":"value","path":"\\Run","name":"Updater","reg_type":"REG_SZ","size":18,"data":"C:\\u.exe"}
}
