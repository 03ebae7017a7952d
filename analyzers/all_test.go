package analyzers

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"
	"github.com/hivescan/hivescan/analyzers/checks"
	"github.com/hivescan/hivescan/analyzers/sessionmanager"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

func TestDriverSkipsAndRecoversPanics(t *testing.T) {
	boom := &analysis.Analyzer{Name: "boom", Doc: "panics", Needs: nil, Run: func(p *analysis.Pass) error {
		p.Report(report.Finding{Rule: "boom.before", Title: "reported before the panic"})
		var m map[string]int
		m["x"] = 1
		return nil
	}}
	set := analysistest.HostOf(t, "h", samples.NTUser("alice"))
	res := analysis.Run(context.Background(), set, []*Analyzer{sessionmanager.BootExecute, boom})
	if len(res.Runs) != 2 || res.Runs[0].Status != report.Skipped || !strings.Contains(res.Runs[0].Reason, "no SYSTEM hive") {
		t.Errorf("bootexecute run: %+v", res.Runs[0])
	}
	if res.Runs[1].Status != report.Failed || !strings.Contains(res.Runs[1].Reason, "panicked") || len(res.Problems) != 1 {
		t.Errorf("panicking analyzer: %+v, problems %+v", res.Runs[1], res.Problems)
	}
	if len(res.Findings) != 1 || res.Findings[0].Rule != "boom.before" || res.Runs[1].Findings != 1 {
		t.Errorf("a finding reported before the panic is kept: got %+v (run %+v)", res.Findings, res.Runs[1])
	}
}

func TestChoose(t *testing.T) {
	all := All()
	got, err := Choose(all, []string{"bootexecute"}, nil)
	if err != nil || len(got) != 1 || got[0] != sessionmanager.BootExecute {
		t.Fatalf("Choose only: %v %v", got, err)
	}
	got, err = Choose(all, nil, []string{"BootExecute"})
	if err != nil || len(got) != len(all)-1 {
		t.Fatalf("Choose skip: %d %v", len(got), err)
	}
	if _, err := Choose(all, []string{"nosuch"}, nil); err == nil || !strings.Contains(err.Error(), "unknown analyzer") {
		t.Fatalf("unknown name: %v", err)
	}
}

func TestAllAnalyzersAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range All() {
		if a.Name == "" || a.Name != strings.ToLower(a.Name) || seen[a.Name] {
			t.Errorf("bad or duplicate name %q", a.Name)
		}
		seen[a.Name] = true
		if a.Title() == "" || a.Run == nil || len(a.Needs) == 0 && !a.NeedsVolume || len(a.Attack) == 0 {
			t.Errorf("%s: title %q, run %v, needs %v, attack %v", a.Name, a.Title(), a.Run != nil, a.Needs, a.Attack)
		}
	}
}

// A newcomer finds the code behind any analyzer in one hop from its name:
// the file <family>/<name>.go declares it.
func TestAnalyzerFileNamedAfterIt(t *testing.T) {
	for _, a := range All() {
		if f, ok := checks.FileOf(a); ok {
			// A table analyzer lives in <family>/<name>.yaml.
			if want := "/" + a.Name + ".yaml"; !strings.HasSuffix(f.Name, want) || f.Analyzer != a.Name {
				t.Errorf("%s: its check file is %s, want a file named %s.yaml declaring it", a.Name, f.Name, a.Name)
			}
			if _, err := os.Stat(strings.TrimPrefix(f.Name, "analyzers/")); err != nil {
				t.Errorf("%s: %v", a.Name, err)
			}
			for _, id := range f.Attack {
				if !slices.Contains(a.Attack, id) {
					t.Errorf("%s: %s reports ATT&CK %s, which the analyzer does not list", a.Name, f.Name, id)
				}
			}
			if f.Doc != "" {
				continue // a whole analyzer as a table
			}
		}
		matches, err := filepath.Glob(filepath.Join("*", a.Name+".go"))
		if err != nil || len(matches) != 1 {
			t.Errorf("%s: want exactly one family file %s.go, got %v (%v)", a.Name, a.Name, matches, err)
			continue
		}
		src, err := os.ReadFile(matches[0])
		if err != nil || !strings.Contains(string(src), `Name: "`+a.Name+`"`) {
			t.Errorf("%s: %s does not declare it (%v)", a.Name, matches[0], err)
		}
	}
}
