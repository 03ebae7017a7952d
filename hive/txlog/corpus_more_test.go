package txlog

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/hive"

	"github.com/google/go-cmp/cmp"
)

// The outcomes yarp's test_cases.py expects (test_bad_baseblock,
// test_bad_log1..3, test_dirty_new2), restated for Recover.
func TestRecoverYarpCases(t *testing.T) {
	bb := yarpDir + "BadBaseBlockHive/"
	b1, b2, b3 := yarpDir+"BadLogHive1/", yarpDir+"BadLogHive2/", yarpDir+"BadLogHive3/"
	nd2 := yarpDir + "NewDirtyHive2/"
	tests := []struct {
		name    string
		primary string
		logs    []string
		want    summary
	}{{
		// The primary's base block is corrupt (checksum, version 1.1): the
		// old-format LOG1 supplies the base block (version 1.3) and its pages.
		name:    "BadBaseBlockHive: base block and pages from LOG1",
		primary: bb + "BadBaseBlockHive",
		logs:    []string{bb + "BadBaseBlockHive.LOG1", bb + "BadBaseBlockHive.LOG2"},
		want: summary{
			Applied:     []Applied{{bb + "BadBaseBlockHive.LOG1", FormatOld, 5, 5, 0, 64, "end of dirty pages"}},
			Skipped:     []Skipped{{bb + "BadBaseBlockHive.LOG2", "empty file"}},
			Changed:     true,
			BaseFromLog: bb + "BadBaseBlockHive.LOG1",
			Seq1:        5, Seq2: 5, HbinsSize: 487424, ChecksumOK: true, Len: 524288,
		},
	}, {
		// yarp: AutoRecoveryException, no log applicable (LOG1's checksum is bad).
		name:    "BadLogHive1: log with a bad checksum",
		primary: b1 + "BadLogHive",
		logs:    []string{b1 + "BadLogHive.LOG1", b1 + "BadLogHive.LOG2"},
		want: summary{
			Skipped: []Skipped{
				{b1 + "BadLogHive.LOG1", "base block checksum 0x4c564e49 does not match computed 0x0ccbac9d"},
				{b1 + "BadLogHive.LOG2", "empty file"},
			},
			Seq1: 5, Seq2: 4, HbinsSize: 487424, ChecksumOK: true, Len: 524288,
		},
	}, {
		// yarp: AutoRecoveryException (no dirty vector signature).
		name:    "BadLogHive2: log without DIRT",
		primary: b2 + "BadLogHive",
		logs:    []string{b2 + "BadLogHive.LOG1", b2 + "BadLogHive.LOG2"},
		want: summary{
			Skipped: []Skipped{
				{b2 + "BadLogHive.LOG1", "no DIRT signature at offset 0x200"},
				{b2 + "BadLogHive.LOG2", "empty file"},
			},
			Seq1: 5, Seq2: 4, HbinsSize: 487424, ChecksumOK: true, Len: 524288,
		},
	}, {
		// yarp: AutoRecoveryException (both new-format logs have bad base blocks).
		name:    "BadLogHive3: new-format logs with bad checksums",
		primary: b3 + "BadLogHive",
		logs:    []string{b3 + "BadLogHive.LOG1", b3 + "BadLogHive.LOG2"},
		want: summary{
			Skipped: []Skipped{
				{b3 + "BadLogHive.LOG1", "base block checksum 0x4c564e49 does not match computed 0xce228278"},
				{b3 + "BadLogHive.LOG2", "base block checksum 0x4c564e49 does not match computed 0xce228278"},
			},
			Seq1: 3, Seq2: 2, HbinsSize: 20480, ChecksumOK: true, Len: 262144,
		},
	}, {
		// yarp: only LOG2 is applied, last sequence number 5.
		name:    "NewDirtyHive2: LOG1 already applied, LOG2 used",
		primary: nd2 + "NewDirtyHive",
		logs:    []string{nd2 + "NewDirtyHive.LOG1", nd2 + "NewDirtyHive.LOG2"},
		want: summary{
			Applied: []Applied{{nd2 + "NewDirtyHive.LOG2", FormatNew, 3, 5, 3, 3, "end of log entries"}},
			Skipped: []Skipped{{nd2 + "NewDirtyHive.LOG1", "already applied: log starts at sequence 2, before the primary's secondary sequence number 3"}},
			Changed: true, Seq1: 5, Seq2: 5, HbinsSize: 20480, ChecksumOK: true, Len: 262144,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			primary, logs := readSet(t, tt.primary, tt.logs...)
			res := recoverInPlaceToo(t, primary, logs)
			if diff := cmp.Diff(tt.want, summarize(t, res)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if !res.Changed && !bytes.Equal(res.Data, primary) {
				t.Error("nothing applied, yet the data changed")
			}
		})
	}
}

// recoverInPlaceToo returns Recover's result after checking that
// RecoverInto with the primary as its own work copy (as evidence replays a
// hive read into memory) gives the same bytes, and leaves the primary as it
// was when nothing is applied.
func recoverInPlaceToo(t *testing.T, primary []byte, logs []Log) *Result {
	t.Helper()
	res, err := Recover(primary, logs)
	if err != nil {
		t.Fatal(err)
	}
	work := bytes.Clone(primary)
	in, err := RecoverInto(work, work, logs)
	if err != nil {
		t.Fatal(err)
	}
	if in.Changed != res.Changed || !bytes.Equal(in.Data, res.Data) {
		t.Errorf("in place: changed %v, %d bytes; into a copy: changed %v, %d bytes (equal: %v)", in.Changed, len(in.Data), res.Changed, len(res.Data), bytes.Equal(in.Data, res.Data))
	}
	if !in.Changed && !bytes.Equal(work, primary) {
		t.Error("in place: nothing applied, yet the primary changed")
	}
	return res
}

// BadBaseBlockHive is OldDirtyHive with a corrupted base block: once
// recovered, every key and value must read as in the hive Windows 7
// recovered from OldDirtyHive.
func TestRecoverBadBaseBlockMatchesWindows(t *testing.T) {
	bb := yarpDir + "BadBaseBlockHive/"
	primary, logs := readSet(t, bb+"BadBaseBlockHive", bb+"BadBaseBlockHive.LOG1")
	res, err := Recover(primary, logs)
	if err != nil {
		t.Fatal(err)
	}
	if got := le.Uint32(res.Data[offMinor:]); got != 3 {
		t.Errorf("minor version %d, want 3 from the log's base block", got)
	}
	want := reglookup(t, readCorpus(t, yarpDir+"OldDirtyHive/RecoveredHive_Windows7"))
	if diff := cmp.Diff(want, reglookup(t, res.Data)); diff != "" {
		t.Errorf("reglookup -H (-windows +replayed):\n%s", diff)
	}
}

// Dirty hives from other projects: the test states what replay does.
func TestRecoverCorpusSets(t *testing.T) {
	const rg = "mkorman90__regipy/regipy_tests/data/"
	const am = "AndrewRathbun__DFIRArtifactMuseum/Windows/Amcache/"
	tests := []struct {
		primary string
		logs    []string
		want    summary
	}{{
		rg + "SYSTEM_B", []string{rg + "SYSTEM_B.LOG1", rg + "SYSTEM_B.LOG2"},
		summary{Applied: []Applied{
			{rg + "SYSTEM_B.LOG1", FormatNew, 2107, 2110, 4, 10, "entry at offset 0xe000: no HvLE signature"},
			{rg + "SYSTEM_B.LOG2", FormatNew, 2111, 2130, 20, 305, "end of log entries"},
		}, Changed: true, Seq1: 2130, Seq2: 2130, HbinsSize: 12591104, ChecksumOK: true, Len: 12845056},
	}, {
		rg + "transactions_NTUSER.DAT", []string{rg + "transactions_ntuser.dat.log1", rg + "transactions_ntuser.dat.log2"},
		summary{Applied: []Applied{
			{rg + "transactions_ntuser.dat.log1", FormatNew, 566, 588, 23, 132, "end of file"},
		}, Skipped: []Skipped{
			{rg + "transactions_ntuser.dat.log2", "already applied: log starts at sequence 562, before the primary's secondary sequence number 566"},
		}, Changed: true, Seq1: 588, Seq2: 588, HbinsSize: 925696, ChecksumOK: true, Len: 1048576},
	}, {
		rg + "UsrClass.dat", []string{rg + "UsrClass.dat.LOG1", rg + "UsrClass.dat.LOG2"},
		summary{Applied: []Applied{
			{rg + "UsrClass.dat.LOG1", FormatNew, 287, 290, 4, 53, "end of log entries"},
			{rg + "UsrClass.dat.LOG2", FormatNew, 291, 300, 10, 105, "end of log entries"},
		}, Changed: true, Seq1: 300, Seq2: 300, HbinsSize: 2830336, ChecksumOK: true, Len: 2883584},
	}, {
		am + "Win11/RathbunVM/Amcache.hve", []string{am + "Win11/RathbunVM/Amcache.hve.LOG1", am + "Win11/RathbunVM/Amcache.hve.LOG2"},
		summary{Applied: []Applied{
			{am + "Win11/RathbunVM/Amcache.hve.LOG2", FormatNew, 68, 69, 2, 50, "end of file"},
			{am + "Win11/RathbunVM/Amcache.hve.LOG1", FormatNew, 70, 76, 7, 87, "end of log entries"},
		}, Changed: true, Seq1: 76, Seq2: 76, HbinsSize: 1781760, ChecksumOK: true, Len: 1835008},
	}, {
		am + "Win10/APTSimulatorVM/Amcache.hve", []string{am + "Win10/APTSimulatorVM/Amcache.hve.LOG1", am + "Win10/APTSimulatorVM/Amcache.hve.LOG2"},
		summary{Applied: []Applied{
			{am + "Win10/APTSimulatorVM/Amcache.hve.LOG1", FormatNew, 36, 37, 2, 9, "entry at offset 0xc000: no HvLE signature"},
			{am + "Win10/APTSimulatorVM/Amcache.hve.LOG2", FormatNew, 38, 39, 2, 13, "entry at offset 0x10000: sequence number 27, expected 40"},
		}, Changed: true, Seq1: 39, Seq2: 39, HbinsSize: 987136, ChecksumOK: true, Len: 1048576},
	}}
	for _, tt := range tests {
		t.Run(tt.primary, func(t *testing.T) {
			primary, logs := readSet(t, tt.primary, tt.logs...)
			res := recoverInPlaceToo(t, primary, logs)
			got := summarize(t, res)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			before, after := strings.Split(reglookup(t, primary), "\n"), strings.Split(reglookup(t, res.Data), "\n")
			if len(after) < len(before)/2 {
				t.Errorf("reglookup reads %d lines from the recovered hive, %d from the primary", len(after), len(before))
			}
			t.Logf("reglookup: %d lines before, %d after, %d lines differ", len(before), len(after), lineDiff(before, after))
		})
	}
}

// williballenthin's new_log_* sets hold logs without their primary. Each
// log must parse; replayed onto an empty primary shell built from the log's
// own base block, its entries apply in sequence.
func TestLogsWithoutPrimary(t *testing.T) {
	const wb = "williballenthin__python-registry/testing/reg_samples/"
	tests := []struct {
		log     string
		entries int
	}{
		{wb + "new_log_1/SYSTEM.LOG1", 8},
		{wb + "new_log_1/SYSTEM.LOG2", 31},
		{wb + "new_log_2/SYSTEM.LOG1", 32},
		{wb + "new_log_2/SYSTEM.LOG2", 1},
	}
	for _, tt := range tests {
		t.Run(tt.log, func(t *testing.T) {
			d := readCorpus(t, tt.log)
			lf, why := openLog(Log{tt.log, d}, 0)
			if why != "" {
				t.Fatalf("log rejected: %s", why)
			}
			// A shell primary: the log's base block as a dirty primary file
			// with zeroed hive bins data.
			shell := make([]byte, baseBlockSize+int(lf.bb.hbinsSize))
			copy(shell, d[:logBaseBlockSize])
			le.PutUint32(shell[offFileType:], fileTypePrimary)
			le.PutUint32(shell[offSeq2:], lf.bb.seq1-1)
			le.PutUint32(shell[offChecksum:], hive.Checksum(shell))
			res, err := Recover(shell, []Log{{tt.log, d}})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Applied) != 1 {
				t.Fatalf("applied %v, skipped %v", res.Applied, res.Skipped)
			}
			a := res.Applied[0]
			t.Logf("entries %d..%d (%d entries, %d pages), stop: %s", a.FirstSeq, a.LastSeq, a.Entries, a.Pages, a.Stop)
			if a.Entries != tt.entries || a.FirstSeq != lf.bb.seq1 {
				t.Errorf("applied %d entries from %d, want %d from %d", a.Entries, a.FirstSeq, tt.entries, lf.bb.seq1)
			}
			// And against a foreign primary they are refused.
			other, _ := readSet(t, yarpDir+"NewDirtyHive1/NewDirtyHive")
			res, err = Recover(other, []Log{{tt.log, d}})
			if err != nil {
				t.Fatal(err)
			}
			if res.Changed || len(res.Skipped) != 1 || res.Skipped[0].Reason[:8] != "foreign:" {
				t.Errorf("foreign log: changed %v, skipped %v", res.Changed, res.Skipped)
			}
		})
	}
}

// lineDiff counts lines of a missing from b plus lines of b missing from a.
func lineDiff(a, b []string) int {
	count := map[string]int{}
	for _, l := range a {
		count[l]++
	}
	for _, l := range b {
		count[l]--
	}
	n := 0
	for _, c := range count {
		n += max(c, -c)
	}
	return n
}
