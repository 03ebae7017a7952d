package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/report"
)

// oneDrive suppresses the one low finding of the clean sample host.
const oneDrive = `allow:
  - rule: runkey.entry
    host: CLEAN-PC*
    value: OneDrive
    reason: OneDrive ships with the golden image
`

func writeAllow(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "allow.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func decodeReport(t *testing.T, out string) report.Report {
	t.Helper()
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return r
}

func hasOneDrive(r report.Report) (found, suppressed bool) {
	for _, f := range r.Findings {
		if f.Rule == "runkey.entry" && f.Value != nil && *f.Value == "OneDrive" {
			return true, f.Suppressed
		}
	}
	return false, false
}

// TestScanAllow: an allowlist suppresses one known finding of the sample
// evidence, counts it, and with it the --fail-on exit code changes.
func TestScanAllow(t *testing.T) {
	clean := evidence + "/clean-host"
	file := writeAllow(t, oneDrive)

	code, out, stderr := runCLI(t, "scan", clean, "--fail-on", "low", "-f", "json")
	if code != exitFindings {
		t.Fatalf("without --allow: exit %d, want 1 (the OneDrive Run value is low): %s", code, stderr)
	}
	before := decodeReport(t, out)
	if found, _ := hasOneDrive(before); !found {
		t.Fatal("the clean host's OneDrive finding is missing without --allow")
	}

	// Flags after the path, as for every scan flag.
	code, out, stderr = runCLI(t, "scan", clean, "--fail-on", "low", "-f", "json", "--allow", file)
	if code != exitOK {
		t.Fatalf("with --allow: exit %d, want 0: %s", code, stderr)
	}
	r := decodeReport(t, out)
	if found, _ := hasOneDrive(r); found {
		t.Error("suppressed finding still in the report")
	}
	if r.Summary.Suppressed != 1 || r.Summary.Findings != before.Summary.Findings-1 || len(r.Findings) != len(before.Findings)-1 {
		t.Errorf("summary %+v, %d findings; want suppressed 1 and one finding less than %d", r.Summary, len(r.Findings), before.Summary.Findings)
	}
	if len(r.Summary.Allow) != 1 || r.Summary.Allow[0].Where != file+":2" || r.Summary.Allow[0].Suppressed != 1 {
		t.Errorf("summary.allow = %+v, want %s:2 with 1 suppressed", r.Summary.Allow, file)
	}
	if !strings.Contains(out, `"suppressed": 1`) {
		t.Errorf("JSON lacks summary.suppressed")
	}

	// The whole sample evidence: one finding fewer, nothing else changes.
	_, all, _ := runCLI(t, "scan", evidence, "-f", "json")
	_, allowed, _ := runCLI(t, "--quiet", "scan", "--allow", file, evidence, "-f", "json")
	ra, rb := decodeReport(t, all), decodeReport(t, allowed)
	if rb.Summary.Findings != ra.Summary.Findings-1 || rb.Summary.Suppressed != 1 || rb.Summary.BySeverity.Low != ra.Summary.BySeverity.Low-1 {
		t.Errorf("sample evidence: %+v with --allow, %+v without", rb.Summary, ra.Summary)
	}
}

func TestScanShowSuppressed(t *testing.T) {
	clean := evidence + "/clean-host"
	file := writeAllow(t, oneDrive)
	code, out, stderr := runCLI(t, "scan", "--show-suppressed", "--allow", file, "--fail-on", "low", "-f", "json", clean)
	if code != exitOK {
		t.Fatalf("exit %d, want 0 (a suppressed finding never reaches --fail-on): %s", code, stderr)
	}
	r := decodeReport(t, out)
	found, suppressed := hasOneDrive(r)
	if !found || !suppressed {
		t.Fatalf("OneDrive finding found %v, suppressed %v; want it kept and marked", found, suppressed)
	}
	for _, f := range r.Findings {
		if f.Suppressed && (f.SuppressedBy != file+":2" || f.SuppressionReason != "OneDrive ships with the golden image") {
			t.Errorf("suppressed finding names %q, %q", f.SuppressedBy, f.SuppressionReason)
		}
	}
	if r.Summary.Suppressed != 1 || r.Summary.Findings != len(r.Findings)-1 {
		t.Errorf("summary %+v with %d findings listed", r.Summary, len(r.Findings))
	}
	_, table, _ := runCLI(t, "scan", "--show-suppressed", "--allow", file, clean, "--width", "200")
	if !strings.Contains(table, "[suppressed] ") || !strings.Contains(table, "Allowlist: 1 findings suppressed") {
		t.Errorf("table does not mark the suppressed finding:\n%s", table)
	}
	_, csv, _ := runCLI(t, "scan", "--show-suppressed", "--allow", file, clean, "-f", "csv")
	if !strings.Contains(csv, "\nsuppressed,low,CLEAN-PC") {
		t.Errorf("csv has no suppressed record:\n%s", csv)
	}
	if code, _, stderr := runCLI(t, "scan", "--show-suppressed", clean); code != exitUsage || !strings.Contains(stderr, "--allow") {
		t.Errorf("--show-suppressed without --allow: exit %d %q", code, stderr)
	}
}

