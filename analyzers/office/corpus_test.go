package office

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

// TestOfficeOnCorpus runs the analyzer over the real NTUSER, UsrClass and
// SOFTWARE hives of the corpus, the hives of one folder as one host. None
// deserves more than info: their Office 2010 and Microsoft 365 settings
// hold only the stock trusted locations and folder names,
// LoadMacroProviderOnBoot 0, and add-ins of Microsoft products (SharePoint
// Colleague Import, OneNote, Power View, Power Pivot, Access, Data
// Streamer) whose classes are not in the corpus (no SOFTWARE hive beside
// those NTUSER hives), so they are reported as unresolved inventory.
func TestOfficeOnCorpus(t *testing.T) {
	// Findings each host must give (rule, severity, count at least),
	// proving the analyzer read the users' Office keys.
	mustHave := map[string][]string{
		"mkorman90__regipy/regipy_tests/data": {"office.addin-unresolved info 3", "office.addin-vsto info 1"},
	}
	hosts := map[string]*hive.Set{}
	for _, m := range corpus.Manifest(t) {
		if m.Kind != "NTUSER" && m.Kind != "USRCLASS" && m.Kind != "SOFTWARE" {
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
			res := analysis.Run(context.Background(), set, []*analysis.Analyzer{Office})
			for _, p := range res.Problems {
				t.Errorf("problem: %s", p.Message)
			}
			count := map[string]int{}
			for _, f := range res.Findings {
				count[fmt.Sprintf("%s %v", f.Rule, f.Severity)]++
				if f.Severity > report.Info {
					t.Errorf("above info: %s %v %s: %v\n%s", f.Rule, f.Severity, f.Title, f.Data, f.Detail)
				}
			}
			if len(count) > 0 {
				t.Logf("%s", strings.Join(sortedCounts(count), " "))
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
