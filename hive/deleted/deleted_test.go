package deleted

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/internal/corpus"
)

const yarpDir = "msuhanov__yarp/hives_for_tests/"

func scanCorpus(t *testing.T, name string, live map[uint32]string) *Records {
	t.Helper()
	b, err := os.ReadFile(corpus.Path(t, yarpDir+name))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Scan(b, func(off uint32) (string, bool) { p, ok := live[off]; return p, ok })
	if err != nil {
		t.Fatal(err)
	}
	return r
}

type keyView struct {
	Name, Path string
	Known      bool
	Source     string
	Values     int
}

func keys(r *Records) []keyView {
	var out []keyView
	for _, k := range r.Keys {
		p := k.Name
		if k.ParentPath != "" {
			p = k.ParentPath + `\` + k.Name
		}
		out = append(out, keyView{k.Name, p, k.ParentKnown, k.Source, len(k.Values)})
	}
	return out
}

type valueView struct {
	Name    string
	Type    uint32
	Data    string
	Problem string
	OfKey   string
	Source  string
}

func values(r *Records) []valueView {
	names := map[uint32]string{}
	for _, k := range r.Keys {
		names[k.Offset] = k.Name
	}
	var out []valueView
	for _, v := range r.Values {
		out = append(out, valueView{v.Name, v.Type, string(v.Data), v.DataProblem, names[v.Key], v.Source})
	}
	return out
}

func utf16z(s string) string {
	var b strings.Builder
	for _, c := range s + "\x00" {
		b.WriteRune(c)
		b.WriteByte(0)
	}
	return b.String()
}

// yarp's test_deleted and test_deleted_value_assoc: key 456 (deleted from
// 123) with its value v = "123456", and v2 = "456" deleted from live key 123.
func TestDeletedDataHive(t *testing.T) {
	r := scanCorpus(t, "DeletedDataHive", map[uint32]string{0x20: "123"})
	wantKeys := []keyView{{"456", `123\456`, true, SourceFree, 1}}
	wantValues := []valueView{
		{"v2", 1, utf16z("456"), "", "", SourceFree},
		{"v", 1, utf16z("123456"), "", "456", SourceFree},
	}
	if diff := cmp.Diff(wantKeys, keys(r)); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantValues, values(r)); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	want := time.Date(2017, 3, 20, 21, 15, 37, 980294400, time.UTC)
	if got := r.Keys[0].LastWrite; !got.Equal(want) {
		t.Errorf("last write %v, want %v (100 ns precision)", got, want)
	}
}

// yarp's test_deleted (DeletedTreeHive) and test_deleted_tree_partial_path:
// four deleted keys 1\2\3, 1\2\3\4, 1\2\3\4\5, 1\2\3\4\New Key #1; when the
// parent of 3 is bogus, paths are partial, starting at 3.
func TestDeletedTree(t *testing.T) {
	live := map[uint32]string{0x230: `1\2`}
	want := []keyView{
		{"New Key #1", `1\2\3\4\New Key #1`, true, SourceFree, 0},
		{"3", `1\2\3`, true, SourceFree, 0},
		{"4", `1\2\3\4`, true, SourceFree, 0},
		{"5", `1\2\3\4\5`, true, SourceFree, 0},
	}
	for _, name := range []string{"DeletedTreeHive", "DeletedTreeNoRootFlagHive"} {
		if diff := cmp.Diff(want, keys(scanCorpus(t, name, live))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	partial := []keyView{
		{"New Key #1", `3\4\New Key #1`, false, SourceFree, 0},
		{"3", `3`, false, SourceFree, 0},
		{"4", `3\4`, false, SourceFree, 0},
		{"5", `3\4\5`, false, SourceFree, 0},
	}
	if diff := cmp.Diff(partial, keys(scanCorpus(t, "DeletedTreePartialPathHive", live))); diff != "" {
		t.Errorf("partial path (-want +got):\n%s", diff)
	}
}

// yarp's test_remnants: one nameless REG_DWORD 1 past the hive bins data.
func TestRemnantsHive(t *testing.T) {
	r := scanCorpus(t, "RemnantsHive", nil)
	want := []valueView{{"", 4, "\x01\x00\x00\x00", "", "", SourcePastBins}}
	if diff := cmp.Diff(want, values(r)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(r.Keys) != 0 {
		t.Errorf("keys %v", r.Keys)
	}
}

// yarp's test_hive_slack: "SLCK" sits in the slack of a subkey list.
func TestSlackHive(t *testing.T) {
	r := scanCorpus(t, "SlackHive", nil)
	found := false
	for _, s := range r.Slack {
		if s.Kind == "subkey list" && string(s.Bytes) == "SLCK" && s.Cell == 0x18020 {
			found = true
		}
	}
	if !found {
		t.Errorf("no SLCK slack in the subkey list at 0x18020 among %d slack areas", len(r.Slack))
	}
}

func TestScanNotAHive(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("regf"), make([]byte, 5000)} {
		if _, err := Scan(b, nil); err == nil {
			t.Errorf("Scan(%d bytes) succeeded", len(b))
		}
	}
}

func FuzzScan(f *testing.F) {
	for _, n := range []string{"DeletedDataHive", "RemnantsHive"} {
		if dir, ok := corpus.Root(); ok {
			if b, err := os.ReadFile(dir + "/" + yarpDir + n); err == nil {
				f.Add(b[:8192])
			}
		}
	}
	f.Add(append([]byte("regf"), make([]byte, 4200)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Scan(b, func(uint32) (string, bool) { return "", false })
		if err != nil {
			return
		}
		for _, v := range r.Values {
			if len(v.Data) > len(b) && v.DataProblem == "" {
				t.Fatalf("value data %d bytes from a %d-byte hive", len(v.Data), len(b))
			}
		}
	})
}
