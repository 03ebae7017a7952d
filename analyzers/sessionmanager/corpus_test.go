package sessionmanager

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/report"
)

// corpusExpectations lists, per real SYSTEM hive of the corpus, the findings
// above low the Session Manager analyzers must report there, as
// "rule severity" with a count. Every other SYSTEM hive must have none.
// Each entry says why the hive deserves it.
var corpusExpectations = map[string]map[string]int{
	// Windows 10 (build 18362, Anaconda and Chocolatey installed for all
	// users): the system Path holds folders under C:\ProgramData, which
	// standard users can write to, five of them before System32; services
	// running as SYSTEM search them for commands and missing DLLs.
	"mkorman90__regipy/regipy_tests/data/SYSTEM_WIN_10_1709": {
		"environment.path-user-writable medium": 6,
		// PendingFileRenameOperations replaces the kernel driver
		// System32\drivers\vmhgfs.sys with the SetupAPI staging copy
		// SET1A01.tmp at the next boot. It is the VMware Tools upgrade (the
		// same list deletes VMwareToolsUpgrader's leftovers in Windows\Temp),
		// but a driver swapped in before boot is exactly what a responder
		// must verify: collect vmhgfs.sys and check its VMware signature.
		"pending.system-binary high": 1,
	},
}

// corpusDamaged are hives deliberately damaged: analyzers may fail on parts
// of them, and must still not panic.
var corpusDamaged = map[string]bool{
	"mkorman90__regipy/regipy_tests/data/corrupted_system_hive": true,
}

func TestSessionManagerOnCorpus(t *testing.T) {
	n := 0
	for _, m := range corpus.Manifest(t) {
		if m.Kind != "SYSTEM" {
			continue
		}
		n++
		t.Run(m.Path, func(t *testing.T) {
			h, err := hive.Open(corpus.Path(t, m.Path))
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			set := &hive.Set{Host: "corpus", Entries: []*hive.Entry{{Hive: h, Path: m.Path}}}
			res := analysis.Run(context.Background(), set, family)
			for _, r := range res.Runs {
				if r.Status == report.Failed && !corpusDamaged[m.Path] {
					t.Errorf("%s failed: %s", r.Name, r.Reason)
				}
				if strings.Contains(r.Reason, "panicked") {
					t.Errorf("%s panicked: %s", r.Name, r.Reason)
				}
			}
			got := map[string]int{}
			for _, f := range res.Findings {
				if f.Severity > report.Low {
					got[f.Rule+" "+f.Severity.String()]++
				}
				if testing.Verbose() {
					t.Logf("%-8s %-40s %s %v | %s", f.Severity, f.Rule, f.ControlSet, f.Data, f.Title)
				}
			}
			want := corpusExpectations[m.Path]
			if fmt.Sprint(sortedCounts(got)) != fmt.Sprint(sortedCounts(want)) {
				t.Errorf("findings above low: got %v, want %v", sortedCounts(got), sortedCounts(want))
			}
		})
	}
	if n == 0 {
		t.Fatal("no SYSTEM hive in the corpus manifest")
	}
}

func sortedCounts(m map[string]int) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s x%d", k, v))
	}
	sort.Strings(out)
	return out
}
