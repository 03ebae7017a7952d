package scan

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/report"
)

// A dirty hive given as a file is read with the logs beside it, as the same
// hive is when its folder is scanned: the logs are applied and the findings
// on that hive are the same.
func TestSingleFileDirtyHivesPairLogs(t *testing.T) {
	dir := corpus.Dir(t)
	ctx := context.Background()
	folders := map[string]*report.Report{}
	var n int
	for _, e := range corpus.Manifest(t) {
		if !strings.Contains(e.Notes, "DIRTY") || !strings.Contains(e.Notes, "primary") || strings.Contains(e.Notes, "corrupt") {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(e.Path))
		siblings, _ := os.ReadDir(filepath.Dir(p))
		hasLog := false
		for _, s := range siblings {
			hasLog = hasLog || isLogOf(s.Name(), filepath.Base(p))
		}
		if !hasLog {
			continue
		}
		n++
		t.Run(e.Path, func(t *testing.T) {
			single, err := Run(ctx, Options{Paths: []string{p}, Analyzers: analyzers.All(), NoDeleted: true})
			if err != nil {
				t.Fatal(err)
			}
			// Every log beside the hive was paired and judged: applied, or
			// not applied with its reason (yarp's BadLogHive logs are bad on
			// purpose).
			var judged, logs int
			for _, in := range single.Inputs {
				if in.Path != p {
					continue
				}
				logs = len(in.Logs)
				for _, l := range in.Logs {
					for _, note := range in.Notes {
						if strings.HasPrefix(note, "applied "+l+" ") || strings.HasPrefix(note, "log "+l+" not applied: ") {
							judged++
							break
						}
					}
				}
			}
			if logs == 0 || judged != logs {
				t.Errorf("%s: %d logs paired, %d of them applied or refused with a reason: %+v", p, logs, judged, single.Inputs)
			}
			folder := filepath.Dir(p)
			whole := folders[folder]
			if whole == nil {
				whole, err = Run(ctx, Options{Paths: []string{folder}, Analyzers: analyzers.All(), NoDeleted: true})
				if err != nil {
					t.Fatal(err)
				}
				folders[folder] = whole
			}
			if diff := cmp.Diff(findingsOn(whole, p), findingsOn(single, p)); diff != "" {
				t.Errorf("findings on %s differ (-folder +file):\n%s", e.Path, diff)
			}
		})
	}
	if n < 5 {
		t.Errorf("only %d dirty corpus hives with logs", n)
	}
}

// findingsOn lists what the findings on one hive say, without the host
// context (names, details) that depends on the other hives of the host.
func findingsOn(r *report.Report, hivePath string) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Hive == hivePath {
			v := ""
			if f.Value != nil {
				v = *f.Value
			}
			out = append(out, strings.Join([]string{f.Rule, f.Key, v, f.ControlSet, f.Severity.String()}, "|"))
		}
	}
	sort.Strings(out)
	return out
}
