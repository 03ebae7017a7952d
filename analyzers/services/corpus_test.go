package services

import (
	"context"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"

	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/report"
)

// svcCorpusExpected lists, per corpus hive, the findings above low that the
// service-family analyzers must report there, and why the hive deserves them.
// Every other SYSTEM hive must stay at low or below.
var svcCorpusExpected = map[string][]struct{ rule, contains string }{
	// A Windows 7 machine on which PsExec was run: the PSEXESVC service is
	// left in both control sets.
	"mkorman90__regipy/regipy_tests/data/SYSTEM": {
		{"service.remote-exec", "PSEXESVC"},
	},
	// Brendan Dolan-Gavitt's (moyix) Windows XP test image: a kernel driver
	// loaded from the user's Desktop (Documents and Settings\moyix\Desktop\EXE\msdirectx.sys).
	"mkorman90__regipy/regipy_tests/data/corrupted_system_hive": {
		{"service.driver-location", "msdirectx.sys"},
	},
}

// svcCorpusDamaged are hives whose damage makes some keys unreadable; the
// analyzers report it as a problem and keep their findings.
var svcCorpusDamaged = map[string]bool{"mkorman90__regipy/regipy_tests/data/corrupted_system_hive": true}

func TestServiceFamilyOnCorpus(t *testing.T) {
	n := 0
	for _, m := range corpus.Manifest(t) {
		if m.Kind != "SYSTEM" && m.Kind != "SOFTWARE" {
			continue
		}
		t.Run(m.Path, func(t *testing.T) {
			h, err := hive.Open(corpus.Path(t, m.Path))
			if err != nil {
				t.Fatal(err)
			}
			if h.Kind() != hive.KindSystem && h.Kind() != hive.KindSoftware {
				t.Skipf("not recognised as SYSTEM or SOFTWARE (%v): nothing for these analyzers", h.Kind())
			}
			n++
			set := &hive.Set{Host: "corpus"}
			set.Add(&hive.Entry{Hive: h, Path: m.Path})
			res := analysis.Run(context.Background(), set, withIFEO)
			if len(res.Problems) > 0 && !svcCorpusDamaged[m.Path] {
				t.Errorf("problems: %+v", res.Problems)
			}
			want := svcCorpusExpected[m.Path]
			found := make([]bool, len(want))
			for _, f := range res.Findings {
				if f.Severity <= report.Low {
					continue
				}
				ok := false
				for i, w := range want {
					if f.Rule == w.rule && strings.Contains(f.Title+" "+f.Detail, w.contains) {
						found[i], ok = true, true
					}
				}
				if !ok {
					t.Errorf("unexpected %s %s: %s (%v)", f.Severity, f.Rule, f.Title, f.Data)
				}
			}
			for i, w := range want {
				if !found[i] {
					t.Errorf("missing %s about %s", w.rule, w.contains)
				}
			}
		})
	}
	if n == 0 && corpus.CI() {
		t.Fatal("no SYSTEM or SOFTWARE hive in the corpus")
	}
}
