package allow

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hivescan/hivescan/report"
)

func finding(rule, host, key string, value *string, data any) report.Finding {
	return report.Finding{Analyzer: "a", Rule: rule, Severity: report.High, Host: host, Hive: "h", HiveKind: "SOFTWARE", Key: key, Value: value, Data: data}
}

func TestMatch(t *testing.T) {
	run := finding("runkey.entry", "CLEAN-PC (clean-host)", `\Software\Microsoft\Windows\CurrentVersion\Run`, report.ValueName("OneDrive"),
		`"C:\Users\alice\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background`)
	keyLevel := finding("services.new", "PC", `\ControlSet001\Services\Foo`, nil, nil)
	def := finding("x.default", "PC", `\Foo`, report.ValueName(""), "C:\\x.exe")
	multi := finding("bootexecute.nondefault", "PC", `\ControlSet001\Control\Session Manager`, report.ValueName("BootExecute"),
		[]string{"autocheck autochk *", `\??\C:\Temp\evil.exe`})
	dword := finding("smswitches.globalflag", "PC", `\ControlSet001\Control\Session Manager`, report.ValueName("GlobalFlag"), uint32(512))
	tests := []struct {
		name  string
		entry string
		f     report.Finding
		want  bool
	}{
		{"rule exact", "rule: runkey.entry", run, true},
		{"rule other", "rule: runkey.other", run, false},
		{"rule glob", "rule: runkey.*", run, true},
		{"rule keeps case", "rule: RUNKEY.entry", run, false},
		{"key exact, other case, no leading backslash", `key: software\microsoft\windows\currentversion\run`, run, true},
		{"key leading backslash", `key: \Software\Microsoft\Windows\CurrentVersion\Run`, run, true},
		{"key star spans levels", `key: Software\*\Run`, run, true},
		{"key prefix only is no match", `key: Software\Microsoft`, run, false},
		{"key glob control sets", `key: ControlSet*\Services\foo`, keyLevel, true},
		{"key set", `key: ControlSet00[1-2]\Services\Foo`, keyLevel, true},
		{"key negated set", `key: ControlSet00[!1]\Services\Foo`, keyLevel, false},
		{"value glob, case", "value: onedr*", run, true},
		{"value on key-level finding", "value: '*'", keyLevel, false},
		{"value (default)", "value: (default)", def, true},
		{"value (default) not a named value", "value: (default)", run, false},
		{"data glob ignores case", `data: '"c:\users\*\appdata\local\microsoft\onedrive\onedrive.exe"*'`, run, true},
		{"data glob must match whole", `data: 'C:\Users\*'`, run, false},
		{"data re anchored", `data: 're:.*OneDrive\.exe" /background'`, run, true},
		{"data re is whole-text", `data: 're:OneDrive'`, run, false},
		{"data re keeps case", `data: 're:.*onedrive\.exe.*'`, run, false},
		{"data re (?i)", `data: 're:(?i).*onedrive\.exe.*'`, run, true},
		{"data on finding without data", "data: '*'", keyLevel, false},
		{"data list: every string must match", "data: 'autocheck autochk *'", multi, false},
		{"data list: all match", `data: '*'`, multi, true},
		{"data number as decimal", "data: '512'", dword, true},
		{"host glob ignores case", "host: clean-pc*", run, true},
		{"host other", "host: HR-PC*", run, false},
		{"every matcher must match", "rule: runkey.entry\n    host: HR-PC*", run, false},
		{"all matchers match", "rule: runkey.entry\n    host: CLEAN-PC*\n    value: OneDrive\n    key: '*\\Run'", run, true},
		{"glob question mark", "value: OneDriv?", run, true},
		{"regexp metacharacters are literal in globs", "value: One.rive", run, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Parse("a.yaml", []byte("allow:\n  - "+tc.entry+"\n    reason: test\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := l.Entries[0].Match(tc.f); got != tc.want {
				t.Errorf("Match = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, file, want string
	}{
		{"missing reason", "allow:\n  - rule: x\n", "a.yaml:2: allow[0].reason: missing"},
		{"empty reason", "allow:\n  - rule: x\n    reason: ' '\n", "a.yaml:3: allow[0].reason: empty"},
		{"no matcher", "allow:\n  - reason: because\n", "a.yaml:2: allow[0]: give at least one of rule"},
		{"unknown field", "allow:\n  - rule: x\n    reason: r\n    fingerprint: abc\n", "a.yaml:4: allow[0].fingerprint: unknown field"},
		{"unknown top field", "allows:\n  - rule: x\n", "a.yaml:1: allows: unknown field (known: allow)"},
		{"bad glob", "allow:\n  - key: 'Run[x'\n    reason: r\n", "a.yaml:2: allow[0].key: bad glob \"Run[x\""},
		{"bad regexp", "allow:\n  - data: 're:(a'\n    reason: r\n", "a.yaml:2: allow[0].data: bad regular expression"},
		{"bad date", "allow:\n  - rule: x\n    reason: r\n    expires: 2026-13-01\n", "a.yaml:4: allow[0].expires: want a date YYYY-MM-DD, got \"2026-13-01\""},
		{"date with time", "allow:\n  - rule: x\n    reason: r\n    expires: 2026-01-01T00:00:00Z\n", "a.yaml:4: allow[0].expires: want a date"},
		{"list value", "allow:\n  - rule: [a, b]\n    reason: r\n", "a.yaml:2: allow[0].rule: want a string, got a list"},
		{"empty pattern", "allow:\n  - value: ''\n    reason: r\n", "a.yaml:2: allow[0].value: empty pattern"},
		{"second entry", "allow:\n  - rule: x\n    reason: r\n  - rule: y\n", "a.yaml:4: allow[1].reason: missing"},
		{"given twice", "allow:\n  - rule: x\n    rule: y\n    reason: r\n", "a.yaml:3: allow[0].rule: given twice"},
		{"not yaml", "allow:\n  - rule: x\n    reason: \"open\n", "a.yaml:3: not valid YAML"},
		{"top-level list", "- rule: x\n", "a.yaml:1: want a mapping of fields, got a list"},
		{"entry not a mapping", "allow:\n  - x\n", "a.yaml:2: allow[0]: want a mapping of fields"},
		{"null field", "allow:\n  - rule:\n    reason: r\n", "a.yaml:2: allow[0].rule: empty"},
		{"allow not a list", "allow: yes\n", "a.yaml:1: allow: want a list of entries"},
		{"empty mapping", "{}\n", "a.yaml:1: allow: missing"},
		{"missing allow", "other: 1\n", "a.yaml:1: other: unknown field (known: allow)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("a.yaml", []byte(tc.file))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to hold %q", err, tc.want)
			}
		})
	}
}

func TestParseEmpty(t *testing.T) {
	for _, file := range []string{"", "# nothing yet\n", "allow:\n", "allow: []\n"} {
		l, err := Parse("a.yaml", []byte(file))
		if err != nil || len(l.Entries) != 0 {
			t.Errorf("Parse(%q) = %v, %v; want no entries, no error", file, l, err)
		}
	}
}

func TestExpired(t *testing.T) {
	l, err := Parse("a.yaml", []byte("allow:\n  - rule: x\n    reason: r\n    expires: 2026-06-30\n"))
	if err != nil {
		t.Fatal(err)
	}
	e := l.Entries[0]
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2026, 6, 30, 23, 59, 59, 0, time.UTC), false}, // live through its day
		{time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 7, 1, 1, 0, 0, 0, time.FixedZone("CEST", 2*3600)), false}, // still June 30 in UTC
	} {
		if got := e.Expired(tc.now); got != tc.want {
			t.Errorf("Expired(%v) = %v, want %v", tc.now, got, tc.want)
		}
	}
}

