package checks_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hivescan/hivescan/analyzers/checks"
)

const goodFile = `analyzer: team-checks
doc: |
  Our golden image's extra checks
  Two locations our red team used.
checks:
  - rule: team-checks.debugger
    keys: HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion\AeDebug
    values: Debugger
    data: command
    severity: high
    attack: [T1546]
    source: our runbook
    title: AeDebug runs {{.Program}}
    detail: The post-mortem debugger {{.Data}} starts when a program crashes.
`

func TestParseGood(t *testing.T) {
	f, err := checks.Parse("team.yaml", []byte(goodFile))
	if err != nil {
		t.Fatal(err)
	}
	if f.Analyzer != "team-checks" || len(f.Checks) != 1 || f.Checks[0].Where() != "team.yaml:6" || len(f.Attack) != 1 {
		t.Fatalf("parsed %+v (check at %s)", f, f.Checks[0].Where())
	}
}

// TestParseErrors: each mistake names the file, the line and the field.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, edit, want string
	}{
		{"unknown field", "    data: command\n", "    data: command\n    colour: red\n"},
		{"bad severity", "severity: high", "severity: urgent"},
		{"bad kind", "data: command", "data: program"},
		{"bad root", `keys: HKLM\SOFTWARE\`, `keys: HKXX\SOFTWARE\`},
		{"bad technique", "attack: [T1546]", "attack: [persistence]"},
		{"rule outside analyzer", "rule: team-checks.debugger", "rule: other.debugger"},
		{"missing source", "    source: our runbook\n", ""},
		{"bad template", "AeDebug runs {{.Program}}", "AeDebug runs {{.Programme}}"},
		{"fires on text", "    data: command\n", "    data: command\n    fires: nonzero\n"},
		{"bad yaml", "checks:\n", "checks: [\n"},
	}
	wants := map[string]string{
		"unknown field":         "team.yaml:10: checks[0].colour: unknown field",
		"bad severity":          "team.yaml:10: checks[0].severity:",
		"bad kind":              `team.yaml:9: checks[0].data: "program": want one of`,
		"bad root":              "team.yaml:7: checks[0].keys[0]:",
		"bad technique":         `team.yaml:11: checks[0].attack[0]: "persistence" is not an ATT&CK technique id`,
		"rule outside analyzer": `team.yaml:6: checks[0].rule: "other.debugger": want team-checks.<name>`,
		"missing source":        "team.yaml:6: checks[0].source: missing (required)",
		"bad template":          "team.yaml:13: checks[0].title: bad template",
		"fires on text":         `team.yaml:10: checks[0].fires: "nonzero" applies to number data only`,
		"bad yaml":              "team.yaml:",
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(goodFile, tc.edit, tc.want, 1)
			if src == goodFile {
				t.Fatalf("edit %q changed nothing", tc.edit)
			}
			_, err := checks.Parse("team.yaml", []byte(src))
			var ce *checks.Error
			if err == nil || !errors.As(err, &ce) || !strings.Contains(err.Error(), wants[tc.name]) {
				t.Fatalf("got %v, want an error containing %q", err, wants[tc.name])
			}
		})
	}
}

func TestLoadFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "b.yaml"), []byte(goodFile), 0o644); err != nil {
		t.Fatal(err)
	}
	other := strings.ReplaceAll(goodFile, "team-checks", "more-checks")
	if err := os.WriteFile(filepath.Join(dir, "a.yml"), []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a check file"), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, err := checks.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[0].Analyzer != "more-checks" || fs[1].Analyzer != "team-checks" {
		t.Fatalf("loaded %d files: %+v", len(fs), fs)
	}
	if _, err := checks.Load(filepath.Join(dir, "absent.yaml")); err == nil {
		t.Error("loading a missing file gave no error")
	}
	empty := t.TempDir()
	if _, err := checks.Load(empty); err == nil || !strings.Contains(err.Error(), "no .yaml") {
		t.Errorf("loading an empty folder: %v", err)
	}
}

// TestDocumentedExampleLoads keeps docs/rules.md's example a valid file.
func TestDocumentedExampleLoads(t *testing.T) {
	doc, err := os.ReadFile("../../docs/rules.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```yaml\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/rules.md has no yaml example")
	}
	f, err := checks.Parse("docs/rules.md", []byte(block))
	if err != nil {
		t.Fatal(err)
	}
	if f.Analyzer != "team-checks" || len(f.Checks) != 1 || !f.Checks[0].Wow64 || len(f.Checks[0].Defaults) != 1 {
		t.Fatalf("parsed %+v", f)
	}
}
