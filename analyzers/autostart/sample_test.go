package autostart

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/analysis"
	"github.com/hivescan/hivescan/analyzers/analysistest"

	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// The fake-smss-autostarts sample host: every planted copy is found, with
// its location's risk, and nothing else is above low.
func TestAutostartsOnFakeSmssHost(t *testing.T) {
	h := samples.FakeSmssAutostarts()
	res := analysis.Run(context.Background(), analysistest.HostOf(t, h.Name, h.Hives...), family)
	if len(res.Problems) != 0 {
		t.Fatalf("problems: %+v", res.Problems)
	}
	var got []string
	for _, f := range res.Findings {
		if f.Severity > report.Low {
			got = append(got, fmt.Sprintf("%s %v %.2f %s %s %v", f.Rule, f.Severity, f.Risk, f.HiveKind, f.User, f.Data))
		}
	}
	sort.Strings(got)
	want := []string{
		`runkey.entry critical 0.52 DEFAULT  C:\Windows\System32\drivers\smss.exe`,
		`runkey.entry critical 0.75 SOFTWARE  C:\Windows\smss.exe`,
		`runkey.entry critical 1.00 NTUSER carol "C:\Program Files\Common Files\smss.exe" /background`,
		`shellfolders.startup high 0.00 NTUSER carol C:\ProgramData\SysCache`,
		`shellfolders.startup high 0.00 NTUSER carol C:\ProgramData\SysCache`,
		`winlogon.userinit critical 0.75 SOFTWARE  C:\Windows\smss.exe`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings above low:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The clean sample host has nothing above info from these analyzers but the
// user's OneDrive (a per-user install, low at most).
func TestAutostartsOnCleanHost(t *testing.T) {
	h := samples.CleanHost()
	res := analysis.Run(context.Background(), analysistest.HostOf(t, h.Name, h.Hives...), family)
	if len(res.Problems) != 0 {
		t.Fatalf("problems: %+v", res.Problems)
	}
	if s := analysistest.MaxSeverity(res.Findings); s > report.Low {
		t.Errorf("clean host: %v", res.Findings)
	}
	if len(res.Findings) != 2 {
		t.Errorf("want the two Run entries as inventory, got %+v", res.Findings)
	}
}
