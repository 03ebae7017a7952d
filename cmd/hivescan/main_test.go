package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/report"
)

var update = flag.Bool("update", false, "rewrite golden files")

const evidence = "../../testdata/evidence"

var fileTimes = regexp.MustCompile(`(?s),\n\s*"file_times": \{[^}]*\}`)

func init() {
	now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
}

// runCLI runs the CLI in-process and returns exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), append([]string{"hivescan"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/hivescan -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", name, diff)
	}
}

// The BootExecute pipeline end to end on two sample hosts, in every format.
func TestScanGolden(t *testing.T) {
	hosts := []string{evidence + "/clean-host", evidence + "/fake-smss-bootexecute"}
	for _, format := range []string{"json", "jsonl", "csv", "table"} {
		t.Run(format, func(t *testing.T) {
			args := append([]string{"scan", "--analyzers", "bootexecute", "--format", format}, hosts...)
			code, out, stderr := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			// Loose files' modification times depend on the checkout.
			out = fileTimes.ReplaceAllString(out, "")
			golden(t, "scan-bootexecute."+format+".golden", out)
		})
	}
}

func TestScanReport(t *testing.T) {
	code, out, stderr := runCLI(t, "scan", "--format", "json", "--log-level", "debug", evidence)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("stdout is not the JSON report alone: %v", err)
	}
	if !strings.Contains(stderr, "reading host") {
		t.Errorf("debug logs should go to stderr, got %q", stderr)
	}
	if r.SchemaVersion != report.SchemaVersion || len(r.Hosts) < 2 {
		t.Fatalf("schema %q, %d hosts", r.SchemaVersion, len(r.Hosts))
	}
	for _, in := range r.Inputs {
		if len(in.SHA256) != 64 || in.Size == 0 || in.Kind == "" || in.Kind == "UNKNOWN" {
			t.Errorf("input not identified and hashed: %+v", in)
		}
	}
	if len(r.Problems) != 0 {
		t.Errorf("problems on the sample evidence: %+v", r.Problems)
	}
	var critical int
	for _, f := range r.Findings {
		if f.Severity == report.Critical && strings.Contains(f.Host, "fake-smss") {
			critical++
		}
		if strings.Contains(f.Host, "clean-host") && f.Severity > report.Low {
			t.Errorf("clean host finding above low: %s %s", f.Rule, f.Title)
		}
	}
	if critical == 0 {
		t.Error("no critical finding on the fake-smss hosts")
	}
}

func TestExitCodes(t *testing.T) {
	fake := evidence + "/fake-smss-bootexecute"
	clean := evidence + "/clean-host"
	tests := []struct {
		name string
		args []string
		code int
		out  string // substring of stdout
		err  string // substring of stderr
	}{
		{"no command", nil, 2, "", "give a command"},
		{"help", []string{"--help"}, 0, "USAGE", ""},
		{"unknown command", []string{"sacn", clean}, 2, "", `unknown command "sacn"`},
		{"scan without path", []string{"scan"}, 2, "", "at least one PATH"},
		{"missing path", []string{"scan", "--format", "json", "no/such/dir", clean}, 2, `"hosts"`, "no/such/dir"},
		{"fail-on high with findings", []string{"scan", "--fail-on", "high", "-f", "jsonl", fake}, 1, "bootexecute", ""},
		{"fail-on critical on clean", []string{"scan", "--fail-on", "critical", clean}, 0, "clean-host", ""},
		{"bad format", []string{"scan", "--format", "xml", clean}, 2, "", "unknown format"},
		{"bad severity", []string{"scan", "--fail-on", "severe", clean}, 2, "", "unknown severity"},
		{"unknown analyzer", []string{"scan", "--analyzers", "nope", clean}, 2, "", "unknown analyzer"},
		{"bad log level", []string{"--log-level", "loud", "scan", clean}, 2, "", "log-level"},
		{"not evidence", []string{"scan", "main.go"}, 2, "", "not a registry hive"},
		{"version", []string{"version"}, 0, "hivescan dev", ""},
		{"analyzers", []string{"analyzers"}, 0, "bootexecute", ""},
		{"hives", []string{"hives", fake}, 0, "ControlSet002 (last_known_good)", ""},
		{"dump key", []string{"dump", fake + "/Windows/System32/config/SYSTEM", `select`}, 0, "LastKnownGood (REG_DWORD) = 2", ""},
		{"dump jsonl", []string{"dump", "-f", "jsonl", clean + "/Windows/System32/config/SYSTEM", `ControlSet001\Control\Session Manager`}, 0, `{"type":"value","path":"\\ControlSet001\\Control\\Session Manager","name":"BootExecute","reg_type":"REG_MULTI_SZ","size":`, ""},
		{"dump deleted", []string{"dump", "--deleted", evidence + "/deleted-traces/Users/carol/NTUSER.DAT"}, 0, `WindowsUpdate (REG_SZ) = C:\Windows\smss.exe -k  (deleted value`, ""},
		{"dump missing key", []string{"dump", clean + "/Windows/System32/config/SYSTEM", `No\Such`}, 2, "", "does not exist"},
		{"dump not a hive", []string{"dump", "main.go"}, 2, "", "not a registry hive"},
		{"dump bad format", []string{"dump", "-f", "xml", clean + "/Windows/System32/config/SYSTEM"}, 2, "", "unknown format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if !strings.Contains(out, tc.out) {
				t.Errorf("stdout lacks %q:\n%s", tc.out, out)
			}
			if !strings.Contains(stderr, tc.err) {
				t.Errorf("stderr lacks %q: %q", tc.err, stderr)
			}
		})
	}
}

