package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const teamRules = `analyzer: team
doc: Team checks
checks:
  - rule: team.machine-run
    keys: HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run
    wow64: true
    values: "*"
    data: command
    severity: low
    attack: [T1547.001]
    source: our runbook
    title: Machine Run starts {{.Program}}
    detail: Run value {{.Value}} runs {{.Data}}.
`

// TestScanRules: a team's check file runs like a built-in analyzer, can be
// chosen by name, and a malformed one stops the scan with exit 2 naming the
// file, line and field.
func TestScanRules(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(good, []byte(teamRules), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "scan", evidence+"/fake-smss-autostarts", "--analyzers", "team", "--rules", good, "-f", "json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r struct {
		Findings  []struct{ Analyzer, Rule, Title, Key string }
		Analyzers []struct{ Name, Status string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) == 0 {
		t.Fatal("the team's check found nothing in a host with machine Run entries")
	}
	for _, f := range r.Findings {
		if f.Analyzer != "team" || f.Rule != "team.machine-run" || !strings.HasPrefix(f.Title, "Machine Run starts ") || !strings.Contains(f.Key, `CurrentVersion\Run`) {
			t.Errorf("unexpected finding %+v", f)
		}
	}
	if len(r.Analyzers) != 1 || r.Analyzers[0].Name != "team" || r.Analyzers[0].Status != "ran" {
		t.Errorf("analyzer runs: %+v", r.Analyzers)
	}

	code, out, _ = runCLI(t, "analyzers", "--rules", dir)
	if code != exitOK || !strings.Contains(out, "team") || !strings.Contains(out, "Team checks") {
		t.Errorf("analyzers --rules: exit %d\n%s", code, out)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(teamRules, "severity: low", "severity: urgent", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCLI(t, "scan", evidence, "--rules", bad)
	if code != exitUsage || out != "" || !strings.Contains(errOut, "bad.yaml:9: checks[0].severity") || !strings.Contains(errOut, "docs/rules.md") {
		t.Errorf("malformed rules: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	clash := filepath.Join(t.TempDir(), "clash.yaml")
	if err := os.WriteFile(clash, []byte(strings.ReplaceAll(teamRules, "team", "runkeys")), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "scan", evidence, "--rules", clash); code != exitUsage || !strings.Contains(errOut, `analyzer "runkeys" is already a built-in analyzer`) {
		t.Errorf("a built-in name: exit %d, %s", code, errOut)
	}
}