func TestApply(t *testing.T) {
	const file = `allow:
  - rule: runkey.entry
    value: OneDrive
    reason: OneDrive is on the golden image
  - rule: runkey.*
    value: OneDrive
    reason: never reached, the first entry takes OneDrive
  - rule: lsa.package
    reason: old exception
    expires: 2026-01-31
  - host: NO-SUCH-HOST
    reason: stale
`
	l, err := Parse("allow.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	newReport := func() *report.Report {
		r := &report.Report{Findings: []report.Finding{
			finding("runkey.entry", "PC", `\Run`, report.ValueName("OneDrive"), "x"),
			finding("runkey.entry", "PC", `\Run`, report.ValueName("Evil"), "y"),
			finding("lsa.package", "PC", `\Lsa`, report.ValueName("Authentication Packages"), []string{"msv1_0", "evil"}),
		}}
		r.Finalize()
		return r
	}
	wantAllow := []report.AllowEntry{
		{Where: "allow.yaml:2", Reason: "OneDrive is on the golden image", Suppressed: 1},
		{Where: "allow.yaml:5", Reason: "never reached, the first entry takes OneDrive"},
		{Where: "allow.yaml:8", Reason: "old exception", Expires: "2026-01-31", Expired: true},
		{Where: "allow.yaml:11", Reason: "stale"},
	}
	wantProblems := []report.Problem{{Path: "allow.yaml:8", Message: "allowlist entry expired on 2026-01-31 and suppresses nothing (it would have hidden 1 findings): renew its expires date after checking them, or remove it"}}

	t.Run("hidden", func(t *testing.T) {
		r := newReport()
		problems := l.Apply(r, now, false)
		r.Finalize()
		if diff := cmp.Diff(wantProblems, problems); diff != "" {
			t.Errorf("problems (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantAllow, r.Summary.Allow); diff != "" {
			t.Errorf("summary.allow (-want +got):\n%s", diff)
		}
		if len(r.Findings) != 2 || r.Summary.Findings != 2 || r.Summary.Suppressed != 1 || r.Summary.BySeverity.High != 2 {
			t.Errorf("findings %d, summary %+v; want 2 findings left, 1 suppressed", len(r.Findings), r.Summary)
		}
		for _, f := range r.Findings {
			if f.Value != nil && *f.Value == "OneDrive" {
				t.Errorf("suppressed finding still in the report: %+v", f)
			}
		}
	})
	t.Run("shown", func(t *testing.T) {
		r := newReport()
		l.Apply(r, now, true)
		r.Finalize()
		if diff := cmp.Diff(wantAllow, r.Summary.Allow); diff != "" {
			t.Errorf("summary.allow (-want +got):\n%s", diff)
		}
		if len(r.Findings) != 3 || r.Summary.Findings != 2 || r.Summary.Suppressed != 1 || r.Summary.BySeverity.High != 2 {
			t.Errorf("findings %d, summary %+v; want 3 findings kept, 2 counted, 1 suppressed", len(r.Findings), r.Summary)
		}
		n := 0
		for _, f := range r.Findings {
			if f.Suppressed {
				n++
				if f.SuppressedBy != "allow.yaml:2" || f.SuppressionReason != "OneDrive is on the golden image" || *f.Value != "OneDrive" {
					t.Errorf("suppressed finding: %+v", f)
				}
			}
		}
		if n != 1 {
			t.Errorf("%d findings marked suppressed, want 1", n)
		}
		if got := r.CountAtLeast(report.High); got != 2 {
			t.Errorf("CountAtLeast(high) = %d, want 2 (suppressed findings do not count)", got)
		}
	})
	t.Run("before expiry", func(t *testing.T) {
		r := newReport()
		problems := l.Apply(r, time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), false)
		if len(problems) != 0 || r.Suppressed != 2 {
			t.Errorf("problems %v, suppressed %d; want none, 2", problems, r.Suppressed)
		}
	})
}

func TestLoad(t *testing.T) {
	if _, err := Load([]string{"testdata/no-such-file.yaml"}); err == nil || !strings.Contains(err.Error(), "testdata/no-such-file.yaml: ") {
		t.Errorf("Load of a missing file: %v", err)
	}
}
