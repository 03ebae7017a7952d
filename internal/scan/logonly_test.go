package scan

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers"
	"github.com/hivescan/hivescan/hive/hivetest"
	"github.com/hivescan/hivescan/internal/samples"
	"github.com/hivescan/hivescan/report"
)

// A host whose SOFTWARE had a Run value written by one flush and removed
// (with its cell reused) by the next, and whose Winlogon Shell had other
// data before: the scan reports both from the log, at the Run key and the
// Winlogon key, marked deleted with the log entry they came from; a scan
// that does not read logs does not.
func TestLogOnlyRecordsReported(t *testing.T) {
	const run = `Microsoft\Windows\CurrentVersion\Run`
	const winlogon = `Microsoft\Windows NT\CurrentVersion\Winlogon`
	software := func(shell string, run1 ...hivetest.Value) []byte {
		root := &hivetest.Key{Name: "CMI-CreateHive{199DAFC2-6F16-4946-BF90-5A3FC3A60902}", Subkeys: []*hivetest.Key{
			{Name: "Classes"}, {Name: "Clients"}, {Name: "Policies"}, {Name: "RegisteredApplications"},
		}}
		samples.Set(root, `Microsoft\Windows NT\CurrentVersion`, hivetest.SZ("CurrentVersion", "6.3"), hivetest.SZ("CurrentBuildNumber", "19045"), hivetest.SZ("SystemRoot", `C:\Windows`))
		samples.Set(root, winlogon, hivetest.SZ("Shell", shell), hivetest.SZ("Userinit", `C:\Windows\system32\userinit.exe,`))
		samples.Set(root, run, append([]hivetest.Value{hivetest.SZ("SecurityHealth", `%windir%\system32\SecurityHealthSystray.exe`)}, run1...)...)
		h, err := hivetest.Build(root, hivetest.Options{FileName: `\SystemRoot\System32\Config\SOFTWARE`})
		if err != nil {
			t.Fatal(err)
		}
		return h.Bytes
	}
	before := software(`explorer.exe, C:\ProgramData\svc\shell.exe`, hivetest.SZ("Updater", `C:\Users\Public\smss.exe`))
	after := software("explorer.exe")
	primary := slices.Clone(after)
	hivetest.MarkDirty(primary, 40)
	log := hivetest.NewLog(after, 40,
		hivetest.LogEntry{Seq: 40, HbinsSize: hivetest.HbinsSize(before), Pages: hivetest.ChangedPages(after, before)},
		hivetest.LogEntry{Seq: 41, HbinsSize: hivetest.HbinsSize(after), Pages: hivetest.ChangedPages(before, after)})
	dir := filepath.Join(t.TempDir(), "host")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"SOFTWARE": primary, "SOFTWARE.LOG1": log} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Run(context.Background(), Options{Paths: []string{dir}, Analyzers: analyzers.All()})
	if err != nil {
		t.Fatal(err)
	}
	fromLog := map[string]report.Finding{}
	for _, f := range r.Findings {
		if f.RecoveredFrom != "" {
			fromLog[f.Rule+" "+strings.TrimPrefix(f.Key, `\`)+" "+*f.Value] = f
			if !f.Deleted || f.Confidence != "intact" || !strings.Contains(f.RecoveredFrom, "SOFTWARE.LOG1, entry of sequence number 40") || !strings.Contains(f.Detail, "Recovered from a transaction log") {
				t.Errorf("%s: deleted %v confidence %q from %q detail %q", f.Rule, f.Deleted, f.Confidence, f.RecoveredFrom, f.Detail)
			}
		} else if f.Value != nil && (*f.Value == "Updater" || strings.Contains(f.Detail, `shell.exe`)) {
			t.Errorf("finding not marked as from the log: %s %s", f.Rule, f.Title)
		}
	}
	var runFinding, shellFinding *report.Finding
	for id, f := range fromLog {
		switch {
		case strings.HasSuffix(id, run+" Updater"):
			runFinding = &f
		case strings.HasSuffix(id, winlogon+" Shell"):
			shellFinding = &f
		}
	}
	if runFinding == nil || runFinding.Severity < report.High {
		t.Errorf("Run Updater from the log: %+v (all: %v)", runFinding, keys(fromLog))
	}
	if shellFinding == nil || shellFinding.Severity < report.High || !strings.Contains(shellFinding.Detail, "earlier data") {
		t.Errorf("Winlogon Shell's earlier data: %+v (all: %v)", shellFinding, keys(fromLog))
	}
	var noted bool
	for _, in := range r.Inputs {
		for _, n := range in.Notes {
			noted = noted || strings.Contains(n, "found only in the logs")
		}
	}
	if !noted {
		t.Error("no note on the log search")
	}

	r, err = Run(context.Background(), Options{Paths: []string{dir}, Analyzers: analyzers.All(), NoLogs: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		if f.RecoveredFrom != "" {
			t.Errorf("--no-logs scan reports %s from the log", f.Rule)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
