package autostart

import (
	"context"
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/report"
)

// TestAutostartsOnCorpus runs the autostart analyzers over every real
// NTUSER, SOFTWARE, DEFAULT and SYSTEM hive of the corpus, one host per
// hive, with the user named as discovery names it (the embedded file name).
// None deserves more than low: their Run entries are ordinary software
// (per-user installs in the user's own AppData are counted low, unquoted
// Program Files paths in a user's Run key too), and no Winlogon, AppInit,
// SafeBoot or Startup folder setting differs from Windows' defaults.
func TestAutostartsOnCorpus(t *testing.T) {
	// Entries each hive must report (rule, severity, value), proving the
	// analyzers read them.
	mustHave := map[string][]string{
		"log2timeline__dfwinreg/test_data/NTUSER.DAT":                 {"runkey.entry low Spotify", "runkey.entry low Spotify Web Helper"},
		"log2timeline__plaso/test_data/NTUSER-WIN7.DAT":               {"runkey.entry low Google Update"},
		"log2timeline__plaso/test_data/NTUSER-RunTests.DAT":           {"runkey.entry info Sidebar"},
		"mkorman90__regipy/regipy_tests/data/NTUSER_with_winscp.DAT":  {"runkey.entry low Docker Desktop", "runkey.entry low Ditto"},
		"mkorman90__regipy/regipy_tests/data/NTUSER_BAGMRU.DAT":       {"runkey.entry low com.squirrel.Teams.Teams"},
		"mkorman90__regipy/regipy_tests/data/ntuser_software_partial": {"runkey.entry low OneDrive"},
	}
	// Hives whose damage the analyzers must report as a problem (could not
	// look), with what the problem says; every other hive must give none.
	damaged := map[string]string{
		// A subkey list of ControlSet003 lies in a zero-sized cell: its
		// Control and Services keys cannot be reached (reglookup reads nothing
		// at all: it finds no root key).
		"mkorman90__regipy/regipy_tests/data/corrupted_system_hive": "damaged subkey list",
	}
	kinds := map[string]bool{"NTUSER": true, "SOFTWARE": true, "DEFAULT": true, "SYSTEM": true}
	n := 0
	for _, m := range corpus.Manifest(t) {
		if !kinds[m.Kind] && mustHave[m.Path] == nil {
			continue
		}
		t.Run(m.Path, func(t *testing.T) {
			h, err := hive.Open(corpus.Path(t, m.Path))
			if err != nil {
				t.Skipf("not readable as a hive: %v", err)
			}
			n++
			user, _ := hive.ProfileFromEmbeddedName(h.Header.FileName)
			set := &hive.Set{Host: path.Base(m.Path)}
			set.Add(&hive.Entry{Hive: h, Path: m.Path, User: user})
			res := analysis.Run(context.Background(), set, family)
			want := damaged[m.Path]
			for _, p := range res.Problems {
				if want == "" || !strings.Contains(p.Message, want) {
					t.Errorf("problem: %s", p.Message)
				}
			}
			if want != "" && len(res.Problems) == 0 {
				t.Errorf("no problem reported for a hive with a %s", want)
			}
			seen := map[string]bool{}
			for _, f := range res.Findings {
				seen[fmt.Sprintf("%s %v %s", f.Rule, f.Severity, analysis.Deref(f.Value))] = true
				if f.Severity > report.Low {
					t.Errorf("above low: %s %v %s: %v\n%s", f.Rule, f.Severity, f.Title, f.Data, f.Detail)
				}
				if f.HiveKind == "NTUSER" && f.User != user {
					t.Errorf("user %q, want %q", f.User, user)
				}
			}
			for _, w := range mustHave[m.Path] {
				if !seen[w] {
					t.Errorf("missing %q; got %v", w, strings.Join(keys(seen), "; "))
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no corpus hive was read")
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
