package txlog

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/internal/corpus"
)

const yarpDir = "msuhanov__yarp/hives_for_tests/"

func readCorpus(t testing.TB, staged string) []byte {
	t.Helper()
	b, err := os.ReadFile(corpus.Path(t, staged))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readSet reads a primary and its logs; log names are the staged paths.
func readSet(t testing.TB, primary string, logs ...string) ([]byte, []Log) {
	t.Helper()
	p := readCorpus(t, primary)
	var ls []Log
	for _, l := range logs {
		ls = append(ls, Log{Name: l, Data: readCorpus(t, l)})
	}
	return p, ls
}

// reglookup runs reglookup -H (paths, types, values, mtimes) on hive
// written to a temporary file.
func reglookup(t *testing.T, hive []byte) string {
	t.Helper()
	tool := corpus.RequireTool(t, "reglookup")
	p := filepath.Join(t.TempDir(), "hive")
	if err := os.WriteFile(p, hive, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-H", p).Output()
	if err != nil {
		t.Fatalf("reglookup: %v", err)
	}
	return string(out)
}

// summary is what a test asserts about a Result besides the bytes.
type summary struct {
	Applied     []Applied
	Skipped     []Skipped
	Changed     bool
	BaseFromLog string
	Seq1, Seq2  uint32
	HbinsSize   uint32
	ChecksumOK  bool
	Len         int
}

func summarize(t *testing.T, res *Result) summary {
	t.Helper()
	bb, err := parseBaseBlock(res.Data)
	if err != nil {
		t.Fatalf("recovered base block: %v", err)
	}
	if bb.fileType != fileTypePrimary {
		t.Errorf("recovered file type %d, want 0", bb.fileType)
	}
	return summary{res.Applied, res.Skipped, res.Changed, res.BaseFromLog, bb.seq1, bb.seq2, bb.hbinsSize, bb.checksumOK(), len(res.Data)}
}

func TestRecoverMatchesWindows(t *testing.T) {
	nd1 := yarpDir + "NewDirtyHive1/"
	od := yarpDir + "OldDirtyHive/"
	tests := []struct {
		name     string
		primary  string
		logs     []string
		windows  string // the hive as Windows recovered it
		sameBins bool   // hive bins data must equal Windows' byte for byte (yarp's own test)
		want     summary
	}{{
		name:     "new format, both logs chained",
		primary:  nd1 + "NewDirtyHive",
		logs:     []string{nd1 + "NewDirtyHive.LOG1", nd1 + "NewDirtyHive.LOG2"},
		windows:  nd1 + "RecoveredHive_Windows10",
		sameBins: true,
		want: summary{
			Applied: []Applied{
				{nd1 + "NewDirtyHive.LOG1", FormatNew, 2, 2, 1, 1, "end of file"},
				{nd1 + "NewDirtyHive.LOG2", FormatNew, 3, 5, 3, 3, "end of log entries"},
			},
			Changed: true, Seq1: 5, Seq2: 5, HbinsSize: 20480, ChecksumOK: true, Len: 262144,
		},
	}, {
		name:     "new format, logs given in the wrong order",
		primary:  nd1 + "NewDirtyHive",
		logs:     []string{nd1 + "NewDirtyHive.LOG2", nd1 + "NewDirtyHive.LOG1"},
		windows:  nd1 + "RecoveredHive_Windows10",
		sameBins: true,
		want: summary{
			Applied: []Applied{
				{nd1 + "NewDirtyHive.LOG1", FormatNew, 2, 2, 1, 1, "end of file"},
				{nd1 + "NewDirtyHive.LOG2", FormatNew, 3, 5, 3, 3, "end of log entries"},
			},
			Changed: true, Seq1: 5, Seq2: 5, HbinsSize: 20480, ChecksumOK: true, Len: 262144,
		},
	}, {
		name:    "old format",
		primary: od + "OldDirtyHive",
		logs:    []string{od + "OldDirtyHive.LOG1", od + "OldDirtyHive.LOG2"},
		windows: od + "RecoveredHive_Windows7",
		want: summary{
			Applied: []Applied{{od + "OldDirtyHive.LOG1", FormatOld, 5, 5, 0, 64, "end of dirty pages"}},
			Skipped: []Skipped{{od + "OldDirtyHive.LOG2", "empty file"}},
			Changed: true, Seq1: 5, Seq2: 5, HbinsSize: 487424, ChecksumOK: true, Len: 524288,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			primary, logs := readSet(t, tt.primary, tt.logs...)
			orig := bytes.Clone(primary)
			res, err := Recover(primary, logs)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(primary, orig) {
				t.Fatal("Recover modified its input")
			}
			if diff := cmp.Diff(tt.want, summarize(t, res)); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			windows := readCorpus(t, tt.windows)
			if tt.sameBins && !bytes.Equal(res.Data[baseBlockSize:], windows[baseBlockSize:]) {
				t.Errorf("hive bins data differ from the hive Windows recovered")
			}
			before, got, want := reglookup(t, primary), reglookup(t, res.Data), reglookup(t, windows)
			if before == want {
				t.Fatal("the dirty primary already reads like the recovered hive: the test proves nothing")
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("reglookup -H output (-windows +replayed):\n%s", diff)
			}
		})
	}
}
