package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hivescan/hivescan/report"
)

func TestParseTimeFlag(t *testing.T) {
	tests := []struct {
		in       string
		endOfDay bool
		want     time.Time
		wantErr  bool
	}{
		{"", false, time.Time{}, false},
		{"2024-03-15", false, time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC), false},
		{"2024-03-15", true, time.Date(2024, 3, 15, 23, 59, 59, 999999900, time.UTC), false},
		{"2024-03-15T21:26:53.5897932Z", false, time.Date(2024, 3, 15, 21, 26, 53, 589793200, time.UTC), false},
		{"2024-03-15T22:26:53+01:00", false, time.Date(2024, 3, 15, 21, 26, 53, 0, time.UTC), false},
		{"2024-03-15T21:26:53", false, time.Date(2024, 3, 15, 21, 26, 53, 0, time.UTC), false},
		{"yesterday", false, time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := parseTimeFlag(tt.in, tt.endOfDay)
		if (err != nil) != tt.wantErr || !got.Equal(tt.want) {
			t.Errorf("parseTimeFlag(%q, %v) = %v, %v; want %v, error %v", tt.in, tt.endOfDay, got, err, tt.want, tt.wantErr)
		}
	}
}

// --since and --until keep only findings whose key was written in the range,
// in every format; the summary still counts all.
func TestScanSinceUntil(t *testing.T) {
	code, out, stderr := runCLI(t, "scan", "--format", "json", "--since", "2024-03-15", "--until", "2024-03-15T23:59:59Z", evidence)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r report.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Findings) == 0 || len(r.Findings) >= r.Summary.Findings {
		t.Fatalf("%d findings shown of %d: the range should keep some and drop some", len(r.Findings), r.Summary.Findings)
	}
	day := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)
	for _, f := range r.Findings {
		if f.LastWrite.Before(day) || !f.LastWrite.Before(day.Add(24*time.Hour)) {
			t.Errorf("finding written %v outside the range: %s", f.LastWrite, f.Title)
		}
	}
	code, _, stderr = runCLI(t, "scan", "--since", "2024-03-16", "--until", "2024-03-15", evidence)
	if code != exitUsage || !strings.Contains(stderr, "before --since") {
		t.Errorf("reversed range: exit %d, stderr %q", code, stderr)
	}
}

func TestScanDetailsAndWidth(t *testing.T) {
	host := evidence + "/fake-smss-bootexecute"
	code, compact, _ := runCLI(t, "scan", "--width", "90", host)
	if code != 0 {
		t.Fatal(code)
	}
	for _, l := range strings.Split(compact, "\n") {
		if n := len([]rune(l)); n > 90 && !strings.HasPrefix(l, "started") {
			t.Errorf("line of %d runes with --width 90: %q", n, l)
		}
	}
	if strings.Contains(compact, "smss.exe runs") {
		t.Error("compact view shows the explanation")
	}
	_, details, _ := runCLI(t, "scan", "-v", host)
	if !strings.Contains(details, "smss.exe runs") || !strings.Contains(details, "ctl sets   ControlSet001 (current, default), ControlSet002 (last_known_good)") {
		t.Errorf("--details lacks the explanation or the merged control sets:\n%s", details)
	}
}

// SARIF of the whole sample evidence is valid against the OASIS schema and
// carries the analyzers' documentation as rule help.
func TestScanSARIF(t *testing.T) {
	code, out, stderr := runCLI(t, "scan", "-f", "sarif", evidence)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile("../../testdata/sarif/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("sarif output does not match the schema: %v", err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID   string `json:"id"`
						Full struct {
							Text string `json:"text"`
						} `json:"fullDescription"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	var r report.Report
	_, js, _ := runCLI(t, "scan", "-f", "json", evidence)
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		t.Fatal(err)
	}
	if got, want := len(log.Runs[0].Results), len(r.Findings); got != want || got == 0 {
		t.Errorf("%d SARIF results, %d findings in the JSON report", got, want)
	}
	for _, rule := range log.Runs[0].Tool.Driver.Rules {
		if strings.HasPrefix(rule.Full.Text, "hivescan analyzer ") {
			t.Errorf("rule %s has no analyzer documentation: %q", rule.ID, rule.Full.Text)
		}
	}
}

// The BootExecute pipeline in the formats this file's flags added, like
// TestScanGolden; -o report.html picks the HTML format by extension.
func TestScanGoldenTimelineSARIFHTML(t *testing.T) {
	hosts := []string{evidence + "/clean-host", evidence + "/fake-smss-bootexecute"}
	for _, format := range []string{"sarif", "html", "bodyfile", "tln", "timesketch"} {
		t.Run(format, func(t *testing.T) {
			args := append([]string{"scan", "--analyzers", "bootexecute", "--format", format}, hosts...)
			code, out, stderr := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			golden(t, "scan-bootexecute."+format+".golden", out)
		})
	}
	path := filepath.Join(t.TempDir(), "report.html")
	code, out, stderr := runCLI(t, append([]string{"scan", "--analyzers", "bootexecute", "-o", path}, hosts...)...)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, stderr)
	}
	page, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(page), "<!DOCTYPE html>") || !strings.Contains(string(page), "fake-smss-bootexecute") {
		t.Errorf("-o report.html did not write the HTML report:\n%.300s", page)
	}
}
