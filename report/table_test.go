package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fixtureWide is fixture with the critical BootExecute entry also found in
// ControlSet002 (last known good), written an hour later, and a planted
// value that tries HTML and terminal injection at once.
func fixtureWide() *Report {
	r := fixture()
	for _, f := range r.Findings {
		if f.Rule == "fake-smss" {
			f.Key = `ControlSet002\Control\Session Manager`
			f.ControlSet, f.ControlSetRole = "ControlSet002", []string{"last_known_good"}
			f.LastWrite = f.LastWrite.Add(time.Hour)
			r.Findings = append(r.Findings, f)
			break
		}
	}
	r.Findings = append(r.Findings, Finding{
		Analyzer: "run-keys", Rule: "planted", Severity: High, Title: `Run value "><img src=x onerror=alert(1)>`,
		Host: "WS01", Hive: "WS01/Users/alice/NTUSER.DAT", HiveKind: "NTUSER", User: "alice",
		Key:   `Software\Microsoft\Windows\CurrentVersion\Run`,
		Value: ValueName("<script>alert(1)</script>"), Data: "\"><img src=x onerror=alert(2)>\u202egnp.exe",
		LastWrite: time.Date(2021, 11, 5, 8, 0, 0, 0, time.UTC), Attack: []string{"T1547.001"},
		Detail: "</script><script>alert(3)</script> \x1b[31m red",
	})
	return r
}

// checkGolden compares got with testdata/name, rewriting it under -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("output differs from %s (-want +got):\n%s", path, diff)
	}
}

func writeFormat(t *testing.T, format string, opts Options, r *Report) []byte {
	t.Helper()
	w, err := FormatFor(format, "", opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestTableGolden(t *testing.T) {
	tests := []struct {
		golden string
		opts   Options
	}{
		{"table_wide.golden", Options{}},
		{"table_wide_details.golden", Options{Details: true}},
		{"table_wide_narrow.golden", Options{Width: 72}},
		{"table_wide_color.golden", Options{Color: true, MinSeverity: Low}},
		{"table_wide_since.golden", Options{Since: time.Date(2019, 6, 1, 11, 0, 0, 0, time.UTC), Until: time.Date(2020, 12, 31, 0, 0, 0, 0, time.UTC)}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			checkGolden(t, tt.golden, writeFormat(t, "table", tt.opts, fixtureWide()))
		})
	}
}

func TestTableCompactFitsWidth(t *testing.T) {
	for _, width := range []int{72, 100, 160} {
		out := writeFormat(t, "table", Options{Width: width}, fixtureWide())
		lines := strings.Split(string(out), "\n")
		start := 0
		for i, l := range lines {
			if strings.HasPrefix(l, "SEVERITY") {
				start = i
			}
		}
		if start == 0 {
			t.Fatalf("width %d: no header line:\n%s", width, out)
		}
		n := 0
		for _, l := range lines[start:] {
			if l == "" && n > 0 && !strings.HasPrefix(lines[start+n+1], "CRITICAL") && !strings.HasPrefix(lines[start+n+1], "HIGH") &&
				!strings.HasPrefix(lines[start+n+1], "MEDIUM") && !strings.HasPrefix(lines[start+n+1], "LOW") && !strings.HasPrefix(lines[start+n+1], "INFO") {
				break
			}
			n++
			if got := len([]rune(l)); got > width {
				t.Errorf("width %d: line of %d runes: %q", width, got, l)
			}
		}
		if n < 6 {
			t.Errorf("width %d: only %d finding lines", width, n)
		}
	}
}

func TestCompactOneLinePerFinding(t *testing.T) {
	out := string(writeFormat(t, "table", Options{Width: 160}, fixtureWide()))
	if got := strings.Count(out, "ControlSet001+002"); got != 1 {
		t.Errorf("merged BootExecute shown %d times, want once:\n%s", got, out)
	}
	// Highest severity first, then host.
	crit := strings.Index(out, "\nCRITICAL  WS01")
	high := strings.Index(out, "\nHIGH      WS01")
	info := strings.Index(out, "\nINFO      WS02")
	if crit < 0 || high < crit || info < high {
		t.Errorf("lines not ordered by severity (critical %d, high %d, info %d):\n%s", crit, high, info, out)
	}
	for _, bad := range []string{"\x1b", "\u202e", "\r"} {
		if strings.Contains(out, bad) {
			t.Errorf("output holds raw %q", bad)
		}
	}
}

func TestCutPath(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{`SYSTEM\ControlSet001\Control\Session Manager`, 60, `SYSTEM\ControlSet001\Control\Session Manager`},
		{`SYSTEM\ControlSet001\Control\Session Manager`, 38, `SYSTEM\ControlSet001\…\Session Manager`},
		{`SYSTEM\ControlSet001\Control\Session Manager`, 34, `SYSTEM\CS001\…\Session Manager`},
		{`SYSTEM\ControlSet001+002\Control\Session Manager`, 34, `SYSTEM\CS001+002\…\Session Manager`},
		{`SYSTEM\Select\Control\Session Manager`, 34, `SYSTEM\…\Control\Session Manager`},
		{`SYSTEM\ControlSet001\Control\Session Manager`, 25, `SYSTEM\…\Session Manager`},
		{`SYSTEM\ControlSet001\Control\Session Manager`, 12, "…ion Manager"},
		{`NTUSER\Software\Microsoft\Windows\CurrentVersion\Run`, 30, `NTUSER\…\CurrentVersion\Run`},
		{`ab`, 1, `…`},
	}
	for _, tt := range tests {
		if got := cutPath(tt.in, tt.width); got != tt.want {
			t.Errorf("cutPath(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
	}
}
