package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAnalyzersSigma(t *testing.T) {
	code, out, errOut := runCLI(t, "analyzers", "--sigma")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"247 rules", "per support:", "needs-live-data", "writer-filter", "Detection Rule License 1.1"} {
		if !strings.Contains(out, want) {
			t.Errorf("analyzers --sigma lacks %q", want)
		}
	}
}

func TestScanSigmaDir(t *testing.T) {
	dir := t.TempDir()
	rule := "title: Any Run value\nid: 11111111-2222-3333-4444-555555555555\nstatus: test\nauthor: Team\nlevel: low\nlogsource:\n  category: registry_set\n  product: windows\ndetection:\n  sel:\n    TargetObject|contains: '\\CurrentVersion\\Run'\n  condition: sel\n"
	if err := os.WriteFile(filepath.Join(dir, "run.yml"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "broken.yml"), []byte("title: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "scan", "--format", "json", "--sigma", dir, evidence+"/fake-smss-autostarts")
	// A rule that could not be loaded is something not looked for: exit 3.
	if code != exitProblems || !strings.Contains(errOut, "broken.yml") {
		t.Fatalf("exit %d, want %d with broken.yml on stderr: %s", code, exitProblems, errOut)
	}
	var r struct {
		Findings []struct{ Analyzer, Rule, Detail string }
		Problems []struct{ Path, Analyzer, Message string }
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	sigmaSeen := false
	for _, f := range r.Findings {
		if f.Rule == "sigma.11111111-2222-3333-4444-555555555555" || strings.Contains(f.Detail, "Also matched by sigma.11111111") {
			sigmaSeen = true
		}
	}
	if !sigmaSeen {
		t.Errorf("no finding from the Sigma rule (on its own or merged into a native one)")
	}
	broken := false
	for _, p := range r.Problems {
		if p.Analyzer == "sigma" && strings.HasSuffix(p.Path, "broken.yml") && p.Message != "" {
			broken = true
		}
	}
	if !broken {
		t.Errorf("broken.yml not listed as a problem: %+v", r.Problems)
	}
	if code, _, _ := runCLI(t, "scan", "--sigma", filepath.Join(dir, "missing"), evidence+"/clean-host"); code != exitUsage {
		t.Errorf("--sigma on a missing folder: exit %d, want %d", code, exitUsage)
	}
}