// -o writes the report to a file chosen by extension and never replaces one.
func TestOutputFile(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "r.csv")
	code, stdout, stderr := runCLI(t, "scan", "-o", out, evidence+"/fake-smss-bootexecute")
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(b), "analyzer,") && !strings.Contains(strings.SplitN(string(b), "\n", 2)[0], "severity") {
		t.Fatalf("not CSV: %v %q", err, b)
	}
	code, _, stderr = runCLI(t, "scan", "-o", out, evidence+"/clean-host")
	if code != 2 || !strings.Contains(stderr, "exists") {
		t.Errorf("overwrite: exit %d, %q", code, stderr)
	}
}

// A report used as a baseline leaves out the findings it holds, and
// --fail-on then counts only new ones.
func TestBaselineFlag(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base.json")
	fake := evidence + "/fake-smss-bootexecute"
	if code, _, stderr := runCLI(t, "scan", "-o", base, fake); code != 0 {
		t.Fatalf("baseline run: %d %s", code, stderr)
	}
	code, out, stderr := runCLI(t, "scan", "--baseline", base, "--fail-on", "info", "--format", "json", fake)
	if code != 0 {
		t.Fatalf("exit %d with every finding baselined: %s", code, stderr)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) != 0 || r.Summary.Baselined == 0 {
		t.Errorf("findings %d, baselined %d", len(r.Findings), r.Summary.Baselined)
	}
	// Another host's findings are new against this baseline.
	if code, _, _ := runCLI(t, "scan", "--baseline", base, "--fail-on", "high", evidence+"/fake-smss-service"); code != 1 {
		t.Errorf("new findings: exit %d, want 1", code)
	}
	if code, _, stderr := runCLI(t, "scan", "--baseline", filepath.Join(dir, "none.json"), fake); code != 2 || !strings.Contains(stderr, "baseline") {
		t.Errorf("missing baseline: exit %d %q", code, stderr)
	}
}

// --memory takes auto or a size, in any position; a bad size is a usage
// error with the form it wants, and a budget smaller than every host still
// scans them all (one at a time) to the same report.
func TestMemoryFlag(t *testing.T) {
	for _, bad := range []string{"lots", "1x", "-5", "1KiB", ""} {
		code, stdout, stderr := runCLI(t, "scan", evidence, "--memory", bad)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "--memory") || !strings.Contains(stderr, "MiB") {
			t.Errorf("--memory %q: exit %d, stdout %q, stderr %q", bad, code, stdout, stderr)
		}
	}
	for _, tc := range []struct {
		in   string
		want int64
	}{{"auto", 0}, {"AUTO", 0}, {"2GiB", 2 << 30}, {"512 MiB", 512 << 20}, {"3G", 3e9}, {"16MiB", 16 << 20}} {
		if got, err := parseMemory(tc.in); err != nil || got != tc.want {
			t.Errorf("parseMemory(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
	_, want, _ := runCLI(t, "scan", "-f", "jsonl", "--problems-ok", evidence)
	code, got, stderr := runCLI(t, "scan", evidence, "-f", "jsonl", "--memory", "16MiB", "--problems-ok")
	if code > 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if want == "" || got != want {
		t.Errorf("--memory 16MiB changes the report")
	}
}