func TestScanAllowExpiredAndStale(t *testing.T) {
	clean := evidence + "/clean-host"
	file := writeAllow(t, `allow:
  - rule: runkey.entry
    value: OneDrive
    reason: was fine last year
    expires: 2025-12-31
  - rule: no-such.rule
    reason: the agent was uninstalled
`)
	code, out, stderr := runCLI(t, "scan", clean, "--allow", file, "-f", "json")
	if code != exitProblems {
		t.Fatalf("expired entry: exit %d, want 3: %s", code, stderr)
	}
	r := decodeReport(t, out)
	if found, suppressed := hasOneDrive(r); !found || suppressed {
		t.Error("an expired entry suppressed its finding")
	}
	want := report.Problem{Path: file + ":2", Message: "allowlist entry expired on 2025-12-31 and suppresses nothing (it would have hidden 1 findings): renew its expires date after checking them, or remove it"}
	if len(r.Problems) != 1 || r.Problems[0] != want {
		t.Errorf("problems %+v, want %+v", r.Problems, want)
	}
	if !strings.Contains(stderr, "hivescan: problem: "+file+":2: allowlist entry expired") {
		t.Errorf("stderr lacks the problem: %s", stderr)
	}
	if len(r.Summary.Allow) != 2 || !r.Summary.Allow[0].Expired || !r.Summary.Allow[1].Stale() || r.Summary.Suppressed != 0 {
		t.Errorf("summary %+v", r.Summary)
	}
	if !strings.Contains(stderr, file+":6") || !strings.Contains(stderr, "stale") {
		t.Errorf("stderr does not warn about the stale entry: %s", stderr)
	}
	if code, _, _ := runCLI(t, "scan", clean, "--allow", file, "--problems-ok", "--fail-on", "low"); code != exitFindings {
		t.Errorf("expired entry with --problems-ok --fail-on low: exit %d, want 1", code)
	}
}

func TestScanAllowMalformed(t *testing.T) {
	clean := evidence + "/clean-host"
	for _, tc := range []struct{ name, text, want string }{
		{"bad date", "allow:\n  - rule: runkey.entry\n    reason: r\n    expires: 2027-13-01\n", ":4: allow[0].expires: want a date YYYY-MM-DD"},
		{"missing reason", "allow:\n  - rule: runkey.entry\n", ":2: allow[0].reason: missing"},
		{"unknown field", "allow:\n  - rule: runkey.entry\n    reasn: typo\n", ":3: allow[0].reasn: unknown field"},
		{"bad regexp", "allow:\n  - data: 're:C:\\\\(x'\n    reason: r\n", ":2: allow[0].data: bad regular expression"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := writeAllow(t, tc.text)
			code, out, stderr := runCLI(t, "scan", clean, "--allow", file)
			if code != exitUsage || out != "" {
				t.Errorf("exit %d, stdout %q; want 2 and no report", code, out)
			}
			if !strings.Contains(stderr, "hivescan: --allow: "+file+tc.want) || !strings.Contains(stderr, "docs/allowlist.md") {
				t.Errorf("stderr %q, want %q and the hint", stderr, file+tc.want)
			}
		})
	}
	if code, _, stderr := runCLI(t, "scan", clean, "--allow", filepath.Join(t.TempDir(), "none.yaml")); code != exitUsage || !strings.Contains(stderr, "none.yaml") {
		t.Errorf("missing file: exit %d %q", code, stderr)
	}
}

// TestAllowlistDocExample scans the sample evidence with the example of
// docs/allowlist.md and expects the output the page shows.
func TestAllowlistDocExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/allowlist.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(.*?)```\n\n```text\n\\$ hivescan scan testdata/evidence --allow allow.yaml\n\\.\\.\\.\n(.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/allowlist.md: no yaml example followed by its output")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "allow.yaml"), m[1], 0o644); err != nil {
		t.Fatal(err)
	}
	ev, err := filepath.Abs(evidence)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	code, out, stderr := runCLI(t, "scan", ev, "--allow", "allow.yaml")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "\n"+string(m[2])) {
		t.Errorf("the output does not hold what docs/allowlist.md shows:\n%s\nwant:\n%s", out, m[2])
	}
}

// The shards of a scan with an allowlist merge into the unsharded report:
// each shard counts what each entry suppressed on its hosts, and merge adds
// them up (an entry is stale only when no shard used it).
func TestScanAllowShards(t *testing.T) {
	file := writeAllow(t, "allow:\n  - rule: runkey.entry\n    value: OneDrive\n    reason: golden image\n  - rule: no-such.rule\n    reason: stale\n")
	dir := t.TempDir()
	want := sansArgs(t, scanTo(t, filepath.Join(dir, "whole.json"), evidence, "--allow", file, "--show-suppressed"))
	var parts []string
	for i := range 2 {
		p := filepath.Join(dir, fmt.Sprintf("part%d.json", i))
		scanTo(t, p, evidence, "--allow", file, "--show-suppressed", "--shard", fmt.Sprintf("%d/2", i))
		parts = append(parts, p)
	}
	code, out, stderr := runCLI(t, append([]string{"merge", "-f", "json"}, parts...)...)
	if code != exitOK {
		t.Fatalf("merge: exit %d: %s", code, stderr)
	}
	got := sansArgs(t, []byte(out))
	if want.Summary.Suppressed != 6 || len(want.Summary.Allow) != 2 {
		t.Fatalf("unsharded summary %+v: want the six OneDrive values suppressed", want.Summary)
	}
	if diff := cmp.Diff(want.Summary, got.Summary); diff != "" {
		t.Errorf("merged summary (-unsharded +merged):\n%s", diff)
	}
	if diff := cmp.Diff(want.Findings, got.Findings); diff != "" {
		t.Errorf("merged findings (-unsharded +merged):\n%s", diff)
	}
}
