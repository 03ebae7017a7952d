package tasks

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/hive"
	"github.com/hivescan/hivescan/internal/corpus"
	"github.com/hivescan/hivescan/report"
)

// TestTasksOnCorpus runs the analyzer on every SOFTWARE hive of the corpus:
// none is damaged where the TaskCache lies and none holds a planted task,
// so there must be no problem and nothing above info.
func TestTasksOnCorpus(t *testing.T) {
	n := 0
	for _, m := range corpus.Manifest(t) {
		if m.Kind != "SOFTWARE" && !strings.Contains(m.Path, "software") {
			continue
		}
		t.Run(m.Path, func(t *testing.T) {
			h, err := hive.Open(corpus.Path(t, m.Path))
			if err != nil {
				t.Fatal(err)
			}
			if h.Kind() != hive.KindSoftware {
				t.Skipf("not recognised as SOFTWARE (%v)", h.Kind())
			}
			n++
			set := &hive.Set{Host: "corpus"}
			set.Add(&hive.Entry{Hive: h, Path: m.Path})
			res := analysis.Run(context.Background(), set, []*analysis.Analyzer{Tasks})
			for _, r := range res.Runs {
				if r.Status != report.Ran {
					t.Errorf("%s %s: %s", r.Name, r.Status, r.Reason)
				}
			}
			for _, f := range res.Findings {
				if f.Severity > report.Info {
					t.Errorf("%s %s: %s", f.Severity, f.Rule, f.Title)
				}
			}
		})
	}
	if n == 0 && corpus.CI() {
		t.Error("no SOFTWARE hive in the corpus")
	}
}

// TestDynamicInfoAgreesWithRegRipper decodes the DynamicInfo values of the
// corpus's Software_Delta (a Windows container layer: its two Tasks entries
// hold nothing else) and compares them with what RegRipper's tasks plugin
// (v.20200427, `regripper -r Software_Delta -p tasks`) printed for them, to
// the second: "Task Reg Time", "Task Last Run" and "Task Completed".
func TestDynamicInfoAgreesWithRegRipper(t *testing.T) {
	h, err := hive.Open(corpus.Path(t, "aboutcode-org__scancode-toolkit/tests/packagedcode/data/win_reg/Software_Delta"))
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		if s == "" {
			return time.Time{}
		}
		tm, err := time.Parse("2006-01-02 15:04:05Z", s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	want := map[string][3]time.Time{
		"{65792B68-B446-4CC9-994E-F832430479D1}": {at("2021-06-06 11:29:25Z"), at("2021-06-09 16:09:44Z"), at("")},
		"{D2903930-F4FC-40CD-A07C-A640EC5D3B22}": {at("2021-06-06 11:29:24Z"), at("2021-06-09 16:09:54Z"), at("2021-06-09 16:09:55Z")},
	}
	for id, w := range want {
		k, err := h.Key(cachePath + `\Tasks\` + id)
		if err != nil {
			t.Fatal(err)
		}
		v, err := k.Value("DynamicInfo")
		if err != nil {
			t.Fatal(err)
		}
		b, err := v.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		d, err := ParseDynamicInfo(b)
		if err != nil {
			t.Fatal(err)
		}
		// RegRipper prints whole seconds, the fraction dropped.
		got := [3]time.Time{d.Registered.Truncate(time.Second), d.LastRun.Truncate(time.Second), d.LastSuccess.Truncate(time.Second)}
		for i := range got {
			if !got[i].Equal(w[i]) {
				t.Errorf("%s time %d: got %v, RegRipper %v", id, i, got[i], w[i])
			}
		}
	}
}
