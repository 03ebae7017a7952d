package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/internal/corpus"
)

func TestReorder(t *testing.T) {
	app := newApp(&env{})
	tests := []struct {
		in, want string
	}{
		{"scan DIR -f jsonl", "scan -f jsonl DIR"},
		{"scan DIR --min-severity high", "scan --min-severity high DIR"},
		{"scan -f jsonl DIR", "scan -f jsonl DIR"},
		{"scan A --no-logs B -o r.json", "scan --no-logs -o r.json A B"},
		{"scan A --format=csv", "scan --format=csv A"},
		{"--log-level debug scan A -q", "--log-level debug scan -q A"},
		{"scan A -- -odd-name", "scan -- A -odd-name"},
		{"scan A --fail-on", "scan A"}, // refused by run: "flag needs an argument"
		{"dump HIVE KEY -f jsonl --deleted", "dump -f jsonl --deleted HIVE KEY"},
		{"extract IMAGE -o DIR", "extract -o DIR IMAGE"},
		{"hives A B -f json", "hives -f json A B"},
		{"analyzers -f json", "analyzers -f json"},
		{"scan A --bogus", "scan --bogus A"}, // unknown flags go to the parser, which refuses them
		{"sacn A -f json", "sacn A -f json"}, // not a command: left alone
	}
	for _, tt := range tests {
		got, _ := reorder(app, append([]string{"hivescan"}, strings.Fields(tt.in)...))
		if diff := cmp.Diff(strings.Fields(tt.want), got[1:]); diff != "" {
			t.Errorf("reorder(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

var argsJSON = regexp.MustCompile(`"args": ?\[[^\]]*\]`)

// Every command reads its flags wherever they stand: after the paths the
// output is the same as before them.
func TestFlagsInAnyPosition(t *testing.T) {
	fake := evidence + "/fake-smss-bootexecute"
	system := fake + "/Windows/System32/config/SYSTEM"
	pairs := []struct {
		name          string
		before, after []string
	}{
		{"scan format", []string{"scan", "-f", "jsonl", fake}, []string{"scan", fake, "-f", "jsonl"}},
		{"scan min-severity", []string{"scan", "--min-severity", "high", "--no-color", fake}, []string{"scan", fake, "--min-severity", "high", "--no-color"}},
		{"scan analyzers", []string{"scan", "--analyzers", "bootexecute", "-f", "json", fake}, []string{"scan", fake, "--analyzers=bootexecute", "-f", "json"}},
		{"hives", []string{"hives", "-f", "json", fake}, []string{"hives", fake, "-f", "json"}},
		{"dump", []string{"dump", "-f", "jsonl", system, "Select"}, []string{"dump", system, "Select", "-f", "jsonl"}},
		{"analyzers", []string{"analyzers", "-f", "json"}, []string{"analyzers", "-f", "json"}},
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			c1, out1, err1 := runCLI(t, p.before...)
			c2, out2, err2 := runCLI(t, p.after...)
			if c1 != c2 || err1 != err2 {
				t.Errorf("exit %d %q before, %d %q after", c1, err1, c2, err2)
			}
			// The recorded command line differs; the rest must not.
			strip := func(s string) string { return argsJSON.ReplaceAllString(s, `"args": ARGS`) }
			if out1 == "" {
				t.Fatalf("no output for %v", p.before)
			}
			if diff := cmp.Diff(strip(out1), strip(out2)); diff != "" {
				t.Errorf("flags after the paths change the output (-before +after):\n%s", diff)
			}
		})
	}
}

// Mistakes exit 2 with one line on stderr and nothing on stdout.
func TestMistakes(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	hiveDir := filepath.Join(dir, "loose")
	if err := os.Mkdir(hiveDir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(evidence + "/clean-host/Windows/System32/config/SYSTEM")
	if err != nil {
		t.Fatal(err)
	}
	// A log named after a hive that is not given: a copy of a hive with the
	// log file type, enough for the signature check.
	logData := append([]byte(nil), src[:4096]...)
	logData[0x1C] = 6
	if err := os.WriteFile(filepath.Join(hiveDir, "SYSTEM.LOG1"), logData, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hiveDir, "SYSTEM"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	clean := evidence + "/clean-host"
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"unknown command", []string{"scna", clean}, `unknown command "scna": the commands are scan`},
		{"path that does not exist", []string{"scan", filepath.Join(dir, "nope")}, "no such file or directory"},
		{"folder without hives", []string{"scan", empty}, "no registry hives found"},
		{"output extension no format writes", []string{"scan", clean, "-o", filepath.Join(dir, "r.docx")}, "hivescan writes no .docx files"},
		{"unknown flag after the path", []string{"scan", clean, "--fromat", "json"}, "scan: flag provided but not defined: -fromat (see hivescan scan --help)"},
		{"flag without its value", []string{"scan", clean, "--min-severity"}, "flag needs an argument"},
		{"log without its hive", []string{"scan", filepath.Join(hiveDir, "SYSTEM.LOG1")}, "give " + filepath.Join(hiveDir, "SYSTEM") + " too"},
		{"bad --kind", []string{"scan", clean, "--kind", "x=HKCU"}, `unknown hive kind "HKCU"`},
		{"--kind without a kind", []string{"scan", clean, "--kind", "x"}, "want PATH=KIND"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCLI(t, tc.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			if out != "" {
				t.Errorf("stdout holds %d bytes, want none:\n%.300s", len(out), out)
			}
			if !strings.Contains(stderr, tc.err) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
				t.Errorf("stderr %q: want one line containing %q", stderr, tc.err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "r.docx")); err == nil {
		t.Error("a report was written to r.docx")
	}
}

// A hive and its log given one by one are read together: the log is applied.
func TestLogGivenWithItsHive(t *testing.T) {
	hv := corpus.Path(t, "mkorman90__regipy/regipy_tests/data/SYSTEM_B")
	code, out, stderr := runCLI(t, "scan", "-f", "json", hv, hv+".LOG1", hv+".LOG2")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "applied "+hv+".LOG1") || !strings.Contains(out, "applied "+hv+".LOG2") {
		t.Errorf("logs not applied:\n%.2000s", out)
	}
}
