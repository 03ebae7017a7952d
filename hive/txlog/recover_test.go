package txlog

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive"

	"github.com/google/go-cmp/cmp"
)

const testName = `\TEST\hive`

func TestRecoverSynthetic(t *testing.T) {
	const seq = 10
	bins4 := uint32(4 * binAlign)
	ok1 := testEntry{seq: seq, hbins: bins4, pages: []testPage{{0, page(binAlign, 0xA1)}}}
	ok2 := testEntry{seq: seq + 1, hbins: bins4, pages: []testPage{{binAlign, page(binAlign, 0xB2)}}}
	ok3 := testEntry{seq: seq + 2, hbins: 6 * binAlign, flags: 1, pages: []testPage{{5 * binAlign, page(binAlign, 0xC3)}}}
	logA := testNewLog(seq, bins4, testName, ok1, ok2)
	logB := testNewLog(seq+2, bins4, testName, ok3)

	badHash := bytes.Clone(logA)
	badHash[logBaseBlockSize+entryHeaderSize+16] ^= 0xFF // a page byte of the first entry

	truncated := logA[:len(logA)-100]

	hugePage := testNewLog(seq, 0xFFFFF000, testName, testEntry{seq: seq, hbins: 0xFFFFF000, pages: []testPage{{0xFFFF0000, page(binAlign, 1)}}})
	pastSize := testNewLog(seq, bins4, testName, testEntry{seq: seq, hbins: bins4, pages: []testPage{{bins4, page(binAlign, 1)}}})

	foreign := testNewLog(seq, bins4, `\OTHER\hive`, ok1)
	gap := testNewLog(seq+3, bins4, testName, testEntry{seq: seq + 3, hbins: bins4, pages: []testPage{{0, page(512, 9)}}})
	primaryAsLog := testBase(logBaseBlockSize, fileTypePrimary, seq, seq, bins4, testName)
	dirtyLog := testBase(logBaseBlockSize, fileTypeLogNew, seq, seq-1, bins4, testName)

	type want struct {
		Applied   []Applied
		Skipped   []Skipped
		Changed   bool
		Seq       uint32
		HbinsSize uint32
		Len       int
		Fills     [6]byte // first data byte of each 4096-byte bin (0 past the end)
	}
	untouched := [6]byte{0x11, 0x11, 0x11, 0x11}
	tests := []struct {
		name string
		logs []Log
		want want
	}{{
		name: "two logs chained",
		logs: []Log{{"A", logA}, {"B", logB}},
		want: want{
			Applied: []Applied{{"A", FormatNew, 10, 11, 2, 2, "end of file"}, {"B", FormatNew, 12, 12, 1, 1, "end of file"}},
			Changed: true, Seq: 12, HbinsSize: 6 * binAlign, Len: baseBlockSize + 6*binAlign,
			Fills: [6]byte{0xA1, 0xB2, 0x11, 0x11, 0, 0xC3},
		},
	}, {
		name: "wrong order: the earlier log is applied first",
		logs: []Log{{"B", logB}, {"A", logA}},
		want: want{
			Applied: []Applied{{"A", FormatNew, 10, 11, 2, 2, "end of file"}, {"B", FormatNew, 12, 12, 1, 1, "end of file"}},
			Changed: true, Seq: 12, HbinsSize: 6 * binAlign, Len: baseBlockSize + 6*binAlign,
			Fills: [6]byte{0xA1, 0xB2, 0x11, 0x11, 0, 0xC3},
		},
	}, {
		name: "bad hash in the first log stops everything (no gap allowed)",
		logs: []Log{{"A", badHash}, {"B", logB}},
		want: want{
			Skipped: []Skipped{
				{"A", "no log entry applied: entry at offset 0x200: bad Hash-1 "},
				{"B", "sequence does not follow: log starts at 12, expected 10"},
			},
			Seq: 10, HbinsSize: bins4, Len: baseBlockSize + 4*binAlign, Fills: untouched,
		},
	}, {
		name: "truncated last entry: earlier entries applied",
		logs: []Log{{"A", truncated}},
		want: want{
			Applied: []Applied{{"A", FormatNew, 10, 10, 1, 1, "entry at offset 0x1400: truncated: size 4608, 4508 bytes left in the log"}},
			Changed: true, Seq: 10, HbinsSize: bins4, Len: baseBlockSize + 4*binAlign,
			Fills: [6]byte{0xA1, 0x11, 0x11, 0x11},
		},
	}, {
		name: "sequence gap: second log not applied",
		logs: []Log{{"A", logA}, {"G", gap}},
		want: want{
			Applied: []Applied{{"A", FormatNew, 10, 11, 2, 2, "end of file"}},
			Skipped: []Skipped{{"G", "sequence does not follow: log starts at 13, expected 12"}},
			Changed: true, Seq: 11, HbinsSize: bins4, Len: baseBlockSize + 4*binAlign,
			Fills: [6]byte{0xA1, 0xB2, 0x11, 0x11},
		},
	}, {
		name: "hive size beyond what the inputs hold",
		logs: []Log{{"H", hugePage}},
		want: want{
			Skipped: []Skipped{{"H", "no log entry applied: entry at offset 0x200: hive bins data size 4294963200 exceeds "}},
			Seq:     10, HbinsSize: bins4, Len: baseBlockSize + 4*binAlign, Fills: untouched,
		},
	}, {
		name: "page past the entry's hive bins data size",
		logs: []Log{{"P", pastSize}},
		want: want{
			Skipped: []Skipped{{"P", "no log entry applied: entry at offset 0x200: dirty page 0 (offset 0x4000, size 4096) lies past the hive bins data size 16384"}},
			Seq:     10, HbinsSize: bins4, Len: baseBlockSize + 4*binAlign, Fills: untouched,
		},
	}, {
		name: "unusable logs",
		logs: []Log{
			{"foreign", foreign},
			{"empty", nil},
			{"zeros", make([]byte, 8192)},
			{"short", logA[:100]},
			{"header only", logA[:logBaseBlockSize+entryHeaderSize]},
			{"primary", primaryAsLog},
			{"dirty", dirtyLog},
			{"garbage", bytes.Repeat([]byte("garbage!"), 100)},
		},
		want: want{
			Skipped: []Skipped{
				{"foreign", `foreign: log names hive "\\OTHER\\hive", primary names "\\TEST\\hive"`},
				{"empty", "empty file"},
				{"zeros", "zero-filled (8192 bytes)"},
				{"short", "truncated: 100 bytes, a log base block needs 512"},
				{"header only", "truncated: 552 bytes leave no room for a log entry"},
				{"primary", "file type 0: a primary file, not a transaction log"},
				{"dirty", "log base block is itself dirty (sequence numbers 10 and 9 differ)"},
				{"garbage", `no regf signature (found "garb")`},
			},
			Seq: 10, HbinsSize: bins4, Len: baseBlockSize + 4*binAlign, Fills: untouched,
		},
	}, {
		name: "old format",
		logs: []Log{{"old", testOldLog(10, bins4, testName, testPage{512, page(512, 0x55)}, testPage{3*binAlign + 1024, page(512, 0x66)})}},
		want: want{
			Applied: []Applied{{"old", FormatOld, 10, 10, 0, 2, "end of dirty pages"}},
			Changed: true, Seq: 10, HbinsSize: bins4, Len: baseBlockSize + 4*binAlign,
			Fills: [6]byte{0x11, 0x11, 0x11, 0x66},
		},
	}, {
		// Found by FuzzRecover: an empty dirty vector is a valid log that
		// changes only the base block (yarp applies it too).
		name: "old format, no dirty pages",
		logs: []Log{{"old", testOldLog(10, bins4, testName)}},
		want: want{
			Applied: []Applied{{"old", FormatOld, 10, 10, 0, 0, "end of dirty pages"}},
			Changed: true, Seq: 10, HbinsSize: bins4, Len: baseBlockSize + 4*binAlign, Fills: untouched,
		},
	}, {
		name: "old format, truncated pages",
		logs: []Log{{"old", testOldLog(10, bins4, testName, testPage{512, page(512, 0x55)}, testPage{3 * binAlign, page(100, 0x66)})}},
		want: want{
			Skipped: []Skipped{{"old", "truncated: 2 dirty pages need 2048 bytes, file has 1636"}},
			Seq:     10, HbinsSize: bins4, Len: baseBlockSize + 4*binAlign, Fills: untouched,
		},
	}, {
		name: "new format preferred over old",
		logs: []Log{{"old", testOldLog(10, bins4, testName, testPage{0, page(512, 0x55)})}, {"A", logA}},
		want: want{
			Applied: []Applied{{"A", FormatNew, 10, 11, 2, 2, "end of file"}},
			Skipped: []Skipped{{"old", "old-format log ignored: new-format logs take precedence"}},
			Changed: true, Seq: 11, HbinsSize: bins4, Len: baseBlockSize + 4*binAlign,
			Fills: [6]byte{0xA1, 0xB2, 0x11, 0x11},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			primary := testPrimary(10, 4, 0x11)
			orig := bytes.Clone(primary)
			res, err := Recover(primary, tt.logs)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(primary, orig) {
				t.Fatal("Recover modified its input")
			}
			bb, err := parseBaseBlock(res.Data)
			if err != nil {
				t.Fatal(err)
			}
			var fills [6]byte
			for i := range fills {
				if off := baseBlockSize + i*binAlign + 512; off < len(res.Data) {
					fills[i] = res.Data[off+1000]
				}
			}
			got := want{res.Applied, res.Skipped, res.Changed, bb.seq1, bb.hbinsSize, len(res.Data), fills}
			// Reasons carrying hash values are compared by prefix.
			for i := range got.Skipped {
				if i < len(tt.want.Skipped) && strings.HasSuffix(tt.want.Skipped[i].Reason, " ") && strings.HasPrefix(got.Skipped[i].Reason, tt.want.Skipped[i].Reason) {
					got.Skipped[i].Reason = tt.want.Skipped[i].Reason
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if res.Changed {
				if bb.seq1 != bb.seq2 || !bb.checksumOK() || bb.fileType != 0 {
					t.Errorf("recovered base block: seq %d/%d, checksum ok %v, type %d", bb.seq1, bb.seq2, bb.checksumOK(), bb.fileType)
				}
				if d, _ := NeedsRecovery(res.Data); d {
					t.Error("recovered hive still needs recovery")
				}
			} else if !bytes.Equal(res.Data, primary) {
				t.Error("unchanged result differs from the primary")
			}
		})
	}
}

func TestRecoverFlags(t *testing.T) {
	primary := testPrimary(10, 1, 0)
	log := testNewLog(10, binAlign, testName,
		testEntry{seq: 10, hbins: binAlign, flags: 1, pages: []testPage{{0, page(512, 1)}}})
	res, err := Recover(primary, []Log{{"L", log}})
	if err != nil {
		t.Fatal(err)
	}
	if f := le.Uint32(res.Data[offFlags:]); f&1 != 1 {
		t.Errorf("flags %#x: bit 0 of the entry's flags not restored", f)
	}
}

func TestRecoverInvalidPrimaryBase(t *testing.T) {
	primary := testPrimary(10, 4, 0x11)
	primary[offRootCell] ^= 0xFF // checksum no longer matches
	logA := testNewLog(10, 4*binAlign, testName, testEntry{seq: 10, hbins: 4 * binAlign, pages: []testPage{{0, page(binAlign, 0xA1)}}})
	logB := testNewLog(11, 4*binAlign, testName, testEntry{seq: 11, hbins: 4 * binAlign, pages: []testPage{{binAlign, page(binAlign, 0xB2)}}})
	res, err := Recover(primary, []Log{{"A", logA}, {"B", logB}})
	if err != nil {
		t.Fatal(err)
	}
	want := &Result{
		Applied:     []Applied{{"B", FormatNew, 11, 11, 1, 1, "end of file"}},
		Skipped:     []Skipped{{"A", "primary base block is invalid: only the log with the latest entries (B) is used"}},
		Changed:     true,
		BaseFromLog: "B",
		Dirty:       true,
	}
	if diff := cmp.Diff(want, res, cmp.FilterPath(func(p cmp.Path) bool {
		s := p.String()
		return s == "Data" || s == "Why"
	}, cmp.Ignore())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := le.Uint32(res.Data[offRootCell:]); got != 32 {
		t.Errorf("root cell %#x, want 0x20 from the log's base block", got)
	}
	if res.Data[baseBlockSize+binAlign+600] != 0xB2 || res.Data[baseBlockSize+600] != 0x11 {
		t.Error("only log B's page should be applied")
	}
}

func TestRecoverClean(t *testing.T) {
	primary := testPrimary(10, 1, 0)
	le.PutUint32(primary[offSeq2:], 10)
	le.PutUint32(primary[offChecksum:], hive.Checksum(primary))
	if d, why := NeedsRecovery(primary); d || !strings.HasPrefix(why, "clean") {
		t.Fatalf("NeedsRecovery = %v, %q", d, why)
	}
	log := testNewLog(10, binAlign, testName, testEntry{seq: 10, hbins: binAlign, pages: []testPage{{0, page(512, 1)}}})
	res, err := Recover(primary, []Log{{"L", log}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed || !bytes.Equal(res.Data, primary) || len(res.Skipped) != 1 {
		t.Errorf("clean primary: changed %v, skipped %v", res.Changed, res.Skipped)
	}
}

func TestRecoverNotAHive(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("regf"), make([]byte, 8192), testBase(baseBlockSize, fileTypeLogNew, 1, 1, binAlign, "")} {
		_, err := Recover(b, nil)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("Recover(%d bytes) error %v, want a *FormatError", len(b), err)
		}
		if d, _ := NeedsRecovery(b); d {
			t.Errorf("NeedsRecovery(%d bytes) = true", len(b))
		}
	}
}
