package report

import (
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNeutralizeFormula(t *testing.T) {
	tests := []struct{ in, want string }{
		{`=cmd|' /C calc'!A0`, `'=cmd|' /C calc'!A0`},
		{"+1", "'+1"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"'quoted", "''quoted"},
		{"a=1", "a=1"},
		{"", ""},
		{`C:\x.exe`, `C:\x.exe`},
	}
	for _, tt := range tests {
		if got := neutralizeFormula(tt.in); got != tt.want {
			t.Errorf("neutralizeFormula(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEscapeCSVCell(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\nb", `a\x0ab`},
		{"\r\n", `\x0d\x0a`},
		{"\t=1", `\x09=1`},
		{"=1\n", `'=1\x0a`},
		{"Updater\u202Eexe.txt", `Updater\u202eexe.txt`},
		{"\xff", `\xff`},
		{"\U000E0041", `\U000e0041`},
		{`C:\Users\x.exe`, `C:\Users\x.exe`},
		{`C:\xab\u00e9`, `C:\x5cxab\x5cu00e9`},
		{`C:\x0`, `C:\x0`},
		{"ünïcödé", "ünïcödé"},
		{"'", "''"},
	}
	for _, tt := range tests {
		got := EscapeCSVCell(tt.in)
		if got != tt.want {
			t.Errorf("EscapeCSVCell(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := UnescapeCSVCell(got); back != tt.in {
			t.Errorf("UnescapeCSVCell(%q) = %q, want %q", got, back, tt.in)
		}
	}
}

func FuzzEscapeCSVCell(f *testing.F) {
	for _, s := range []string{"a\nb", `C:\x41`, "'=1", "\xff\\u", `\U0001f600`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := EscapeCSVCell(s)
		if strings.ContainsAny(e, "\r\n") {
			t.Fatalf("EscapeCSVCell(%q) = %q holds a line break", s, e)
		}
		if back := UnescapeCSVCell(e); back != s {
			t.Fatalf("round trip of %q: %q -> %q", s, e, back)
		}
	})
}

func TestRegistryPath(t *testing.T) {
	tests := []struct{ kind, sid, user, key, want string }{
		{"SYSTEM", "", "", `ControlSet001\Services`, `HKLM\SYSTEM\ControlSet001\Services`},
		{"SOFTWARE", "", "", "", `HKLM\SOFTWARE`},
		{"NTUSER", "S-1-5-21-1-2-3-1001", "alice", `Software\Run`, `HKU\S-1-5-21-1-2-3-1001\Software\Run`},
		{"NTUSER", "", "bob", `Software\Run`, `HKU\bob\Software\Run`},
		{"USRCLASS", "S-1-5-21-9", "bob", `CLSID`, `HKU\S-1-5-21-9_Classes\CLSID`},
		{"NTUSER", "", "", `Software`, `HKU\<user>\Software`},
		{"DEFAULT", "", "", `Software`, `HKU\.DEFAULT\Software`},
		{"AMCACHE", "", "", `Root\File`, `AMCACHE\Root\File`},
	}
	for _, tt := range tests {
		if got := RegistryPath(tt.kind, tt.sid, tt.user, tt.key); got != tt.want {
			t.Errorf("RegistryPath(%q, %q, %q, %q) = %q, want %q", tt.kind, tt.sid, tt.user, tt.key, got, tt.want)
		}
	}
}

// readCSV parses CSV output and checks every row is one line of the
// header's width.
func readCSV(t *testing.T, out string) (rows []map[string]string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(lines) {
		t.Fatalf("%d records on %d lines: a record spans lines", len(recs), len(lines))
	}
	if diff := cmp.Diff(csvHeader, recs[0]); diff != "" {
		t.Fatalf("header (-want +got):\n%s", diff)
	}
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, name := range csvHeader {
			m[name] = UnescapeCSVCell(rec[i])
		}
		rows = append(rows, m)
	}
	return rows
}

// The CSV output is one line per record and reads back, with encoding/csv
// and UnescapeCSVCell, to every field of every finding and problem.
func TestCSVRoundTrip(t *testing.T) {
	var b strings.Builder
	if err := (&csvWriter{}).Write(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	rows := readCSV(t, b.String())
	want := view(fixture(), Options{MinSeverity: Info})
	var gotF []Finding
	var gotP []Problem
	for _, row := range rows {
		switch row["record"] {
		case RecordFinding:
			f := Finding{
				Analyzer: row["analyzer"], Rule: row["rule"], Title: row["title"], Host: row["host"],
				Hive: row["hive"], HiveKind: row["hive_kind"], Key: row["key"], ControlSet: row["control_set"],
				User: row["user"], Detail: row["detail_full"], Fingerprint: row["fingerprint"],
			}
			var err error
			if f.Severity, err = ParseSeverity(row["severity"]); err != nil {
				t.Fatal(err)
			}
			if row["scope"] == "value" {
				f.Value = ValueName(row["value"])
			}
			if row["last_write"] != "" {
				if f.LastWrite, err = time.Parse(time.RFC3339Nano, row["last_write"]); err != nil {
					t.Fatal(err)
				}
				excel, err := time.Parse(csvExcelTime, row["last_write_utc"])
				if err != nil || !excel.Equal(f.LastWrite.Truncate(time.Millisecond)) {
					t.Errorf("last_write_utc %q for %s (%v)", row["last_write_utc"], row["last_write"], err)
				}
			}
			if s := row["control_set_role"]; s != "" {
				f.ControlSetRole = strings.Split(s, ";")
			}
			if s := row["attack"]; s != "" {
				f.Attack = strings.Split(s, ";")
			}
			if s := row["risk"]; s != "" {
				if f.Risk, err = strconv.ParseFloat(s, 64); err != nil {
					t.Fatal(err)
				}
			}
			f.Deleted = row["deleted"] == "true"
			if row["targets"] != targetSummaries(want.Findings[len(gotF)].Targets, "\n") || row["target_sha256"] != targetHashes(want.Findings[len(gotF)].Targets) {
				t.Errorf("targets %q, target_sha256 %q of finding %d", row["targets"], row["target_sha256"], len(gotF))
			}
			if d := row["data"]; d != "" {
				f.Data = d
			}
			gotF = append(gotF, f)
			if !strings.HasPrefix(f.Detail, strings.TrimSuffix(row["detail"], "…")) || len([]rune(row["detail"])) > csvDetailMax {
				t.Errorf("detail %q is not a short head of %q", row["detail"], f.Detail)
			}
		case RecordProblem:
			gotP = append(gotP, Problem{Host: row["host"], Path: row["hive"], Analyzer: row["analyzer"], Message: row["detail_full"]})
		default:
			t.Errorf("record type %q", row["record"])
		}
	}
	for i := range want.Findings {
		f := &want.Findings[i]
		if d := dataStrings(f.Data); d != nil {
			f.Data = strings.Join(d, "\n")
		}
		f.Targets = nil // compared column by column above
	}
	if diff := cmp.Diff(want.Findings, gotF); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want.Problems, gotP); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// Columns that are not a field of a finding: hash, registry path, the
// Excel time, the short detail; a hive that was never read shows up as a
// problem row.
func TestCSVColumns(t *testing.T) {
	var b strings.Builder
	if err := (&csvWriter{}).Write(&b, fixture()); err != nil {
		t.Fatal(err)
	}
	raw, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range csvHeader {
		col[name] = i
	}
	byRule := map[string][]string{}
	for _, row := range raw[1:] {
		key := row[col["rule"]]
		if row[col["record"]] == RecordProblem {
			key = "problem " + row[col["hive"]]
		}
		byRule[key] = row
	}
	checks := []struct{ rule, column, want string }{
		{"formula-in-data", "data", `'=cmd|' /C calc'!A0`},
		{"formula-in-data", "value", `Updater\u202eexe.txt`},
		{"formula-in-data", "attack", "T1547.001;T1036.002"},
		{"formula-in-data", "hive_sha256", strings.Repeat("ab", 32)},
		{"formula-in-data", "registry_path", `HKU\S-1-5-21-1-2-3-1001\Software\Microsoft\Windows\CurrentVersion\Run`},
		{"odd-key-name", "scope", "key"},
		{"odd-key-name", "value", ""},
		{"odd-key-name", "last_write", ""},
		{"odd-key-name", "key", `Software\Microsoft\Windows\CurrentVersion\Run\\x1b[2J\x1b]0;pwned\x07\x0d`},
		{"default-value", "scope", "value"},
		{"default-value", "value", ""},
		{"default-value", "last_write", "2019-06-01T10:20:30.1234568Z"},
		{"default-value", "last_write_utc", "2019-06-01 10:20:30.123"},
		{"fake-smss", "data", `autocheck autochk *\x0aC:\Temp\smss.exe`},
		{"fake-smss", "control_set_role", "current;default"},
		{"fake-smss", "registry_path", `HKLM\SYSTEM\ControlSet001\Control\Session Manager`},
		{"fake-smss", "detail", "BootExecute programs run before the Windows subsystem starts, with SYSTEM rights and before most security products load. The real smss.exe lives in System32;…"},
		{"binary", "data", "001bff10"},
		{"binary", "detail", "'-binary data is written as hex"},
		{"inventory", "data", "2"},
		{"problem WS03/Windows/System32/config/SOFTWARE", "detail_full", `21474836480 bytes: hive too large (4294967296)\x0asecond line`},
		{"problem WS03/Windows/System32/config/SOFTWARE", "title", `21474836480 bytes: hive too large (4294967296)…`},
		{"problem WS03/Windows/System32/config/SOFTWARE", "host", "WS03"},
		{"problem WS02/Windows/System32/config/SAM", "hive_sha256", strings.Repeat("ef", 32)},
		{`problem '=HYPERLINK("http://x")`, "detail_full", "named like a hive but is not one"},
	}
	for _, c := range checks {
		row, ok := byRule[c.rule]
		if !ok {
			t.Errorf("no row %s", c.rule)
			continue
		}
		if got := row[col[c.column]]; got != c.want {
			t.Errorf("%s %s = %q, want %q", c.rule, c.column, got, c.want)
		}
	}
}
