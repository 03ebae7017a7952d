package com

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/report"
)

// TestCOMOnCorpus runs the COM analyzers over the real NTUSER, UsrClass
// and SOFTWARE hives of the corpus, the hives of one folder as one host
// (a user named from the hive's embedded file name). None deserves more than
// low: their per-user CLSIDs are OneDrive's per-user COM servers and
// Windows' own shell folders, and no UAC-bypass handler is set.
func TestCOMOnCorpus(t *testing.T) {
	// Findings each host must give (rule, severity, count at least),
	// proving the analyzers read the user's classes.
	mustHave := map[string][]string{
		"AndrewRathbun__DFIRArtifactMuseum/Windows/Registry/Win11": {"comhijack.user-class info 29", "comautostart.user-server info 3"},
		"mkorman90__regipy/regipy_tests/data":                      {"comhijack.user-class info 20", "comautostart.user-server info 3"},
	}
	hosts := map[string]*hive.Set{}
	for _, m := range corpus.Manifest(t) {
		if m.Kind != "NTUSER" && m.Kind != "USRCLASS" && m.Kind != "SOFTWARE" && !strings.HasSuffix(m.Path, "/ntuser_software_partial") {
			continue
		}
		h, err := hive.Open(corpus.Path(t, m.Path))
		if err != nil {
			continue // not readable as a hive: the hive tests cover it
		}
		dir := path.Dir(m.Path)
		if hosts[dir] == nil {
			hosts[dir] = &hive.Set{Host: dir}
		}
		user, _ := hive.ProfileFromEmbeddedName(h.Header.FileName)
		hosts[dir].Add(&hive.Entry{Hive: h, Path: m.Path, User: user})
	}
	if len(hosts) == 0 {
		t.Fatal("no corpus hive was read")
	}
	for dir, set := range hosts {
		t.Run(dir, func(t *testing.T) {
			res := analysis.Run(context.Background(), set, []*analysis.Analyzer{COMHijack, COMAutostart, UACBypass})
			for _, p := range res.Problems {
				t.Errorf("problem: %s", p.Message)
			}
			count := map[string]int{}
			for _, f := range res.Findings {
				count[fmt.Sprintf("%s %v", f.Rule, f.Severity)]++
				if f.Severity > report.Low {
					t.Errorf("above low: %s %v %s: %v\n%s", f.Rule, f.Severity, f.Title, f.Data, f.Detail)
				}
			}
			for _, w := range mustHave[dir] {
				var rule, sev string
				var n int
				fmt.Sscanf(w, "%s %s %d", &rule, &sev, &n)
				if got := count[rule+" "+sev]; got < n {
					t.Errorf("want at least %d %s %s, got %d (all: %v)", n, rule, sev, got, sortedCounts(count))
				}
			}
		})
	}
}

func sortedCounts(m map[string]int) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(out)
	return out
}
